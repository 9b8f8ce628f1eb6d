// Staff notices: one per event per person, grouped by request, all marked read at once, and only the kinds each
// employee chose to hear about.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { requests } from "../requests/schema.ts";
import { sweep } from "./escalation.ts";

let s: TestServer;
type Who = Awaited<ReturnType<TestServer["staff"]>>;
type Notice = { id: number; kind: string; title: string; number: string | null; read: boolean };
type Group = { key: string; number: string | null; count: number; unread: number; ids: number[]; title: string };
let supervisor: Who;
let operator: Who;
const MIN = 60_000;

beforeAll(async () => {
  s = await createTestServer();
  supervisor = await s.staff("supervisor", { department: "first_line" });
  operator = await s.staff("operator", { department: "first_line" });
});
afterAll(() => s?.close());

const call = (who: Who, method: string, url: string, payload?: unknown) =>
  s.app.inject({
    method: method as "GET",
    url: `/api/v1${url}`,
    headers: { authorization: who.authorization },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
const inbox = async (who: Who) =>
  (await call(who, "GET", "/notifications")).json() as { unread: number; items: Notice[]; groups: Group[] };

/** A request nobody has, both its targets missed two hours ago. */
async function overdue(text: string) {
  const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, category: "access" } });
  const { number } = res.json() as { number: string };
  const t0 = Date.now();
  await s.ctx.db
    .update(requests)
    .set({
      createdAt: new Date(t0 - 200 * MIN),
      firstResponseDueAt: new Date(t0 - 120 * MIN),
      resolutionDueAt: new Date(t0 - 120 * MIN),
    })
    .where(eq(requests.number, number));
  return { number, t0 };
}

describe("staff notices", () => {
  it("one notice per missed target per person, though two steps of the ladder reach the same supervisor", async () => {
    const { number, t0 } = await overdue("Не приходит код подтверждения при входе");
    const swept = await sweep(s.ctx, new Date(t0));
    // First response: the assignee's reminder (nobody: the supervisors) and the supervisors' step; resolution: the
    // assignee's reminder. Three steps, all of them in the history…
    expect(swept.steps).toBe(3);
    const mine = (await inbox(supervisor)).items.filter((n) => n.number === number);
    // …but the supervisor hears once of each missed target.
    expect(mine.map((n) => n.title).sort()).toEqual([
      expect.stringMatching(/: просрочен первый ответ$/),
      expect.stringMatching(/: просрочен срок решения$/),
    ]);
    expect(new Set(mine.map((n) => n.title)).size).toBe(mine.length);
    // A sweep again, later: nothing twice.
    await sweep(s.ctx, new Date(t0 + 10 * MIN));
    expect((await inbox(supervisor)).items.filter((n) => n.number === number)).toHaveLength(2);
  });

  it("a transfer by the ladder reaches a follower once, not again as a follower's notice", async () => {
    // A supervisor of the whole service: among the supervisors of both departments, and following the request.
    const boss = await s.staff("supervisor");
    const { number } = await overdue("Не приходит код подтверждения, жду третий день");
    const note = await call(boss, "POST", `/requests/${number}/messages`, { body: "Проследить.", visibility: "note" });
    expect(note.statusCode, note.body).toBe(200);
    const t0 = Date.now();
    await s.ctx.db
      .update(requests)
      .set({
        createdAt: new Date(t0 - 60 * 60 * MIN),
        firstResponseDueAt: new Date(t0 - 55 * 60 * MIN),
        resolutionDueAt: new Date(t0 - 50 * 60 * MIN),
      })
      .where(eq(requests.number, number));
    await sweep(s.ctx, new Date(t0));
    expect((await s.ctx.db.select().from(requests).where(eq(requests.number, number)))[0]!.status).toBe("escalated");
    await s.ctx.worker.kick();
    await s.ctx.worker.kick();
    const heard = (await inbox(boss)).items.filter((n) => n.number === number);
    expect(heard.map((n) => n.kind)).toEqual(["sla", "sla", "sla"]);
    expect(heard.filter((n) => /передано в «/.test(n.title))).toHaveLength(1);
  });

  it("groups a request's notices into one, marks a group or everything read, and counts what is unread", async () => {
    const { number, t0 } = await overdue("Учётная запись заблокирована после ввода пароля");
    await sweep(s.ctx, new Date(t0));
    const before = await inbox(supervisor);
    const group = before.groups.find((g) => g.number === number)!;
    expect(group).toMatchObject({ key: `request:${number}`, count: 2, unread: 2 });
    expect(group.ids.sort()).toEqual(
      before.items
        .filter((n) => n.number === number)
        .map((n) => n.id)
        .sort(),
    );
    expect(before.groups.filter((g) => g.number === number)).toHaveLength(1);
    expect(before.unread).toBe(before.items.filter((n) => !n.read).length);

    const one = await call(supervisor, "POST", "/notifications/read", { ids: group.ids });
    expect(one.json()).toEqual({ unread: before.unread - 2 });
    expect((await inbox(supervisor)).groups.find((g) => g.number === number)?.unread).toBe(0);

    await overdue("Статус заявления не меняется неделю").then(({ t0 }) => sweep(s.ctx, new Date(t0)));
    expect((await inbox(supervisor)).unread).toBeGreaterThan(0);
    const all = await call(supervisor, "POST", "/notifications/read", {});
    expect(all.json()).toEqual({ unread: 0 });
    expect((await call(supervisor, "GET", "/notifications?unread=true")).json().items).toEqual([]);
  });

  it("writes only the kinds an employee chose to hear about", async () => {
    const quiet = await s.staff("supervisor", { department: "first_line" });
    const settings = (await call(quiet, "GET", "/notifications/settings")).json();
    expect(settings.kinds.map((k: { kind: string }) => k.kind)).toEqual(
      expect.arrayContaining(["assigned", "escalated", "followed", "sla", "recheck", "incident"]),
    );
    expect(settings.kinds.every((k: { enabled: boolean }) => k.enabled)).toBe(true);
    expect((await call(quiet, "PUT", "/notifications/settings", { muted: ["nonsense"] })).statusCode).toBe(400);
    const put = await call(quiet, "PUT", "/notifications/settings", { muted: ["sla"] });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().kinds.find((k: { kind: string }) => k.kind === "sla").enabled).toBe(false);

    const { number, t0 } = await overdue("Не могу войти, пишет: учётная запись заблокирована");
    await sweep(s.ctx, new Date(t0));
    expect((await inbox(quiet)).items.filter((n) => n.number === number)).toEqual([]);
    // The other supervisor, who kept them, heard.
    expect((await inbox(supervisor)).items.filter((n) => n.number === number).length).toBeGreaterThan(0);

    // Turned back on, the next event comes.
    await call(quiet, "PUT", "/notifications/settings", { muted: [] });
    const later = await overdue("Снова не приходит код");
    await sweep(s.ctx, new Date(later.t0));
    expect((await inbox(quiet)).items.filter((n) => n.number === later.number).length).toBeGreaterThan(0);
  });

  it("tells an employee once that a colleague gave them a request, and everyone of an incident", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не меняется номер телефона в профиле", category: "contacts" },
    });
    const { number } = res.json() as { number: string };
    const given = await call(supervisor, "PATCH", `/requests/${number}`, { assigneeId: operator.id });
    expect(given.statusCode, given.body).toBe(200);
    await s.ctx.worker.kick();
    await s.ctx.worker.kick();
    const assigned = (await inbox(operator)).items.filter((n) => n.number === number);
    expect(assigned).toEqual([
      expect.objectContaining({ kind: "assigned", title: expect.stringMatching(/^Вам назначено обращение [\d ]+\.$/) }),
    ]);

    const declared = await call(supervisor, "POST", "/incidents", {
      title: "Не приходят СМС с кодами.",
      keywords: ["смс"],
    });
    expect(declared.statusCode, declared.body).toBe(201);
    await s.ctx.worker.kick();
    await s.ctx.worker.kick();
    const told = (await inbox(operator)).items.filter((n) => n.kind === "incident");
    expect(told.map((n) => n.title)).toEqual(["Объявлен инцидент: Не приходят СМС с кодами."]);
    expect((await inbox(supervisor)).items.filter((n) => n.kind === "incident")).toEqual([]);
  });
});
