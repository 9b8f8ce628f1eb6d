import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emit } from "../db/outbox.ts";
import { displayRequestNumber } from "../text/display.ts";
import { parseArticle } from "./article.ts";
import { indexSettled } from "./room.ts";
import { KB_CHANGED } from "./state.ts";
import { writeArticle } from "./store.ts";

const run = promisify(execFile);

let s: TestServer;
let admin: Awaited<ReturnType<TestServer["staff"]>>;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer();
  admin = await s.staff("administrator");
  operator = await s.staff("operator", { department: "first_line" });
});
afterAll(() => s?.close());

const get = (url: string, headers: Record<string, string> = {}) => s.app.inject({ method: "GET", url, headers });
const send = (method: "POST" | "PUT" | "DELETE", url: string, payload?: object, headers: Record<string, string> = {}) =>
  s.app.inject({ method, url, payload, headers });

const newArticle = (slug: string, over: Record<string, unknown> = {}) => ({
  slug,
  title: `Тестовая статья ${slug}`,
  summary: "Как получить справку о тестировании за несколько шагов.",
  category: "information",
  audience: ["citizen"],
  tags: ["справка"],
  synonyms: ["испытательная справка"],
  visibility: "public",
  body: `Справка о тестировании выдаётся бесплатно.\n\n## Шаги\n\n1. Откройте раздел «Справки».\n2. Нажмите «Получить».\n\n${"Текст статьи для проверки длины. ".repeat(40)}`,
  ...over,
});

describe("search", () => {
  it("answers exactly what `otklik kb search --json` prints, for the shipped articles", async () => {
    const queries = ["не приходит смс", "gfhjkm", "ЭЦП для юрлица", "пороль забыл"];
    const cli = await Promise.all(
      queries.map((q) =>
        run("npx", ["tsx", "bin/otklik.js", "kb", "search", q, "--json", "--limit", "5"], {
          cwd: new URL("../..", import.meta.url).pathname,
        }),
      ),
    );
    for (const [i, q] of queries.entries()) {
      const api = await get(`/api/v1/kb/search?q=${encodeURIComponent(q)}&limit=5`);
      expect(api.statusCode).toBe(200);
      expect(api.json().length).toBeGreaterThan(0);
      expect(api.json(), q).toEqual(JSON.parse(cli[i]!.stdout));
    }
  }, 240_000);

  it("keeps internal articles from applicants and shows them to staff who ask", async () => {
    const q = encodeURIComponent("чек-лист проверки личности оператором");
    const pub = await get(`/api/v1/kb/search?q=${q}`);
    expect(pub.json().map((h: { slug: string }) => h.slug)).not.toContain("operator-verification-checklist");
    expect((await get(`/api/v1/kb/search?q=${q}&internal=true`)).statusCode).toBe(401);
    const staff = await get(`/api/v1/kb/search?q=${q}&internal=true`, { authorization: operator.authorization });
    expect(staff.json()[0].slug).toBe("operator-verification-checklist");

    expect((await get("/api/v1/kb/articles/operator-verification-checklist")).statusCode).toBe(404);
    const asStaff = await get("/api/v1/kb/articles/operator-verification-checklist", {
      authorization: operator.authorization,
    });
    expect(asStaff.statusCode).toBe(200);
    expect(asStaff.json().visibility).toBe("internal");
  });

  it("groups published public articles by category", async () => {
    const res = await get("/api/v1/kb/categories");
    const cats = res.json() as { code: string; title: string; articles: { slug: string }[] }[];
    const access = cats.find((c) => c.code === "access")!;
    expect(access.title).toBe("Вход, пароль и коды подтверждения");
    expect(access.articles.map((a) => a.slug)).toContain("password-recovery");
    const all = cats.flatMap((c) => c.articles.map((a) => a.slug));
    expect(all).not.toContain("operator-escalation-guide");
    expect(all.length).toBe(43);
  });
});

describe("another process's change", () => {
  it("rebuilds the index when «kb.changed» arrives, serving the old one meanwhile", async () => {
    const article = parseArticle(
      "---\ntitle: Перенос записи в МФЦ\ncategory: information\nsummary: Как перенести запись в многофункциональный центр.\n---\nЗапись в МФЦ можно перенести в личном кабинете.",
      "mfc-reschedule",
    );
    const q = encodeURIComponent("перенести запись мфц");
    // Written as another process would: straight to the database, announced by the event only.
    await s.ctx.db.transaction(async (tx) => {
      await writeArticle(tx, article, 1, "создана", null);
      await emit(tx, KB_CHANGED, { slug: article.slug });
    });
    await expect
      .poll(async () => (await get(`/api/v1/kb/search?q=${q}`)).json()[0]?.slug, { timeout: 10_000 })
      .toBe("mfc-reschedule");
  });
});

describe("editing", () => {
  const auth = () => ({ authorization: admin.authorization });

  it("keeps a new article as a draft, hidden from applicants until it is published", async () => {
    const created = await send("POST", "/api/v1/kb/articles", newArticle("test-spravka"), auth());
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ status: "draft", version: 1 });
    await indexSettled(s.ctx);

    expect((await get("/api/v1/kb/articles/test-spravka")).statusCode).toBe(404);
    const q = encodeURIComponent("испытательная справка");
    expect((await get(`/api/v1/kb/search?q=${q}`)).json().map((h: { slug: string }) => h.slug)).not.toContain(
      "test-spravka",
    );
    const drafts = await get(`/api/v1/kb/search?q=${q}&drafts=true`, auth());
    expect(drafts.json()[0].slug).toBe("test-spravka");
    expect(
      (await get(`/api/v1/kb/search?q=${q}&drafts=true`, { authorization: operator.authorization })).statusCode,
    ).toBe(403);

    const published = await send("POST", "/api/v1/kb/articles/test-spravka/publish", undefined, auth());
    expect(published.statusCode).toBe(200);
    await indexSettled(s.ctx);
    const pub = await get("/api/v1/kb/articles/test-spravka");
    expect(pub.statusCode).toBe(200);
    expect(pub.json().status).toBeUndefined();
    expect((await get(`/api/v1/kb/search?q=${q}`)).json()[0].slug).toBe("test-spravka");

    const dup = await send("POST", "/api/v1/kb/articles", newArticle("test-spravka"), auth());
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe("kb.slug_taken");
  });

  it("refuses to publish an article with errors and names them", async () => {
    const bad = newArticle("test-bad", {
      body: `Позвоните по номеру 8-800-100-00-00 и назовите ИИН. Смотрите статью «Нет такой статьи».\n\n${"Слово ".repeat(160)}`,
    });
    expect((await send("POST", "/api/v1/kb/articles", bad, auth())).statusCode).toBe(201);
    const res = await send("POST", "/api/v1/kb/articles/test-bad/publish", undefined, auth());
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe("kb.check_failed");
    const codes = res.json().problems.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(["kb.unchecked_phone", "kb.wrong_identifier", "kb.broken_reference"]));
    expect(res.json().detail).toMatch(/нельзя опубликовать/);
    expect((await get("/api/v1/kb/articles/test-bad")).statusCode).toBe(404);

    // A published article cannot be edited into one with errors either.
    const { slug: _, ...fields } = newArticle("x", {
      title: "Как восстановить пароль",
      body: "Звоните 8-800-100-00-00.",
    });
    const edit2 = await send("PUT", "/api/v1/kb/articles/password-recovery", fields, auth());
    expect(edit2.statusCode).toBe(422);
  });

  it("keeps every version with who and what, shows any of them and restores one", async () => {
    const { slug: _, ...fields } = newArticle("test-history");
    await send("POST", "/api/v1/kb/articles", newArticle("test-history"), auth());
    const v2 = await send("PUT", "/api/v1/kb/articles/test-history", { ...fields, title: "Новый заголовок" }, auth());
    expect(v2.statusCode).toBe(200);
    expect(v2.json().article.version).toBe(2);
    await send("POST", "/api/v1/kb/articles/test-history/publish", undefined, auth());

    const list = await get("/api/v1/kb/articles/test-history/versions", auth());
    expect(list.json().map((v: { version: number; note: string }) => [v.version, v.note])).toEqual([
      [3, "опубликована"],
      [2, "изменены: заголовок"],
      [1, "создана (черновик)"],
    ]);
    expect(list.json()[0].createdBy).toBe("administrator 1");

    const one = await get("/api/v1/kb/articles/test-history/versions/1", auth());
    expect(one.json().article.title).toBe("Тестовая статья test-history");

    const restored = await send("POST", "/api/v1/kb/articles/test-history/versions/1/restore", undefined, auth());
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toMatchObject({ title: "Тестовая статья test-history", version: 4, status: "published" });
    expect((await get("/api/v1/kb/articles/test-history/versions", auth())).json()[0].note).toBe(
      "восстановлена версия 1",
    );
    expect(
      (await get("/api/v1/kb/articles/test-history/versions", { authorization: operator.authorization })).statusCode,
    ).toBe(403);
  });
});

describe("applicants' answers", () => {
  it("counts «was it helpful» votes per article", async () => {
    // Three visitors (one vote per article per address a day: src/knowledge/feedback.api.test.ts).
    for (const [i, helpful] of [true, true, false].entries()) {
      const r = await s.app.inject({
        method: "POST",
        url: "/api/v1/kb/articles/code-expired/feedback",
        payload: { helpful },
        remoteAddress: `198.51.100.${i + 1}`,
      });
      expect(r.statusCode).toBe(204);
    }
    expect(
      (await send("POST", "/api/v1/kb/articles/operator-escalation-guide/feedback", { helpful: true })).statusCode,
    ).toBe(404);
    const a = await get("/api/v1/kb/articles/code-expired", { authorization: operator.authorization });
    expect(a.json().helpful).toEqual({ yes: 2, no: 1 });
    const list = await get("/api/v1/kb/admin/articles", { authorization: operator.authorization });
    expect(list.json().find((x: { slug: string }) => x.slug === "code-expired").helpful).toEqual({ yes: 2, no: 1 });
  });

  it("counts form visits that ended with an article instead of a request", async () => {
    const ev = (visit: string, kind: string, slugs?: string[]) =>
      send("POST", "/api/v1/kb/suggestions/events", { visit, kind, slugs });
    const deflected = "visit-deflected-000001";
    const sent = "visit-submitted-000002";
    expect((await ev(deflected, "shown", ["sms-code-not-received", "code-expired"])).statusCode).toBe(204);
    await ev(deflected, "shown", ["sms-code-not-received"]); // a repeat counts once
    await ev(deflected, "opened", ["sms-code-not-received"]);
    await ev(deflected, "left");
    await ev(sent, "shown", ["sms-code-not-received"]);
    await ev(sent, "opened", ["sms-code-not-received"]);
    await ev(sent, "submitted");
    expect((await ev("short", "left")).statusCode).toBe(400);

    const stats = await get("/api/v1/kb/stats", { authorization: admin.authorization });
    expect(stats.json().totals).toEqual({ visitsShown: 2, visitsOpened: 2, visitsSubmitted: 1, visitsDeflected: 1 });
    const sms = stats.json().articles.find((a: { slug: string }) => a.slug === "sms-code-not-received");
    expect(sms).toMatchObject({ shown: 2, opened: 2, deflected: 1 });
  });
});

describe("answer templates", () => {
  it("are kept by staff and filled in for one request", async () => {
    const auth = { authorization: operator.authorization };
    const created = await send(
      "POST",
      "/api/v1/kb/templates",
      {
        title: "Код не приходит",
        body: "Здравствуйте, {{имя}}! По обращению № {{номер}} ответим до {{срок}}. {{подпись}}",
        category: "access",
      },
      auth,
    );
    expect(created.statusCode).toBe(201);
    const id = created.json().id;

    const named = await send("POST", "/api/v1/requests", {
      text: "Не приходит код подтверждения",
      contact: { name: "Анна", email: "anna@example.ru" },
    });
    const anonymous = await send("POST", "/api/v1/requests", {
      text: "Не приходит код",
      contact: { email: "x@example.ru" },
    });
    const number = named.json().number;

    const r = await send("POST", `/api/v1/requests/${number}/render-template`, { templateId: id }, auth);
    expect(r.statusCode).toBe(200);
    expect(r.json().text).toMatch(
      new RegExp(
        `^Здравствуйте, Анна! По обращению № ${displayRequestNumber(number)} ответим до \\d{1,2} [а-я]+( 20\\d\\d г\\.)? в \\d\\d:\\d\\d по московскому времени \\([а-я]+\\)\\. \\{\\{подпись\\}\\}$`,
      ),
    );
    expect(r.json().unknown).toEqual(["подпись"]);

    const r2 = await send(
      "POST",
      `/api/v1/requests/${anonymous.json().number}/render-template`,
      { templateId: id },
      auth,
    );
    expect(r2.json().text).toMatch(/^Здравствуйте! По обращению/);

    const edited = await send("PUT", `/api/v1/kb/templates/${id}`, { title: "Код", body: "№ {{номер}}" }, auth);
    expect(edited.json()).toMatchObject({ title: "Код", category: null });
    expect((await get("/api/v1/kb/templates", auth)).json().map((t: { id: number }) => t.id)).toContain(id);
    expect((await send("DELETE", `/api/v1/kb/templates/${id}`, undefined, auth)).statusCode).toBe(204);
    expect(
      (await send("POST", `/api/v1/requests/${number}/render-template`, { templateId: id }, auth)).statusCode,
    ).toBe(404);
    expect((await send("POST", "/api/v1/requests/1000013/render-template", { body: "x" }, auth)).statusCode).toBe(404);
  });
});
