// The rollups behind the period dashboards (docs/METRICS.md, «Rollups»), described once each: its key columns, its
// summed columns and the statement that computes its rows from the raw tables for a span of time. The same statement
// builds the day rows and answers the parts of a period the rollups do not hold (the current day, or slices a table
// is not keyed by), so a figure read from the rollups is by construction the raw figure. The facts (facts.ts) answer
// what no rollup is keyed by; rollup-plan.ts reads a period; rollup.ts rebuilds the days that changed.
import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { type Filters, sliceCondition, ZONE } from "./filters.ts";

export type Row = Record<string, unknown>;
/** The rows of a statement. */
export const all = async (db: Queryable, q: SQL) => rowsOf<Row>(await db.execute(q));

export const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
export const DAY_OF = (col: SQL) => sql`(${col} at time zone ${ZONE})::date`;
export const FIRST_MIN = sql`date_part('epoch', r.first_responded_at - r.created_at) / 60`;
export const RESOLVE_MIN = sql`date_part('epoch', r.resolved_at - r.created_at) / 60`;
/**
 * Minutes rounded to two significant digits (half away from zero): the histograms' buckets, at most 5 % from the time
 * itself. In float8 arithmetic: `numeric`'s logarithm costs about ten times more, and dividing the rounded integer by
 * an exact power of ten gives the same double as the decimal would.
 */
export const BUCKET = (m: SQL) => {
  const scale = sql`(1 - floor(log(${m})))`;
  return sql`(case when ${m} > 0 then (case when ${scale} >= 0 then floor(${m} * 10 ^ ${scale} + 0.5) / 10 ^ ${scale}
    else floor(${m} / 10 ^ (-${scale}) + 0.5) * 10 ^ (-${scale}) end) else ${m} end)`;
};

export type Spec = {
  table: string;
  keys: string[];
  sums: string[];
  /** Rows (day, keys…, sums…) from the raw tables for [from, to), the raw rows narrowed by `where`. */
  source(from: Date, to: Date, where: SQL): SQL;
  /** The filters as a condition on the table's keys, or null when the table is not keyed by one of them. */
  keyed(f: Filters): SQL | null;
  /** The filters as a condition on the raw rows `source` reads. */
  raw(f: Filters): SQL;
  /** The order rows are written in (day by default): a cube's rows of a period then sit together on disk. */
  order?: string[];
  /**
   * Month rows: summed from the day rows (by default); none (false: the facts); or, for a table without day rows
   * (`days` false), the statement giving a month's rows for [from, to) Moscow dates.
   */
  months?: boolean | ((from: string, to: string) => SQL);
  /** False for a table of month rows only: its days are read from the facts. */
  days?: boolean;
};

export const col = (name: string) => sql.raw(`"${name}"`);
export const cols = (names: string[]) => sql.raw(names.map((n) => `"${n}"`).join(", "));
export const sums = (names: string[]) => sql.raw(names.map((n) => `sum("${n}") as "${n}"`).join(", "));

/** Conditions on key columns for the filters a table is keyed by; null when a filter falls outside them. */
export function keyedBy(f: Filters, keys: Partial<Record<keyof Filters, string>>): SQL | null {
  const parts: SQL[] = [sql`true`];
  for (const name of ["channel", "category", "region", "audience", "departmentId", "assigneeId"] as const) {
    const v = f[name];
    if (v === undefined) continue;
    const c = keys[name];
    if (!c) return null;
    parts.push(sql`${col(c)} = ${v}`);
  }
  return sql.join(parts, sql` and `);
}

export const SLICE_KEYS = {
  channel: "channel",
  category: "category",
  audience: "audience",
  departmentId: "department_id",
};

export const HISTORY = sql`left join lateral (
    select bool_or(hh.action = 'escalated') as escalated, count(*) as touched
    from request_history hh where hh.request_id = r.id and hh.action in ('escalated', 'applicant_replied')) h on true`;

/** The requests rollup: `region` adds the region to its keys (the copy read for a region's view). */
function requestsSpec(table: string, region: boolean): Spec {
  const reg = region ? sql`, r.region` : sql``;
  const groups = sql.raw(region ? "1, 2, 3, 4, 5, 6" : "1, 2, 3, 4, 5");
  return {
    table,
    keys: ["channel", "category", "audience", "department_id", ...(region ? ["region"] : [])],
    sums: [
      "created",
      "resolved",
      "resolved_on_day",
      "first_response_done",
      "first_response_met",
      "resolution_done",
      "resolution_met",
      "rated",
      "rating_sum",
      "r1",
      "r2",
      "r3",
      "r4",
      "r5",
      "escalated",
      "first_contact",
    ],
    order: region ? ["region", "day"] : ["day"],
    source: (from, to, where) => sql`
    select day, channel, category, audience, department_id ${region ? sql`, region` : sql``}, sum(created) as created,
      sum(resolved) as resolved, sum(resolved_on_day) as resolved_on_day,
      sum(first_response_done) as first_response_done, sum(first_response_met) as first_response_met,
      sum(resolution_done) as resolution_done, sum(resolution_met) as resolution_met, sum(rated) as rated,
      sum(rating_sum) as rating_sum, sum(r1) as r1, sum(r2) as r2, sum(r3) as r3, sum(r4) as r4, sum(r5) as r5,
      sum(escalated) as escalated, sum(first_contact) as first_contact
    from (
      select ${DAY_OF(sql`r.created_at`)} as day, r.channel, r.category, r.audience, r.department_id ${reg},
        count(*) as created, count(r.resolved_at) as resolved, 0 as resolved_on_day,
        count(*) filter (where r.first_response_due_at is not null and r.first_responded_at is not null)
          as first_response_done,
        count(*) filter (where r.first_responded_at <= r.first_response_due_at) as first_response_met,
        count(*) filter (where r.resolution_due_at is not null and r.resolved_at is not null) as resolution_done,
        count(*) filter (where r.resolved_at <= r.resolution_due_at) as resolution_met,
        count(r.rating) as rated, coalesce(sum(r.rating), 0) as rating_sum,
        count(*) filter (where r.rating = 1) as r1, count(*) filter (where r.rating = 2) as r2,
        count(*) filter (where r.rating = 3) as r3, count(*) filter (where r.rating = 4) as r4,
        count(*) filter (where r.rating = 5) as r5,
        count(*) filter (where h.escalated) as escalated,
        count(*) filter (where r.resolved_at is not null and h.touched = 0) as first_contact
      from requests r ${HISTORY}
      where r.created_at >= ${ts(from)} and r.created_at < ${ts(to)} and ${where}
      group by ${groups}
      union all
      select ${DAY_OF(sql`r.resolved_at`)}, r.channel, r.category, r.audience, r.department_id ${reg},
        0, 0, count(*), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
      from requests r
      where r.resolved_at >= ${ts(from)} and r.resolved_at < ${ts(to)} and ${where}
      group by ${groups}) x
    group by ${groups}`,
    keyed: region
      ? (f) => (f.region === undefined ? null : keyedBy(f, { ...SLICE_KEYS, region: "region" }))
      : (f) => keyedBy(f, SLICE_KEYS),
    raw: (f) => sliceCondition(f),
  };
}

export const DAILY = requestsSpec("analytics_daily", false);
export const DAILY_REGION = requestsSpec("analytics_daily_by_region", true);
/** The requests rollups, the one without regions first. */
export const REQUESTS = [DAILY, DAILY_REGION];

export const HOURS: Spec = {
  table: "analytics_daily_hours",
  keys: ["dow", "hour", "channel", "category", "audience", "department_id"],
  sums: ["n"],
  source: (from, to, where) => sql`
    select ${DAY_OF(sql`r.created_at`)} as day,
      date_part('isodow', r.created_at at time zone ${ZONE})::int - 1 as dow,
      date_part('hour', r.created_at at time zone ${ZONE})::int as hour,
      r.channel, r.category, r.audience, r.department_id, count(*) as n
    from requests r
    where r.created_at >= ${ts(from)} and r.created_at < ${ts(to)} and ${where}
    group by 1, 2, 3, 4, 5, 6, 7`,
  keyed: (f) => keyedBy(f, SLICE_KEYS),
  raw: (f) => sliceCondition(f),
};

/** Hours for a region's view: the same counts keyed by region, channel and department. */
export const REGION_HOURS: Spec = {
  table: "analytics_daily_region_hours",
  keys: ["dow", "hour", "region", "channel", "department_id"],
  sums: ["n"],
  order: ["region", "day"],
  source: (from, to, where) => sql`
    select ${DAY_OF(sql`r.created_at`)} as day,
      date_part('isodow', r.created_at at time zone ${ZONE})::int - 1 as dow,
      date_part('hour', r.created_at at time zone ${ZONE})::int as hour,
      r.region, r.channel, r.department_id, count(*) as n
    from requests r
    where r.created_at >= ${ts(from)} and r.created_at < ${ts(to)} and ${where}
    group by 1, 2, 3, 4, 5, 6`,
  keyed: (f) =>
    f.region === undefined ? null : keyedBy(f, { region: "region", channel: "channel", departmentId: "department_id" }),
  raw: (f) => sliceCondition(f),
};

export const REGIONS: Spec = {
  table: "analytics_daily_regions",
  keys: ["region", "channel", "department_id"],
  sums: ["created", "resolved", "resolution_done", "resolution_met", "rated", "rating_sum"],
  source: (from, to, where) => sql`
    select ${DAY_OF(sql`r.created_at`)} as day, r.region, r.channel, r.department_id, count(*) as created,
      count(r.resolved_at) as resolved,
      count(*) filter (where r.resolution_due_at is not null and r.resolved_at is not null) as resolution_done,
      count(*) filter (where r.resolved_at <= r.resolution_due_at) as resolution_met,
      count(r.rating) as rated, coalesce(sum(r.rating), 0) as rating_sum
    from requests r
    where r.created_at >= ${ts(from)} and r.created_at < ${ts(to)} and ${where}
    group by 1, 2, 3, 4`,
  keyed: (f) => keyedBy(f, { region: "region", channel: "channel", departmentId: "department_id" }),
  raw: (f) => sliceCondition(f),
};

export const OPERATORS: Spec = {
  table: "analytics_daily_operators",
  keys: ["assignee_id", "department_id"],
  sums: ["created", "resolved", "rated", "rating_sum"],
  source: (from, to, where) => sql`
    select ${DAY_OF(sql`r.created_at`)} as day, r.assignee_id, r.department_id, count(*) as created,
      count(r.resolved_at) as resolved, count(r.rating) as rated, coalesce(sum(r.rating), 0) as rating_sum
    from requests r
    where r.assignee_id is not null and r.created_at >= ${ts(from)} and r.created_at < ${ts(to)} and ${where}
    group by 1, 2, 3`,
  keyed: (f) => keyedBy(f, { assigneeId: "assignee_id", departmentId: "department_id" }),
  raw: (f) => sliceCondition(f),
};

/**
 * Histogram cubes: which filters each is keyed by. A read takes the first cube keyed by every filter it has (cube 0,
 * the whole service, when there is none). Cubes 3 (by employee) and 4 (by region, for the table by region) hold
 * resolution times (kind 2) only, the others first-response (kind 1) and resolution times.
 */
export const CUBES = {
  all: { cube: 0, keys: {} },
  slices: { cube: 1, keys: SLICE_KEYS },
  regionDepartment: { cube: 2, keys: { region: "region", departmentId: "department_id" } },
  operators: { cube: 3, keys: { assigneeId: "assignee_id", departmentId: "department_id" } },
  regions: { cube: 4, keys: { region: "region" } },
  regionChannel: { cube: 5, keys: { region: "region", channel: "channel" } },
} as const;

/**
 * Histograms of first-response (kind 1) and resolution (kind 2) minutes, each time rounded to two significant
 * digits, in the cubes above: month rows only, summed from the facts once the month is over. A day's histogram has
 * nearly a row per request, so the days of a period are read from the facts themselves (`histograms` in period.ts).
 */
export const TIMES: Spec = {
  table: "analytics_daily_times",
  keys: ["cube", "kind", "channel", "category", "audience", "department_id", "region", "assignee_id", "minutes"],
  order: ["cube", "region", "day"],
  sums: ["n"],
  days: false,
  months: (from, to) => sql`
    select ${from}::date as day, t.cube, t.kind,
      case when t.cube in (1, 5) then u.channel end as channel, case when t.cube = 1 then u.category end as category,
      case when t.cube = 1 then u.audience end as audience,
      case when t.cube in (1, 2, 3) then u.department_id end as department_id,
      case when t.cube in (2, 4, 5) then u.region end as region,
      case when t.cube = 3 then u.assignee_id end as assignee_id,
      t.minutes, count(*) as n
    from analytics_facts u
      cross join lateral (values (0, 1, u.first_minutes), (0, 2, u.resolve_minutes), (1, 1, u.first_minutes),
        (1, 2, u.resolve_minutes), (2, 1, u.first_minutes), (2, 2, u.resolve_minutes), (3, 2, u.resolve_minutes),
        (4, 2, u.resolve_minutes), (5, 1, u.first_minutes), (5, 2, u.resolve_minutes)) as t(cube, kind, minutes)
    where t.minutes is not null and (t.cube <> 3 or u.assignee_id is not null)
      and u.day >= ${from}::date and u.day < ${to}::date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
  source: () => {
    throw new Error("analytics_daily_times holds months only: days come from the facts");
  },
  keyed: () => null,
  raw: (f) => sliceCondition(f),
};

function callsWho(f: Filters, user: SQL): SQL {
  const who: SQL[] = [sql`true`];
  if (f.assigneeId !== undefined) who.push(sql`${user} = ${f.assigneeId}`);
  if (f.departmentId !== undefined) {
    who.push(sql`${user} in (select id from users where department_id = ${f.departmentId})`);
  }
  return sql.join(who, sql` and `);
}

/** Seconds within which an answered call counts for the service level. */
export const SERVICE_LEVEL_SECONDS = 20;

export const CALLS: Spec = {
  table: "analytics_daily_calls",
  keys: ["user_id"],
  sums: ["offered", "answered", "abandoned", "answer_seconds", "handled", "handling_seconds", "in_level"],
  source: (from, to, where) => sql`
    select ${DAY_OF(sql`c.started_at`)} as day, c.user_id,
      count(*) filter (where c.state in ('answered', 'ended', 'abandoned')) as offered,
      count(c.answered_at) as answered,
      count(*) filter (where c.state = 'abandoned') as abandoned,
      coalesce(sum(date_part('epoch', c.answered_at - c.started_at)), 0) as answer_seconds,
      count(c.ended_at - c.answered_at) filter (where c.state = 'ended') as handled,
      coalesce(sum(date_part('epoch', c.ended_at - c.answered_at)) filter (where c.state = 'ended'), 0)
        as handling_seconds,
      count(*) filter (where c.answered_at - c.started_at <= make_interval(secs => ${SERVICE_LEVEL_SECONDS}))
        as in_level
    from phone_calls c
    where c.direction = 'in' and c.started_at >= ${ts(from)} and c.started_at < ${ts(to)} and ${where}
    group by 1, 2`,
  // Calls are narrowed only by who took them (as in the raw measure): the channel and other slices do not apply.
  keyed: (f) => callsWho(f, sql`"user_id"`),
  raw: (f) => callsWho(f, sql`c.user_id`),
};
