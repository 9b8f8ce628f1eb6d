import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run } from "./cli.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
  return { out: () => out.join(""), err: () => err.join("") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("otklik kb", () => {
  it("search --json prints one JSON array, best first, with highlighted snippets", async () => {
    const io = capture();
    expect(await run(["search", "забыл gfhjkm", "--json", "--limit", "3"])).toBe(0);
    const hits = JSON.parse(io.out());
    expect(hits).toHaveLength(3);
    expect(hits[0]).toMatchObject({ slug: "password-recovery", title: "Как восстановить пароль" });
    expect(hits[0].snippet).toContain("<mark>");
    expect(hits[0].score).toBeGreaterThanOrEqual(hits[1].score);
  });

  it("search prints a readable list without --json", async () => {
    const io = capture();
    expect(await run(["search", "эцп"])).toBe(0);
    expect(io.out()).toMatch(/^1\. Электронная подпись/);
  });

  it("rejects a missing query and a bad limit with a stable code", async () => {
    const io = capture();
    expect(await run(["search"])).toBe(2);
    expect(await run(["search", "пароль", "--limit", "0"])).toBe(2);
    expect(await run(["frobnicate"])).toBe(2);
    expect(io.err()).toContain("kb.usage");
  });

  it("check passes the shipped base and fails on an article quoting an unchecked number", async () => {
    const io = capture();
    expect(await run(["check", "--json"])).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ problems: [] });
    const dir = await mkdtemp(join(tmpdir(), "kb-check-"));
    try {
      const body = `${"Слово ".repeat(160)}Звоните 8-800-555-22-22.`;
      await writeFile(join(dir, "x.md"), `---\ntitle: Икс\nsummary: Кратко.\ncategory: information\n---\n${body}\n`);
      expect(await run(["check", "--dir", dir])).toBe(1);
      expect(io.out()).toContain("kb.unchecked_phone");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("eval --json reports the index and the PostgreSQL baseline", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kb-eval-"));
    try {
      const file = join(dir, "q.tsv");
      await writeFile(file, "query\tacceptable\ngfhjkm\tpassword-recovery\nвосстановить пароль\tpassword-recovery\n");
      const io = capture();
      expect(await run(["eval", "--queries", file, "--json"])).toBe(0);
      const { sets } = JSON.parse(io.out());
      expect(sets[0].otklik).toMatchObject({ queries: 2, hitAt1: 1, hitAt3: 1 });
      // The baseline cannot read the wrong layout.
      expect(sets[0].baseline.hitAt3).toBe(0.5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
