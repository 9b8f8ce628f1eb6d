// The rollups behind the period dashboards (docs/METRICS.md, «Rollups»). Each table is described once: its key
// columns, its summed columns and the statement that computes its rows from the raw tables for a span of time. The
// same statement builds the day rows, and answers the parts of a period the rollups do not hold (the current day,
// or slices a table is not keyed by), so a figure read from the rollups is by construction the raw figure.
//
// Days are rebuilt whole: triggers write into analytics_rollup_dirty every past Moscow day a change touches, in the
// same transaction as the change; `rebuild` empties that list and recomputes those days, the days that ended since
// the last rebuild, and the months they belong to (month rows are sums of day rows).
import { type SQL, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { type Filters, sliceCondition, ZONE } from "./filters.ts";

type Row = Record<string, unknown>;
/** The rows of a statement. */
export const all = async (db: Queryable, q: SQL) => rowsOf<Row>(await db.execute(q));

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const DAY_OF = (col: SQL) => sql`(${col} at time zone ${ZONE})::date`;
const FIRST_MIN = sql`date_part('epoch', r.first_responded_at - r.created_at) / 60`;
const RESOLVE_MIN = sql`date_part('epoch', r.resolved_at - r.created_at) / 60`;
/**
 * Minutes rounded to two significant digits (half away from zero): the histograms' buckets, at most 5 % from the time
 * itself. In float8 arithmetic: `numeric`'s logarithm costs about ten times more, and dividing the rounded integer by
 * an exact power of ten gives the same double as the decimal would.
 */
const BUCKET = (m: SQL) => {
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

const col = (name: string) => sql.raw(`"${name}"`);
const cols = (names: string[]) => sql.raw(names.map((n) => `"${n}"`).join(", "));
const sums = (names: string[]) => sql.raw(names.map((n) => `sum("${n}") as "${n}"`).join(", "));

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

const SLICE_KEYS = { channel: "channel", category: "category", audience: "audience", departmentId: "department_id" };

const HISTORY = sql`left join lateral (
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

/** Every slice a filter can name, as the facts' columns. */
const ALL_KEYS = { ...SLICE_KEYS, region: "region", assigneeId: "assignee_id" };

/** The facts' columns after `day`, as the rows of `factRows` give them. */
const FACT_COLUMNS = [
  "dow",
  "hour",
  "channel",
  "category",
  "audience",
  "department_id",
  "region",
  "assignee_id",
  "resolved_day",
  "first_minutes",
  "resolve_minutes",
  "first_response_done",
  "first_response_met",
  "resolution_done",
  "resolution_met",
  "rating",
  "escalated",
  "first_contact",
];

/**
 * One row per request, from the raw tables: registered in [from, to) (`on` "created"), or resolved in it
 * ("resolved"). The same statement builds analytics_facts and answers the days it does not hold.
 */
function factRows(from: Date, to: Date, where: SQL, on: "created" | "resolved" = "created"): SQL {
  const at = on === "created" ? sql`r.created_at` : sql`r.resolved_at`;
  return sql`
    select ${DAY_OF(sql`r.created_at`)} as day,
      (date_part('isodow', r.created_at at time zone ${ZONE})::int - 1)::smallint as dow,
      date_part('hour', r.created_at at time zone ${ZONE})::smallint as hour,
      r.channel, r.category, r.audience, r.department_id, r.region, r.assignee_id,
      ${DAY_OF(sql`r.resolved_at`)} as resolved_day,
      ${BUCKET(FIRST_MIN)} as first_minutes, ${BUCKET(RESOLVE_MIN)} as resolve_minutes,
      r.first_response_due_at is not null and r.first_responded_at is not null as first_response_done,
      coalesce(r.first_responded_at <= r.first_response_due_at, false) as first_response_met,
      r.resolution_due_at is not null and r.resolved_at is not null as resolution_done,
      coalesce(r.resolved_at <= r.resolution_due_at, false) as resolution_met,
      r.rating::smallint as rating, coalesce(h.escalated, false) as escalated,
      coalesce(r.resolved_at is not null and h.touched = 0, false) as first_contact
    from requests r ${HISTORY}
    where ${at} >= ${ts(from)} and ${at} < ${ts(to)} and ${where}`;
}

export const FACTS: Spec = {
  table: "analytics_facts",
  keys: FACT_COLUMNS,
  sums: [],
  months: false,
  source: (from, to, where) => factRows(from, to, where),
  keyed: (f) => keyedBy(f, ALL_KEYS),
  raw: (f) => sliceCondition(f),
};

/**
 * What each summed column of the rollups is over the facts (`part` 1: the request by its registration day; 2: by
 * the day it was resolved, for `resolved_on_day`).
 */
const FACT_SUMS: Record<string, string> = {
  created: "count(*) filter (where part = 1)",
  n: "count(*) filter (where part = 1)",
  resolved: 'count("resolved_day") filter (where part = 1)',
  resolved_on_day: "count(*) filter (where part = 2)",
  first_response_done: 'count(*) filter (where part = 1 and "first_response_done")',
  first_response_met: 'count(*) filter (where part = 1 and "first_response_met")',
  resolution_done: 'count(*) filter (where part = 1 and "resolution_done")',
  resolution_met: 'count(*) filter (where part = 1 and "resolution_met")',
  rated: 'count("rating") filter (where part = 1)',
  rating_sum: 'coalesce(sum("rating") filter (where part = 1), 0)',
  r1: 'count(*) filter (where part = 1 and "rating" = 1)',
  r2: 'count(*) filter (where part = 1 and "rating" = 2)',
  r3: 'count(*) filter (where part = 1 and "rating" = 3)',
  r4: 'count(*) filter (where part = 1 and "rating" = 4)',
  r5: 'count(*) filter (where part = 1 and "rating" = 5)',
  escalated: 'count(*) filter (where part = 1 and "escalated")',
  first_contact: 'count(*) filter (where part = 1 and "first_contact")',
};

export type FactsOptions = {
  by: string[];
  /** Summed columns of a rollup (see FACT_SUMS); ignored with `kinds`. */
  sums?: string[];
  /** Histograms instead of sums: rows (by…, kind, minutes, n) of these kinds (1 first response, 2 resolution). */
  kinds?: number[];
  now?: Date;
  dirty?: ReadonlySet<string>;
  /** Which days the facts table answers and which the raw tables do (by default: from `plan`, day rows only). */
  plan?: Pick<Plan, "days" | "raw">;
};

/**
 * A period's facts narrowed by every filter and grouped by `by`, in one statement: the facts table for the past
 * days it holds, the raw tables (through the statement that builds it) for the current day and the days changed
 * since the last rebuild.
 */
export async function readFacts(db: Queryable, f: Filters, o: FactsOptions): Promise<Row[]> {
  const p = o.plan ?? plan(f, o.now ?? new Date(), true, o.dirty);
  const keyed = keyedBy(f, ALL_KEYS)!;
  const columns = cols(FACT_COLUMNS);
  const branches: SQL[] = [];
  const add = (part: 1 | 2) => {
    const day = part === 1 ? sql`"day"` : sql`"resolved_day"`;
    const tag = sql.raw(String(part));
    for (const [a, b] of p.days) {
      branches.push(sql`select ${day} as "day", ${columns}, ${tag} as part from analytics_facts
        where ${day} >= ${a}::date and ${day} < ${b}::date and ${keyed}`);
    }
    for (const [a, b] of p.raw) {
      branches.push(sql`select ${day} as "day", ${columns}, ${tag} as part
        from (${factRows(a, b, sliceCondition(f), part === 1 ? "created" : "resolved")}) s`);
    }
  };
  add(1);
  if (!o.kinds && o.sums?.includes("resolved_on_day")) add(2);
  if (branches.length === 0) return [];
  const rows = sql.join(branches, sql` union all `);
  const shown = o.by.map((n) => (n === "day" ? `to_char("day", 'YYYY-MM-DD') as "day"` : `"${n}"`));
  const group = (extra: string[]) => {
    const keys = [...o.by.map((n) => `"${n}"`), ...extra];
    return sql.raw(keys.length ? `group by ${keys.join(", ")}` : "");
  };
  if (o.kinds) {
    const kinds = sql.join(
      o.kinds.map((k) => sql`${k}`),
      sql`, `,
    );
    if (o.kinds.length === 1) {
      // One kind: its column straight, without doubling the rows.
      const column = o.kinds[0] === 1 ? "first_minutes" : "resolve_minutes";
      const select = sql.raw([...shown, `${o.kinds[0]} as kind`, `"${column}" as minutes`, "count(*) as n"].join(", "));
      return all(
        db,
        sql`select ${select} from (${rows}) u where ${sql.raw(`"${column}"`)} is not null ${group([`"${column}"`])}`,
      );
    }
    const select = sql.raw([...shown, "t.kind", "t.minutes", "count(*) as n"].join(", "));
    return all(
      db,
      sql`select ${select} from (${rows}) u
        cross join lateral (values (1, u.first_minutes), (2, u.resolve_minutes)) as t(kind, minutes)
        where t.minutes is not null and t.kind in (${kinds}) ${group(["t.kind", "t.minutes"])}`,
    );
  }
  const sums = (o.sums ?? []).map((n) => {
    const expr = FACT_SUMS[n];
    if (!expr) throw new Error(`analytics_facts cannot sum ${n}`);
    return `${expr} as "${n}"`;
  });
  const select = sql.raw([...shown, ...sums].join(", ") || "count(*)");
  const out = await all(db, sql`select ${select} from (${rows}) u ${group([])}`);
  for (const r of out) for (const n of o.sums ?? []) r[n] = Number(r[n] ?? 0);
  return out;
}

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

/** Every rollup; the facts before the time histograms, whose months are summed from them. */
export const SPECS = [FACTS, DAILY, DAILY_REGION, HOURS, REGION_HOURS, REGIONS, OPERATORS, TIMES, CALLS];

// ---- Periods: which parts come from day rows, month rows and the raw tables ----

const iso = (d: DateTime) => d.toISODate()!;
const mskDay = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).startOf("day");
const instant = (day: string) => DateTime.fromISO(day, { zone: ZONE }).toJSDate();

export type Plan = {
  /** Day rows: [from, to) Moscow dates. */
  days: [string, string][];
  /** Month rows: [first month, month after the last). */
  months: [string, string][];
  /** Raw rows: [from, to) instants (the current day and after, and past days changed since the last rebuild). */
  raw: [Date, Date][];
  /**
   * Day rows of changed days inside the month rows: the month counts them as they were at the last rebuild, as do
   * their day rows (both untouched since), so they are subtracted; the days themselves are read raw.
   */
  stale: [string, string][];
};

/**
 * Splits a period into whole months already over (month rows), the other past days (day rows) and the current
 * day (raw rows). Days marked as changed and not yet rebuilt (`dirty`) are read raw: outside whole months instead of
 * their day rows, inside them besides the month row, with their day rows subtracted (`stale`). A period that does
 * not start and end at Moscow midnights is read raw. `wholeDays` asks for day rows only (the daily series).
 */
export function plan(f: Filters, now: Date, wholeDays = false, dirty: ReadonlySet<string> = new Set()): Plan {
  const from = mskDay(f.from);
  const to = mskDay(f.to);
  const out: Plan = { days: [], months: [], raw: [], stale: [] };
  if (+from.toJSDate() !== +f.from || +to.toJSDate() !== +f.to) return { ...out, raw: [[f.from, f.to]] };
  const today = mskDay(now);
  const end = to < today ? to : today;
  if (to > today) out.raw.push([(from > today ? from : today).toJSDate(), f.to]);
  if (from >= end) return out;
  /** Adds [a, a + 1 day) to a list of ranges, joining it to the last one when they touch. */
  const extend = <T>(list: [T, T][], a: DateTime, as: (d: DateTime) => T) => {
    const last = list[list.length - 1];
    if (last && String(last[1]) === String(as(a))) last[1] = as(a.plus({ days: 1 }));
    else list.push([as(a), as(a.plus({ days: 1 }))]);
  };
  const instantOf = (d: DateTime) => d.toJSDate();
  let m1 = from.startOf("month");
  if (m1 < from) m1 = m1.plus({ months: 1 });
  const m2 = end.startOf("month");
  const spans: [DateTime, DateTime][] = [];
  if (wholeDays || m1 >= m2) spans.push([from, end]);
  else {
    if (from < m1) spans.push([from, m1]);
    for (let m = m1; m < m2; m = m.plus({ months: 1 })) {
      const next = m.plus({ months: 1 });
      const last = out.months[out.months.length - 1];
      if (last && last[1] === iso(m)) last[1] = iso(next);
      else out.months.push([iso(m), iso(next)]);
      for (let d = m; d < next; d = d.plus({ days: 1 })) {
        if (!dirty.has(iso(d))) continue;
        extend(out.stale, d, iso);
        extend(out.raw, d, instantOf);
      }
    }
    if (m2 < end) spans.push([m2, end]);
  }
  // Day rows, but changed days raw (neighbouring ones together).
  for (const [a, b] of spans) {
    let run: DateTime | null = null;
    for (let d = a; d < b; d = d.plus({ days: 1 })) {
      if (dirty.has(iso(d))) {
        if (run) out.days.push([iso(run), iso(d)]);
        run = null;
        extend(out.raw, d, instantOf);
      } else if (!run) run = d;
    }
    if (run) out.days.push([iso(run), iso(b)]);
  }
  return out;
}

/** The table's rows for the plan: one index range per part, so that each reads only its own days. */
function planned(table: string, p: Plan, where: SQL): SQL {
  const t = sql.raw(table);
  const parts: SQL[] = p.days.map(
    ([a, b]) => sql`select * from ${t} where "span" = 1 and "day" >= ${a}::date and "day" < ${b}::date and ${where}`,
  );
  for (const [a, b] of p.months) {
    parts.push(sql`select * from ${t} where "span" = 2 and "day" >= ${a}::date and "day" < ${b}::date and ${where}`);
  }
  return sql.join(parts, sql` union all `);
}

export type ReadOptions = {
  /** Group by these columns (of the table); the day rows' `day` may be among them. */
  by: string[];
  /** The summed columns wanted (all of the first table's by default). */
  sums?: string[];
  /** Extra condition on the table's rows, e.g. the histogram cube. */
  where?: SQL;
  wholeDays?: boolean;
  now?: Date;
  /** Past days changed since the last rebuild: read raw (see `pending`). */
  dirty?: ReadonlySet<string>;
};

/**
 * The table's sums for the period and filters, grouped: from the first rollup keyed by every filter where it holds
 * the period, from the raw tables (through the same statement that builds the rollup) for the rest; when no rollup
 * is keyed by every filter, from the facts.
 */
export async function read(db: Queryable, specs: Spec | Spec[], f: Filters, o: ReadOptions): Promise<Row[]> {
  const now = o.now ?? new Date();
  const list = Array.isArray(specs) ? specs : [specs];
  const wanted = o.sums ?? list[0]!.sums;
  const spec = list.find((s) => s.keyed(f) !== null);
  if (!spec) {
    if (o.where) throw new Error(`${list[0]!.table}: a condition on its own rows cannot be read from the facts`);
    return readFacts(db, f, { by: o.by, sums: wanted, now, dirty: o.dirty });
  }
  const keyed = spec.keyed(f)!;
  const p = plan(f, now, o.wholeDays, o.dirty);
  const extra = o.where ?? sql`true`;
  const group = o.by.length ? sql`group by ${cols(o.by)}` : sql``;
  const shown = sql.raw(o.by.map((n) => (n === "day" ? `to_char("day", 'YYYY-MM-DD') as "day"` : `"${n}"`)).join(", "));
  const select = o.by.length ? sql`${shown}, ${sums(wanted)}` : sums(wanted);
  const parts: Promise<Row[]>[] = [];
  if (p.days.length || p.months.length) {
    parts.push(all(db, sql`select ${select} from (${planned(spec.table, p, sql`${keyed} and ${extra}`)}) t ${group}`));
  }
  if (p.stale.length) {
    const negated = sql.raw(wanted.map((n) => `-sum("${n}") as "${n}"`).join(", "));
    const stale = planned(spec.table, { ...p, days: p.stale, months: [] }, sql`${keyed} and ${extra}`);
    parts.push(all(db, sql`select ${o.by.length ? sql`${shown}, ${negated}` : negated} from (${stale}) t ${group}`));
  }
  for (const [a, b] of p.raw) {
    parts.push(all(db, sql`select ${select} from (${spec.source(a, b, spec.raw(f))}) s where ${extra} ${group}`));
  }
  const results = (await Promise.all(parts)).flat();
  // A rollup part and a raw part of the same key are one row.
  return merge(results, o.by, wanted);
}

/** Rows of several parts as one row per key (`by`), their `sums` added up. */
export function merge(rows: Row[], by: string[], sums: string[]): Row[] {
  const merged = new Map<string, Row>();
  for (const r of rows) {
    const key = JSON.stringify(by.map((k) => (r[k] === null || r[k] === undefined ? null : String(r[k]))));
    const m = merged.get(key);
    if (!m) {
      const row: Row = { ...r };
      for (const s of sums) row[s] = Number(r[s] ?? 0);
      merged.set(key, row);
    } else for (const s of sums) m[s] = Number(m[s]) + Number(r[s] ?? 0);
  }
  return [...merged.values()];
}

// ---- Rebuilding ----

// Advisory locks are per database: the key names the schema, so that schemas sharing a server do not wait on each other.
const LOCK = sql`select pg_advisory_xact_lock(hashtext('otklik-analytics-rollup:' || current_schema()))`;

async function buildDays(db: Queryable, spec: Spec, from: string, to: string) {
  if (spec.days === false) return;
  await db.execute(
    sql`delete from ${sql.raw(spec.table)} where "span" = 1 and "day" >= ${from}::date and "day" < ${to}::date`,
  );
  const columns = ["day", ...spec.keys, ...spec.sums];
  await db.execute(sql`insert into ${sql.raw(spec.table)} ("span", ${cols(columns)})
    select 1, ${cols(columns)} from (${spec.source(instant(from), instant(to), sql`true`)}) s order by ${cols(spec.order ?? ["day"])}`);
}

async function buildMonth(db: Queryable, spec: Spec, month: string) {
  await db.execute(sql`delete from ${sql.raw(spec.table)} where "span" = 2 and "day" = ${month}::date`);
  const next = iso(DateTime.fromISO(month, { zone: ZONE }).plus({ months: 1 }));
  if (typeof spec.months === "function") {
    const columns = ["day", ...spec.keys, ...spec.sums];
    await db.execute(sql`insert into ${sql.raw(spec.table)} ("span", ${cols(columns)})
      select 2, ${cols(columns)} from (${spec.months(month, next)}) s order by ${cols(spec.order ?? ["day"])}`);
    return;
  }
  await db.execute(sql`insert into ${sql.raw(spec.table)} ("span", "day", ${cols([...spec.keys, ...spec.sums])})
    select 2, ${month}::date, ${cols(spec.keys)}, ${sums(spec.sums)} from ${sql.raw(spec.table)}
    where "span" = 1 and "day" >= ${month}::date and "day" < ${next}::date
    group by ${cols(spec.keys)}`);
}

export type RebuildReport = { days: number; months: number; through: string | null; done: boolean };

/**
 * Brings the rollups up to date: the days marked as changed, every day that ended since the last rebuild (all of
 * them the first time: the backfill) and their months. One rebuild at a time (an advisory lock); safe to repeat.
 * `all` rebuilds every day from the first request or call on; `limit` builds at most that many new days in this
 * transaction (`done` tells whether more remain), so that a backfill does not hold the database in one piece.
 */
export async function rebuild(
  db: Queryable,
  opts: { now?: Date; all?: boolean; limit?: number } = {},
): Promise<RebuildReport> {
  const today = mskDay(opts.now ?? new Date());
  const yesterday = today.minus({ days: 1 });
  return db.transaction(async (tx) => {
    await tx.execute(LOCK);
    const dirty = await all(
      tx,
      sql`delete from analytics_rollup_dirty where day < ${iso(today)}::date returning to_char(day, 'YYYY-MM-DD') as day`,
    );
    const [state] = await all(tx, sql`select to_char(through, 'YYYY-MM-DD') as through from analytics_rollup_state`);
    let first: DateTime | null = null;
    if (opts.all || !state?.through) {
      const [row] = await all(
        tx,
        sql`select to_char(least((select min(created_at) from requests), (select min(started_at) from phone_calls))
          at time zone ${ZONE}, 'YYYY-MM-DD') as d`,
      );
      if (row?.d) first = DateTime.fromISO(String(row.d), { zone: ZONE });
    } else first = DateTime.fromISO(String(state.through), { zone: ZONE }).plus({ days: 1 });
    let last: DateTime = yesterday;
    if (first && opts.limit && first.plus({ days: opts.limit - 1 }) < last) last = first.plus({ days: opts.limit - 1 });
    const through = first && first <= last ? last : first ? first.minus({ days: 1 }) : yesterday;
    const days = new Set(dirty.map((r) => String(r.day)));
    for (let d = first; d && d <= last; d = d.plus({ days: 1 })) days.add(iso(d));
    // Contiguous runs of days, each rebuilt by one statement per table.
    const sorted = [...days].sort();
    const runs: [string, string][] = [];
    for (const d of sorted) {
      const next = iso(DateTime.fromISO(d, { zone: ZONE }).plus({ days: 1 }));
      const run = runs[runs.length - 1];
      if (run && run[1] === d) run[1] = next;
      else runs.push([d, next]);
    }
    for (const [a, b] of runs) for (const spec of SPECS) await buildDays(tx, spec, a, b);
    // A month is summed once all its days are built.
    const months = new Set<string>();
    for (const d of sorted) {
      const m = DateTime.fromISO(d, { zone: ZONE }).startOf("month");
      if (m.plus({ months: 1 }) <= through.plus({ days: 1 })) months.add(iso(m));
    }
    for (const m of months) for (const spec of SPECS) if (spec.months !== false) await buildMonth(tx, spec, m);
    // After a backfill the planner must know the tables' new sizes.
    if (sorted.length > 7) for (const spec of SPECS) await tx.execute(sql`analyze ${sql.raw(spec.table)}`);
    await tx.execute(sql`insert into analytics_rollup_state (id, through, built_at) values (1, ${iso(through)}::date, now())
      on conflict (id) do update set through = excluded.through, built_at = excluded.built_at`);
    return { days: sorted.length, months: months.size, through: iso(through), done: through >= yesterday };
  });
}

/** The whole backfill, a month of days per transaction. */
export async function rebuildAll(db: Queryable, opts: { now?: Date; all?: boolean } = {}) {
  let out = await rebuild(db, { ...opts, limit: 31 });
  const total = { days: out.days, months: out.months };
  while (!out.done) {
    out = await rebuild(db, { now: opts.now, limit: 31 });
    total.days += out.days;
    total.months += out.months;
  }
  return { ...total, through: out.through };
}

/** Up to this many changed days a period board reads raw; more, and it waits for a rebuild first. */
const RAW_DAYS = 3;

/**
 * Before a period board: builds the days that ended since the last rebuild (or everything, the first time), and
 * answers the past days changed since the last rebuild, which the board then reads raw (the minute clock rebuilds
 * them) — or, when there are more than a few, rebuilds them first. Either way a board never shows a stale figure.
 */
export async function pending(db: Queryable, now = new Date()): Promise<Set<string>> {
  const today = iso(mskDay(now));
  const changed = async () =>
    new Set(
      (
        await all(
          db,
          sql`select distinct to_char(day, 'YYYY-MM-DD') as day from analytics_rollup_dirty where day < ${today}::date`,
        )
      ).map((r) => String(r.day)),
    );
  const [row] = await all(
    db,
    sql`select (select through from analytics_rollup_state where id = 1) >= ${today}::date - 1 as current`,
  );
  if (!row?.current) await rebuildAll(db, { now });
  const dirty = await changed();
  if (dirty.size <= RAW_DAYS) return dirty;
  await rebuildAll(db, { now });
  return changed();
}

/** Rebuilds when a past day is marked as changed or has not been built yet (cheap to ask): the minute clock. */
export async function ensureBuilt(db: Queryable, now = new Date()) {
  const today = iso(mskDay(now));
  const [row] = await all(
    db,
    sql`select exists (select 1 from analytics_rollup_dirty where day < ${today}::date) as dirty,
      (select through from analytics_rollup_state where id = 1) >= ${today}::date - 1 as current`,
  );
  if (row?.dirty || !row?.current) await rebuildAll(db, { now });
}
