// One narrow row per request (analytics_facts): what no rollup is keyed by — a region with a time histogram, an
// employee's times — is summed from them for the period asked.
import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { type Filters, sliceCondition, ZONE } from "./filters.ts";
import { type Plan, plan } from "./rollup-plan.ts";
import {
  all,
  BUCKET,
  cols,
  DAY_OF,
  FIRST_MIN,
  HISTORY,
  keyedBy,
  RESOLVE_MIN,
  type Row,
  SLICE_KEYS,
  type Spec,
  ts,
} from "./rollup-specs.ts";

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
