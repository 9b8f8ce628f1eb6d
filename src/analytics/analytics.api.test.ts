// Each measure on hand-built rows with known times (2 March 2026 was a Monday; Moscow is UTC+3), and who may see
// which figures.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { rowsOf } from "../db/outbox.ts";
import { periodOf } from "./filters.ts";
import { backlog, tableExists } from "./measures.ts";

let s: TestServer;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;
let admin: Awaited<ReturnType<TestServer["staff"]>>;
let opA: Awaited<ReturnType<TestServer["staff"]>>;
let opB: Awaited<ReturnType<TestServer["staff"]>>;
let specialist: Awaited<ReturnType<TestServer["staff"]>>;

const min = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
let seq = 0;

async function request(r: {
  channel: string;
  category: string | null;
  region: string | null;
  audience: string;
  createdAt: string;
  firstAfter?: number;
  resolvedAfter?: number;
  firstDue?: string;
  resolutionDue?: string;
  status: string;
  department: string;
  assignee?: number;
  rating?: number;
  comment?: string;
  history?: string[];
}) {
  seq++;
  const rows = rowsOf<{ id: number }>(
    await s.ctx.db.execute(sql`insert into requests (number, tracking_token_hash, channel, category, region, audience,
        status, department_id, assignee_id, created_at, first_responded_at, resolved_at, first_response_due_at,
        resolution_due_at, rating, rating_comment, rated_at)
      values (${`90000${seq}`}, ${`hash-${seq}`}, ${r.channel}, ${r.category}, ${r.region}, ${r.audience}, ${r.status},
        (select id from departments where code = ${r.department}), ${r.assignee ?? null}, ${r.createdAt}::timestamptz,
        ${r.firstAfter === undefined ? null : min(r.createdAt, r.firstAfter)}::timestamptz,
        ${r.resolvedAfter === undefined ? null : min(r.createdAt, r.resolvedAfter)}::timestamptz,
        ${r.firstDue ?? null}::timestamptz, ${r.resolutionDue ?? null}::timestamptz, ${r.rating ?? null},
        ${r.comment ?? null}, ${r.rating ? min(r.createdAt, 300) : null}::timestamptz)
      returning id`),
  );
  for (const action of r.history ?? []) {
    await s.ctx.db.execute(
      sql`insert into request_history (request_id, actor_type, action) values (${rows[0]!.id}, 'staff', ${action})`,
    );
  }
}

const get = (url: string, who: { authorization: string }) =>
  s.app.inject({ method: "GET", url: `/api/v1${url}`, headers: { authorization: who.authorization } });

const PERIOD = "from=2026-03-02&to=2026-03-02";

beforeAll(async () => {
  s = await createTestServer();
  supervisor = await s.staff("supervisor");
  admin = await s.staff("administrator");
  opA = await s.staff("operator", { department: "first_line" });
  opB = await s.staff("operator", { department: "technical" });
  specialist = await s.staff("specialist", { department: "technical" });
  // R1: answered in 10 min, resolved in 60, both in time, rated 5 with a comment carrying an address.
  await request({
    channel: "web",
    category: "access",
    region: "Москва",
    audience: "citizen",
    createdAt: "2026-03-02T07:00:00Z",
    firstAfter: 10,
    resolvedAfter: 60,
    firstDue: min("2026-03-02T07:00:00Z", 30),
    resolutionDue: min("2026-03-02T07:00:00Z", 120),
    status: "resolved",
    department: "first_line",
    assignee: opA.id,
    rating: 5,
    comment: "Спасибо, пишите на ivan@example.ru",
  });
  // R2: 30 min to answer (in time), 240 to resolve (late: due at 180); the applicant had to write again.
  await request({
    channel: "email",
    category: "access",
    region: "Москва",
    audience: "citizen",
    createdAt: "2026-03-02T07:30:00Z",
    firstAfter: 30,
    resolvedAfter: 240,
    firstDue: min("2026-03-02T07:30:00Z", 60),
    resolutionDue: min("2026-03-02T07:30:00Z", 180),
    status: "resolved",
    department: "first_line",
    assignee: opA.id,
    rating: 3,
    history: ["applicant_replied"],
  });
  // R3: answered late (50 min, due 20), escalated to technical support, resolution due far ahead.
  await request({
    channel: "phone",
    category: "technical",
    region: "Республика Татарстан",
    audience: "legal_entity",
    createdAt: "2026-03-02T12:00:00Z",
    firstAfter: 50,
    firstDue: min("2026-03-02T12:00:00Z", 20),
    resolutionDue: "2030-01-01T00:00:00Z",
    status: "escalated",
    department: "technical",
    assignee: opB.id,
    history: ["escalated"],
  });
  // R4: never answered; both due times passed.
  await request({
    channel: "chat",
    category: "information",
    region: null,
    audience: "entrepreneur",
    createdAt: "2026-03-02T12:10:00Z",
    firstDue: "2026-03-02T12:20:00Z",
    resolutionDue: "2026-03-03T09:10:00Z",
    status: "new",
    department: "first_line",
  });
  // R5: the day before — the previous period.
  await request({
    channel: "web",
    category: "access",
    region: "Москва",
    audience: "citizen",
    createdAt: "2026-03-01T10:00:00Z",
    firstAfter: 5,
    resolvedAfter: 20,
    status: "closed",
    department: "first_line",
  });
  // Calls: answered after 10 s and talked 300 s; answered after 30 s and talked 100 s; abandoned.
  const call = (id: string, start: string, answer: number | null, end: number, state: string) =>
    s.ctx.db.execute(sql`insert into phone_calls (external_id, direction, state, started_at, answered_at, ended_at, user_id)
      values (${id}, 'in', ${state}, ${start}::timestamptz,
        ${answer === null ? null : new Date(Date.parse(start) + answer * 1000).toISOString()}::timestamptz,
        ${new Date(Date.parse(start) + end * 1000).toISOString()}::timestamptz, ${answer === null ? null : opA.id})`);
  await call("c1", "2026-03-02T08:00:00Z", 10, 310, "ended");
  await call("c2", "2026-03-02T09:00:00Z", 30, 130, "ended");
  await call("c3", "2026-03-02T10:00:00Z", null, 45, "abandoned");
});
afterAll(() => s?.close());

describe("measures on hand-built requests", () => {
  it("counts volume, times (median, p90), SLA compliance and rating, with the previous period", async () => {
    const res = await get(`/analytics/period?${PERIOD}`, supervisor);
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b.summary).toEqual({
      created: 4,
      resolved: 2,
      firstResponse: { median: 30, p90: 46 },
      resolution: { median: 150, p90: 222 },
      sla: { firstResponse: 0.5, resolution: 1 / 3, firstResponseCounted: 4, resolutionCounted: 3 },
      rating: { count: 2, average: 4, distribution: [0, 0, 1, 0, 1] },
    });
    expect(b.previous.created).toBe(1);
    expect(b.previous.resolution.median).toBe(20);
  });

  it("slices volume by channel, category, audience, region, hour and weekday × hour (Moscow time)", async () => {
    const v = (await get(`/analytics/period?${PERIOD}`, supervisor)).json().volume;
    expect(Object.fromEntries(v.channel.map((x: { key: string; count: number }) => [x.key, x.count]))).toEqual({
      web: 1,
      email: 1,
      phone: 1,
      chat: 1,
    });
    expect(v.category[0]).toEqual({ key: "access", count: 2 });
    expect(v.region[0]).toEqual({ key: "Москва", count: 2 });
    expect(v.region.find((x: { key: string }) => x.key === "—").count).toBe(1);
    expect(v.audience).toHaveLength(3);
    expect(v.hour[10]).toBe(2);
    expect(v.hour[15]).toBe(2);
    expect(v.heat[0][10]).toBe(2);
    expect(v.heat[0][15]).toBe(2);
    expect(v.heat[1].every((n: number) => n === 0)).toBe(true);
  });

  it("gives the escalation rate by department and first-contact resolution", async () => {
    const e = (await get(`/analytics/period?${PERIOD}`, supervisor)).json().escalation;
    expect(e.escalationRate).toBe(0.25);
    expect(e.firstContactResolution).toBe(0.5);
    const byDept = Object.fromEntries(
      e.departments.map((d: { department: string; requests: number; escalated: number }) => [
        d.department,
        [d.requests, d.escalated],
      ]),
    );
    expect(byDept).toEqual({ first_line: [3, 0], technical: [1, 1] });
  });

  it("measures the backlog and its age at a given moment", async () => {
    const b = await backlog(s.ctx.db, { from: new Date(0), to: new Date(0) }, new Date("2026-03-03T12:00:00Z"));
    expect(b).toEqual({
      open: 2,
      byStatus: { escalated: 1, new: 1 },
      age: { under1d: 1, d1to3: 1, d3to7: 0, over7d: 0 },
      medianAgeHours: 23.9,
      oldestAgeHours: 24,
      overdue: 1,
    });
  });

  it("measures calls: answered, abandoned, speed of answer, handling time, service level", async () => {
    const c = (await get(`/analytics/period?${PERIOD}`, supervisor)).json().calls;
    expect(c).toEqual({
      offered: 3,
      answered: 2,
      abandoned: 1,
      abandonRate: 1 / 3,
      averageSpeedOfAnswer: 20,
      averageHandlingTime: 200,
      serviceLevel: 1 / 3,
    });
  });

  it("counts knowledge-base deflection when the knowledge room records suggestions", async () => {
    if (!(await tableExists(s.ctx.db, "kb_suggestion_events"))) return;
    const ev = async (visit: string, kind: string) =>
      s.ctx.db.execute(sql`insert into kb_suggestion_events (visit, kind, slug, created_at)
        values (${visit}, ${kind}, ${kind === "opened" || kind === "shown" ? "password-recovery" : ""}, '2026-03-02T09:00:00Z')`);
    for (const k of ["shown", "opened", "left"]) await ev("a", k);
    for (const k of ["shown", "submitted"]) await ev("b", k);
    for (const k of ["shown", "opened", "submitted"]) await ev("c", k);
    const d = (await get(`/analytics/period?${PERIOD}`, supervisor)).json().deflection;
    expect(d).toEqual({ visits: 3, deflected: 1, rate: 1 / 3 });
  });

  it("lists operators with their figures and the table by region", async () => {
    const b = (await get(`/analytics/period?${PERIOD}`, supervisor)).json();
    const a = b.operators.find((o: { operatorId: number }) => o.operatorId === opA.id);
    expect(a).toMatchObject({ requests: 2, resolved: 2, resolutionMedian: 150, ratingAverage: 4 });
    expect(b.regions[0]).toEqual({
      region: "Москва",
      created: 2,
      resolved: 2,
      resolutionMedian: 150,
      slaResolution: 0.5,
      ratingAverage: 4,
    });
    expect(b.daily).toEqual([
      { day: "2026-03-02", created: 4, resolved: 2, byChannel: { web: 1, email: 1, phone: 1, chat: 1 } },
    ]);
  });

  it("reads periods as Moscow days, both ends included", () => {
    const p = periodOf({ from: "2026-03-02", to: "2026-03-02" });
    expect(p.from.toISOString()).toBe("2026-03-01T21:00:00.000Z");
    expect(p.to.toISOString()).toBe("2026-03-02T21:00:00.000Z");
  });
});

describe("who sees what", () => {
  it("narrows an operator to their department and refuses another department or person", async () => {
    const own = await get(`/analytics/period?${PERIOD}`, opA);
    expect(own.statusCode).toBe(200);
    expect(own.json().summary.created).toBe(3);
    expect(own.json().operators.map((o: { operatorId: number }) => o.operatorId)).toEqual([opA.id]);
    expect((await get(`/analytics/period?${PERIOD}&department=technical`, opA)).statusCode).toBe(403);
    expect((await get(`/analytics/period?${PERIOD}&operator=${opB.id}`, opA)).statusCode).toBe(403);
    expect((await get(`/analytics/today?department=technical`, opA)).statusCode).toBe(403);
    expect((await get(`/analytics/period?${PERIOD}&department=technical`, specialist)).statusCode).toBe(200);
    expect((await get(`/analytics/period?${PERIOD}&department=technical`, supervisor)).statusCode).toBe(200);
  });

  it("shows a colleague's own figures in the table by employee only to those who see everything", async () => {
    // The specialist's department is opB's: the department's figures are theirs to see, opB's personal row is not.
    const dept = (await get(`/analytics/period?${PERIOD}`, specialist)).json();
    expect(dept.summary.created).toBeGreaterThan(0);
    expect(dept.operators).toEqual([]);
    const csv = await get(`/analytics/export?${PERIOD}&table=operators&format=csv`, specialist);
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain("operator");
    const boss = (await get(`/analytics/period?${PERIOD}&department=technical`, supervisor)).json();
    expect(boss.operators.map((o: { operatorId: number }) => o.operatorId)).toContain(opB.id);
  });

  it("shows rating comments to supervisors only, with addresses masked and no request number", async () => {
    expect((await get(`/analytics/comments?${PERIOD}`, opA)).statusCode).toBe(403);
    expect((await get(`/analytics/export?${PERIOD}&table=comments`, opA)).statusCode).toBe(403);
    const res = await get(`/analytics/comments?${PERIOD}`, supervisor);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        ratedAt: "2026-03-02T12:00:00.000Z",
        rating: 5,
        comment: "Спасибо, пишите на [адрес скрыт]",
        channel: "web",
        category: "access",
      },
    ]);
    expect(res.body).not.toContain("900001");
  });

  it("needs a signed-in employee", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/analytics/today" });
    expect(res.statusCode).toBe(401);
  });
});

describe("exports and the daily summary", () => {
  it("exports a table as CSV and XLSX with the filters applied", async () => {
    const csv = await get(`/analytics/export?${PERIOD}&table=channel&format=csv`, supervisor);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.headers["content-disposition"]).toContain("otklik-channel-2026-03-02-2026-03-02.csv");
    expect(csv.body).toContain("Канал;Обращений");
    expect(csv.body).toContain("web;1");
    const filtered = await get(`/analytics/export?${PERIOD}&table=channel&channel=email`, supervisor);
    expect(filtered.body.startsWith("\uFEFF")).toBe(true);
    expect(filtered.body.trim().split("\r\n")).toEqual(["Канал;Обращений", "email;1"]);
    const xlsx = await get(`/analytics/export?${PERIOD}&table=region&format=xlsx`, supervisor);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe("PK");
  });

  it("sends the day's summary once to the addresses an administrator set", async () => {
    const put = await s.app.inject({
      method: "PUT",
      url: "/api/v1/admin/analytics/summary",
      headers: { authorization: admin.authorization },
      payload: { recipients: ["head@otklik.test"], hour: 7 },
    });
    expect(put.statusCode).toBe(200);
    const send = () =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/admin/analytics/summary/send",
        headers: { authorization: admin.authorization },
        payload: { day: "2026-03-02" },
      });
    const first = await send();
    expect(first.statusCode).toBe(200);
    expect(first.json().queued).toBe(true);
    expect(first.json().text).toContain("Поступило обращений: 4");
    expect(first.json().text).not.toContain("ivan@example.ru");
    expect((await send()).json().queued).toBe(false);
    await s.ctx.worker.kick();
    const [run] = rowsOf<{ sent_at: string | null }>(
      await s.ctx.db.execute(sql`select sent_at from analytics_summary_runs where day = '2026-03-02'`),
    );
    expect(run?.sent_at).not.toBeNull();
    const outbox = path.join(s.dataDir, "outbox");
    const letters = readdirSync(outbox).map((f) => readFileSync(path.join(outbox, f), "utf8"));
    expect(letters.some((l) => l.includes("head@otklik.test") && l.includes("summary-2026-03-02"))).toBe(true);
  });
});
