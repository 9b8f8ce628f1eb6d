// The shipped answer templates, their deadlines and fallbacks as an operator gets them, and macros: a template, a
// status, a category and an assignment applied to a request in one action, one history row per change.
import { readdirSync, readFileSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { requests } from "../requests/schema.ts";
import { formatDue } from "./template.ts";

let s: TestServer;
type Who = Awaited<ReturnType<TestServer["staff"]>>;
let operator: Who;
let supervisor: Who;

beforeAll(async () => {
  s = await createTestServer();
  operator = await s.staff("operator", { department: "first_line" });
  supervisor = await s.staff("supervisor", { department: "first_line" });
});
afterAll(() => s?.close());

const call = (who: Who | null, method: string, url: string, payload?: unknown) =>
  s.app.inject({
    method: method as "GET",
    url: `/api/v1${url}`,
    headers: who ? { authorization: who.authorization } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

async function submit(text: string, contact: Record<string, string> = { email: "a@example.ru" }) {
  const res = await call(null, "POST", "/requests", { text, contact });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { number: string }).number;
}
const rowOf = async (number: string) => (await s.ctx.db.select().from(requests).where(eq(requests.number, number)))[0]!;
type Template = { id: number; title: string; body: string; category: string | null };
const templates = async () => (await call(operator, "GET", "/kb/templates")).json() as Template[];

describe("shipped answer templates", () => {
  it("cover the common topics, once, however often their migration's statements run", async () => {
    const titles = (await templates()).map((t) => t.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Обращение принято",
        "Не приходит код подтверждения",
        "Учётная запись заблокирована",
        "Статус заявления",
        "Смена номера телефона",
        "Электронная подпись",
        "Технический сбой",
      ]),
    );
    const folder = new URL("../db/migrations/", import.meta.url);
    const file = readdirSync(folder).find((f) => f.endsWith("_notices_templates_macros.sql"))!;
    const migration = readFileSync(new URL(file, folder), "utf8");
    const inserts = migration
      .split("--> statement-breakpoint")
      .filter((st) => st.includes('INSERT INTO "kb_templates"'));
    expect(inserts).toHaveLength(7);
    for (const st of inserts) await s.ctx.db.execute(sql.raw(st));
    expect(await templates()).toHaveLength(titles.length);
  });

  it("read as whole sentences for an applicant with no name, every placeholder known", async () => {
    const number = await submit("Не приходит код подтверждения");
    for (const t of await templates()) {
      const r = (await call(operator, "POST", `/requests/${number}/render-template`, { templateId: t.id })).json();
      expect(r.unknown, t.title).toEqual([]);
      expect(r.text, t.title).toMatch(/^Здравствуйте!\n/);
      expect(r.text, t.title).not.toMatch(/\{\{|\}\}|, здравствуйте|^,|\n,| ,/);
      expect(r.text, t.title).toMatch(/\nС уважением,\n\S/);
    }
    const named = await submit("Учётная запись заблокирована", { email: "b@example.ru", name: "Анна" });
    const t = (await templates()).find((x) => x.title === "Учётная запись заблокирована")!;
    const r = (await call(operator, "POST", `/requests/${named}/render-template`, { templateId: t.id })).json();
    expect(r.text).toMatch(/^Здравствуйте, Анна!\n/);
    expect(r.text).toMatch(/\nС уважением,\noperator \d+$/);
  });

  it("put each deadline where its variable says, in Moscow time; {{срок}} follows the first answer", async () => {
    const number = await submit("Статус заявления не меняется");
    const row = await rowOf(number);
    const body = "Ответ: {{срок_ответа}}. Решение: {{срок_решения}}. Срок: {{срок}}.";
    const render = async () => (await call(operator, "POST", `/requests/${number}/render-template`, { body })).json();
    expect(row.firstResponseDueAt!.getTime()).not.toBe(row.resolutionDueAt!.getTime());
    const first = formatDue(row.firstResponseDueAt!);
    const resolution = formatDue(row.resolutionDueAt!);
    expect(first).toMatch(/ по московскому времени \([а-я]+\)$/);
    expect((await render()).text).toBe(`Ответ: ${first}. Решение: ${resolution}. Срок: ${first}.`);
    await call(operator, "POST", `/requests/${number}/messages`, { body: "Проверяем.", visibility: "public" });
    expect((await render()).text).toBe(`Ответ: ${first}. Решение: ${resolution}. Срок: ${resolution}.`);
  });
});

describe("macros", () => {
  it("are made by supervisors and apply a template, a category, an assignment and a status in one action", async () => {
    const outage = (await templates()).find((t) => t.title === "Технический сбой")!;
    const macro = {
      title: "Сбой: ответить и решить",
      templateId: outage.id,
      category: "technical",
      assign: "self",
      status: "resolved",
    };
    expect((await call(operator, "POST", "/kb/macros", macro)).statusCode).toBe(403);
    expect((await call(supervisor, "POST", "/kb/macros", { title: "Пустой" })).json().code).toBe("validation_failed");
    expect((await call(supervisor, "POST", "/kb/macros", { ...macro, status: "escalated" })).statusCode).toBe(400);
    expect((await call(supervisor, "POST", "/kb/macros", { ...macro, templateId: 999999 })).statusCode).toBe(404);
    const created = await call(supervisor, "POST", "/kb/macros", macro);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as number;
    expect((await call(operator, "GET", "/kb/macros")).json().map((m: { id: number }) => m.id)).toContain(id);

    // Applied by a supervisor of the whole service, who sees the request wherever the classifier sent it.
    const boss = await s.staff("supervisor");
    const number = await submit("Не приходит код подтверждения по СМС");
    expect((await rowOf(number)).category).not.toBe("technical");
    const applied = await call(boss, "POST", `/requests/${number}/macros/${id}`);
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().text).toMatch(/^Здравствуйте!\n\nСейчас на портале технический сбой/);
    const row = await rowOf(number);
    expect(row).toMatchObject({ category: "technical", assigneeId: boss.id, status: "resolved" });

    const detail = (await call(boss, "GET", `/requests/${number}`)).json();
    const mine = (detail.history as { action: string; changes: Record<string, unknown> }[]).filter((h) =>
      ["updated", "replied", "status_changed"].includes(h.action),
    );
    // One row per change: the category, who has it, the answer with the status it brought.
    expect(
      mine.map((h) => [
        h.action,
        Object.keys(h.changes)
          .filter((k) => k !== "resolutionDueAt")
          .sort(),
      ]),
    ).toEqual([
      ["updated", ["category"]],
      ["updated", ["assigneeId"]],
      ["replied", ["messageId", "status", "visibility"]],
    ]);
    const answers = (detail.messages as { body: string; visibility: string }[]).filter(
      (m) => m.visibility === "public" && m.body.includes("технический сбой"),
    );
    expect(answers).toHaveLength(1);
  });

  it("changes nothing when one of its steps is refused, and says what was not found", async () => {
    const created = await call(supervisor, "POST", "/kb/macros", {
      title: "Закрыть как информацию",
      category: "information",
      status: "closed",
    });
    const id = created.json().id as number;
    const number = await submit("Вопрос о справке");
    await call(operator, "POST", `/requests/${number}/messages`, { body: "Смотрим.", visibility: "public" });
    // In work a request cannot be closed straight away: the category stays as it was.
    const before = await rowOf(number);
    const refused = await call(operator, "POST", `/requests/${number}/macros/${id}`);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(await rowOf(number)).toMatchObject({ category: before.category, status: "in_progress" });

    expect((await call(operator, "POST", `/requests/${number}/macros/999999`)).json()).toMatchObject({
      code: "not_found",
      subject: "macro",
    });
    expect((await call(supervisor, "DELETE", `/kb/macros/${id}`)).statusCode).toBe(204);
    expect((await call(supervisor, "DELETE", `/kb/macros/${id}`)).statusCode).toBe(404);
  });
});
