// Every figure of the period board read from the rollups equals the same figure computed from the raw tables
// (measures.ts), on demo data: for several periods and slices, after staff and applicants change requests of past
// days (status, rating, reopening, another department, another region), and across Moscow midnight. Medians and
// 90th percentiles come from histograms of times rounded to two significant digits: within 5 % of the raw figure.
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { changeStatus, escalate, rateRequest, updateRequest } from "../requests/actions.ts";
import { sha256 } from "../security/tokens.ts";
import { findApiToken, type StaffUser } from "../staff/service.ts";
import { type Filters, previousPeriod, ZONE } from "./filters.ts";
import { generateDemo } from "./generate.ts";
import * as raw from "./measures.ts";
import { percentile } from "./period.ts";
import { rebuild } from "./rollup.ts";
import { plan } from "./rollup-plan.ts";
import { periodBoard } from "./service.ts";

let s: TestServer;
let db: Queryable;
let supervisor: StaffUser;
let firstLine: number;
let someone: number;
const today = () => DateTime.now().setZone(ZONE).startOf("day");
const day = (d: DateTime) => d.toISODate()!;

/** Within the histograms' precision: two significant digits are at most 5 % from the time. */
function close(a: number | null, b: number | null) {
  if (a === null || b === null) return expect(a).toBe(b);
  expect(Math.abs(a - b)).toBeLessThanOrEqual(Math.abs(b) * 0.05 + 0.1);
}

const rows = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await db.execute(q));

async function compare(f: Filters, label: string) {
  const [board, summary, previous, series, volume, regions, escalation, operators, calls] = await Promise.all([
    periodBoard(db, f),
    raw.summary(db, f),
    raw.summary(db, previousPeriod(f)),
    raw.daily(db, f),
    raw.volume(db, f),
    raw.byRegion(db, f),
    raw.escalationAndFcr(db, f),
    raw.byOperator(db, f),
    raw.calls(db, f),
  ]);
  for (const [got, want] of [
    [board.summary, summary],
    [board.previous, previous],
  ] as const) {
    const { firstResponse, resolution, ...exact } = got;
    const { firstResponse: fr, resolution: res, ...wanted } = want;
    expect(exact, label).toEqual(wanted);
    close(firstResponse.median, fr.median);
    close(firstResponse.p90, fr.p90);
    close(resolution.median, res.median);
    close(resolution.p90, res.p90);
  }
  expect(board.daily, label).toEqual(series);
  const asMap = (list: { key: string; count: number }[]) => Object.fromEntries(list.map((x) => [x.key, x.count]));
  for (const k of ["channel", "category", "audience", "region"] as const) {
    expect(asMap(board.volume[k]), `${label}: ${k}`).toEqual(asMap(volume[k]));
  }
  expect(board.volume.hour, label).toEqual(volume.hour);
  expect(board.volume.heat, label).toEqual(volume.heat);
  const byRegion = (list: raw.RegionRow[]) =>
    Object.fromEntries(list.map(({ region, resolutionMedian: _m, ...r }) => [region, r]));
  expect(byRegion(board.regions), label).toEqual(byRegion(regions));
  for (const r of regions)
    close(board.regions.find((x) => x.region === r.region)!.resolutionMedian, r.resolutionMedian);
  const { departments, ...esc } = board.escalation;
  const { departments: wantDepartments, ...wantEsc } = escalation;
  expect(esc, label).toEqual(wantEsc);
  const byCode = (list: raw.DepartmentRow[]) => Object.fromEntries(list.map((d) => [d.department, d]));
  expect(byCode(departments), label).toEqual(byCode(wantDepartments));
  const byId = (list: raw.OperatorRow[]) =>
    Object.fromEntries(list.map(({ operatorId, resolutionMedian: _m, ...o }) => [operatorId, o]));
  expect(byId(board.operators), label).toEqual(byId(operators));
  for (const o of operators) {
    close(board.operators.find((x) => x.operatorId === o.operatorId)!.resolutionMedian, o.resolutionMedian);
  }
  expect(board.calls, label).toEqual(calls);
  return board;
}

function periods(): [string, Filters][] {
  const t = today();
  const span = (from: DateTime, to: DateTime): Filters => ({ from: from.toJSDate(), to: to.toJSDate() });
  return [
    ["90 days to today", span(t.minus({ days: 89 }), t.plus({ days: 1 }))],
    ["30 days to today", span(t.minus({ days: 29 }), t.plus({ days: 1 }))],
    ["past weeks with a whole month", span(t.minus({ days: 75 }).startOf("month"), t.minus({ days: 3 }))],
    ["one past day", span(t.minus({ days: 10 }), t.minus({ days: 9 }))],
    ["today", span(t, t.plus({ days: 1 }))],
  ];
}

async function compareAll(stage: string) {
  const slices: [string, Partial<Filters>][] = [
    ["all", {}],
    ["web", { channel: "web" }],
    ["access", { category: "access" }],
    ["citizens", { audience: "citizen" }],
    ["first line", { departmentId: firstLine }],
    ["Moscow", { region: "Москва" }],
    ["web + Moscow", { channel: "web", region: "Москва" }],
    ["first line + Moscow", { departmentId: firstLine, region: "Москва" }],
    ["one operator", { assigneeId: someone }],
    ["access + Moscow", { category: "access", region: "Москва" }],
  ];
  for (const [name, f] of periods()) {
    for (const [slice, extra] of slices) await compare({ ...f, ...extra }, `${stage}: ${name}, ${slice}`);
  }
}

beforeAll(async () => {
  // No sweep of this server's own: an escalation the clock takes on the demo data mid-test would change past days.
  s = await createTestServer({ slaSweepSeconds: 0 });
  db = s.ctx.db;
  const who = await s.staff("supervisor");
  supervisor = (await findApiToken(db, who.authorization.slice("Bearer ".length)))!;
  await generateDemo(db, { requests: 2500, days: 100, seed: 11 });
  firstLine = (await rows<{ id: number }>(sql`select id from departments where code = 'first_line'`))[0]!.id;
  someone = (
    await rows<{ id: number }>(
      sql`select assignee_id as id from requests where assignee_id is not null group by 1 order by count(*) desc limit 1`,
    )
  )[0]!.id;
}, 120_000);
afterAll(() => s?.close());

describe("rollups equal the raw figures", () => {
  it("on demo data, for periods with whole months, past days and today, with every kind of slice", async () => {
    // The demo rows were written after the start's rebuild: their days are marked, and the clock's rebuild is due.
    const [marked] = await rows<{ n: string }>(sql`select count(distinct day) as n from analytics_rollup_dirty`);
    expect(Number(marked!.n)).toBeGreaterThan(90);
    await rebuild(db);
    await compareAll("built");
    const [state] = await rows<{ through: string }>(
      sql`select to_char(through, 'YYYY-MM-DD') as through from analytics_rollup_state`,
    );
    expect(state!.through).toBe(day(today().minus({ days: 1 })));
    const [months] = await rows<{ n: string }>(sql`select count(*) as n from analytics_daily where span = 2`);
    expect(Number(months!.n)).toBeGreaterThan(0);
  }, 300_000);

  it("after staff and applicants change requests of past days", async () => {
    const past = day(today().minus({ days: 1 }));
    const pick = async (where: ReturnType<typeof sql>) => {
      const [r] = await rows<{ id: number; number: string }>(
        sql`select id, number from requests where created_at < ${past}::timestamptz and ${where} order by id limit 1`,
      );
      return r!;
    };
    // Resolved now: the day of registration changes, and today gains a resolution.
    const open = await pick(sql`status in ('in_progress', 'waiting')`);
    await changeStatus(s.ctx, supervisor, open.number, "resolved");
    // One changed past day: the boards read it raw, without waiting for a rebuild. (From 23:00 Moscow time today is
    // marked too, as the day about to end; it is not a past day.)
    const pastDirty = sql`select count(distinct day) as n from analytics_rollup_dirty where day < ${day(today())}::date`;
    const [one] = await rows<{ n: string }>(pastDirty);
    expect(Number(one!.n)).toBe(1);
    await compareAll("one day changed");
    const [still] = await rows<{ n: string }>(pastDirty);
    expect(Number(still!.n)).toBe(1);
    // Rated by the applicant (through the tracking link).
    const done = await pick(sql`status = 'resolved' and rating is null`);
    await db.execute(
      sql`update requests set tracking_token_hash = ${sha256("rollup_test_token_0123456789")} where id = ${done.id}`,
    );
    await rateRequest(s.ctx, "rollup_test_token_0123456789", 1, "Долго");
    // Reopened: no longer resolved.
    const resolved = await pick(sql`status = 'resolved' and id <> ${done.id}`);
    await changeStatus(s.ctx, supervisor, resolved.number, "in_progress");
    // Passed to another department (an escalation in the history).
    const firstLineOpen = await pick(sql`status in ('in_progress', 'waiting', 'new') and department_id = ${firstLine}
      and id <> ${open.id} and id <> ${resolved.id}`);
    await escalate(s.ctx, supervisor, firstLineOpen.number, "technical", "Нужна проверка журнала");
    // Another region and category.
    const moved = await pick(sql`region = 'Москва'`);
    await updateRequest(s.ctx, supervisor, moved.number, { region: "Республика Татарстан", category: "complaint" });

    const [dirty] = await rows<{ n: string }>(sql`select count(distinct day) as n from analytics_rollup_dirty`);
    expect(Number(dirty!.n)).toBeGreaterThan(0);
    // More changed days than a board reads raw: the first board rebuilds them; then all come from the rollups.
    await compareAll("changed");
    await rebuild(db);
    await compareAll("rebuilt");
    const [left] = await rows<{ n: string }>(
      sql`select count(*) as n from analytics_rollup_dirty where day < ${day(today())}::date`,
    );
    expect(Number(left!.n)).toBe(0);
  }, 300_000);

  it("counts a request on its Moscow day: 23:59 and 00:01 fall on two days, also after a change", async () => {
    const d = today().minus({ days: 5 });
    const midnight = d.toUTC();
    const at = (seconds: number) => midnight.plus({ seconds }).toISO()!;
    await db.execute(sql`insert into requests (number, tracking_token_hash, channel, category, audience, status,
        department_id, created_at, first_responded_at, first_response_due_at, resolution_due_at)
      values ('2099-000001', 'midnight-a', 'web', 'access', 'citizen', 'in_progress', ${firstLine},
          ${at(-30)}::timestamptz, ${at(60)}::timestamptz, ${at(600)}::timestamptz, ${at(86400)}::timestamptz),
        ('2099-000002', 'midnight-b', 'chat', 'access', 'citizen', 'new', ${firstLine},
          ${at(30)}::timestamptz, null, ${at(600)}::timestamptz, ${at(86400)}::timestamptz)`);
    const f: Filters = { from: d.minus({ days: 1 }).toJSDate(), to: d.plus({ days: 1 }).toJSDate() };
    const before = await compare(f, "midnight");
    const point = (b: typeof before, when: DateTime) => b.daily.find((p) => p.day === day(when))!;
    const rawBefore = await raw.daily(db, f);
    expect(point(before, d.minus({ days: 1 })).created).toBe(rawBefore[0]!.created);
    expect(point(before, d).byChannel.chat ?? 0).toBeGreaterThanOrEqual(1);
    // Resolved a minute after midnight: the resolution belongs to the second day, the request to the first.
    await db.execute(
      sql`update requests set status = 'resolved', resolved_at = ${at(90)}::timestamptz where number = '2099-000001'`,
    );
    const after = await compare(f, "midnight, resolved");
    expect(point(after, d).resolved).toBe(point(before, d).resolved + 1);
    expect(point(after, d.minus({ days: 1 })).resolved).toBe(point(before, d.minus({ days: 1 })).resolved);
  }, 120_000);

  it("rebuilds idempotently, and from scratch gives the same rows", async () => {
    const snapshot = async () =>
      rows<Record<string, unknown>>(
        sql`select span, to_char(day, 'YYYY-MM-DD') as day, channel, category, audience, department_id, region,
            created, resolved, resolved_on_day, rating_sum, escalated, first_contact
          from analytics_daily_by_region order by 1, 2, 3, 4, 5, 6, 7`,
      );
    await rebuild(db);
    const once = await snapshot();
    const again = await rebuild(db);
    expect(again.days).toBe(0);
    await rebuild(db, { all: true });
    expect(await snapshot()).toEqual(once);
  }, 120_000);
});

describe("reading a period", () => {
  it("splits it into whole past months, other past days and today", () => {
    const now = new Date("2026-05-20T09:00:00Z");
    const msk = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
    expect(plan({ from: msk("2026-02-10"), to: msk("2026-05-21") }, now)).toEqual({
      days: [
        ["2026-02-10", "2026-03-01"],
        ["2026-05-01", "2026-05-20"],
      ],
      months: [["2026-03-01", "2026-05-01"]],
      raw: [[msk("2026-05-20"), msk("2026-05-21")]],
      stale: [],
    });
    expect(plan({ from: msk("2026-04-01"), to: msk("2026-05-01") }, now)).toEqual({
      days: [],
      months: [["2026-04-01", "2026-05-01"]],
      raw: [],
      stale: [],
    });
    // Changed days not yet rebuilt: raw; inside a month, the month row stays and their day rows are taken out.
    expect(
      plan(
        { from: msk("2026-02-10"), to: msk("2026-05-21") },
        now,
        false,
        new Set(["2026-02-20", "2026-03-15", "2026-03-16"]),
      ),
    ).toEqual({
      days: [
        ["2026-02-10", "2026-02-20"],
        ["2026-02-21", "2026-03-01"],
        ["2026-05-01", "2026-05-20"],
      ],
      months: [["2026-03-01", "2026-05-01"]],
      raw: [
        [msk("2026-05-20"), msk("2026-05-21")],
        [msk("2026-03-15"), msk("2026-03-17")],
        [msk("2026-02-20"), msk("2026-02-21")],
      ],
      stale: [["2026-03-15", "2026-03-17"]],
    });
    expect(plan({ from: msk("2026-02-10"), to: msk("2026-05-21") }, now, true).days).toEqual([
      ["2026-02-10", "2026-05-20"],
    ]);
    // Not at Moscow midnights: raw.
    expect(plan({ from: new Date("2026-05-01T00:00:00Z"), to: msk("2026-05-10") }, now).raw).toHaveLength(1);
  });

  it("reads a percentile from a histogram as percentile_cont does from the values", () => {
    expect(
      percentile(
        [
          [10, 1],
          [20, 1],
        ],
        0.5,
      ),
    ).toBe(15);
    expect(
      percentile(
        [
          [10, 2],
          [50, 1],
          [20, 1],
        ],
        0.5,
      ),
    ).toBe(15);
    expect(
      percentile(
        [
          [30, 1],
          [50, 1],
          [10, 1],
          [60, 1],
        ],
        0.9,
      ),
    ).toBeCloseTo(57);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("the demo staff", () => {
  it("have Russian names, a woman's surname in its feminine form", async () => {
    const staff = await rows<{ name: string }>(sql`select name from users where email like 'demo-%' order by id`);
    expect(staff.length).toBeGreaterThanOrEqual(40);
    for (const { name } of staff) expect(name).toMatch(/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
    expect(new Set(staff.map((s) => s.name)).size).toBe(staff.length);
    const women = staff.filter((s) => /а$|я$/.test(s.name.split(" ")[0]!));
    expect(women.length).toBeGreaterThan(0);
    for (const { name } of women) expect(name).toMatch(/а$/);
  });
});
