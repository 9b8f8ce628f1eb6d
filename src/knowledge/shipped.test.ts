// The shipped articles after an upgrade: new ones arrive, untouched ones take the new text, edited ones stay as
// the service wrote them.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { SHIPPED_KB_DIR, syncShipped, updateArticle } from "./service.ts";
import { indexSettled, searchKnowledge } from "./state.ts";
import { listVersions, readArticle } from "./store.ts";

let s: TestServer;
let release: string;

beforeAll(async () => {
  s = await createTestServer();
  // The next release's folder: one new article, a new text for two shipped ones.
  release = mkdtempSync(path.join(os.tmpdir(), "otklik-kb-release-"));
  cpSync(SHIPPED_KB_DIR, release, { recursive: true });
  writeFileSync(
    path.join(release, "gosuslugi-pension-points.md"),
    `---
title: Как узнать свои пенсионные баллы
summary: Где на портале посмотреть индивидуальный пенсионный коэффициент и стаж.
category: information
audience: [citizen]
tags: [пенсия, баллы, стаж]
synonyms: [пенсионные баллы, ипк, сколько баллов на пенсию]
status: published
visibility: public
---
Откройте раздел «Пенсии и пособия» и выберите услугу «Извещение о состоянии лицевого счёта в СФР». Выписка придёт в личный кабинет: в ней указаны баллы и стаж.
`,
  );
  for (const slug of ["account-locked", "account-hacked"]) {
    const file = path.join(release, `${slug}.md`);
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n---\n/, "\n---\nОбновлено в новой версии. "));
  }
});
afterAll(async () => {
  await s?.close();
  rmSync(release, { recursive: true, force: true });
});

describe("shipped articles after an upgrade", () => {
  it("adds new articles and new texts of untouched ones; an article the service edited stays theirs", async () => {
    const editor = await s.staff("administrator");
    const hacked = (await readArticle(s.ctx.db, "account-hacked"))!;
    const { slug: _s, status: _st, ...input } = hacked;
    await updateArticle(s.ctx, "account-hacked", { ...input, summary: "Наша служба пишет по-своему." }, editor.id);

    const first = await syncShipped(s.ctx, release);
    expect(first).toEqual({ added: ["gosuslugi-pension-points"], updated: ["account-locked"] });

    const locked = (await readArticle(s.ctx.db, "account-locked"))!;
    expect(locked.body.startsWith("Обновлено в новой версии.")).toBe(true);
    expect((await listVersions(s.ctx.db, "account-locked"))[0]).toMatchObject({
      version: 2,
      note: "обновлена с новой версией Otklik",
    });
    const kept = (await readArticle(s.ctx.db, "account-hacked"))!;
    expect(kept.summary).toBe("Наша служба пишет по-своему.");
    expect(kept.body.startsWith("Обновлено")).toBe(false);

    // The new article is published and found.
    await expect
      .poll(async () => {
        await indexSettled(s.ctx);
        return searchKnowledge(s.ctx, "сколько у меня пенсионных баллов").map((h) => h.slug);
      })
      .toContain("gosuslugi-pension-points");

    // A second start changes nothing.
    expect(await syncShipped(s.ctx, release)).toEqual({ added: [], updated: [] });
    expect((await listVersions(s.ctx.db, "account-locked"))[0]!.version).toBe(2);
  });
});
