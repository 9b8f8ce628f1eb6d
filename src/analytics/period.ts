// The measures of docs/METRICS.md for a period, read from the rollups (rollup.ts) with the raw tables filling in
// the current day, the slices a rollup is not keyed by, and the SLA counts that change with the clock. Each returns
// the same shape as its raw twin in measures.ts; the test rollup.test.ts holds them equal on the same data.
import { sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { readFacts } from "./facts.ts";
import { createdIn, type Filters } from "./filters.ts";
import type { Calls, DayPoint, RegionRow, Summary, Volume } from "./measures.ts";
import { daySeries, tableExists } from "./measures.ts";
import { merge, plan } from "./rollup-plan.ts";
import { read } from "./rollup-read.ts";
import {
  all,
  CALLS,
  CUBES,
  DAILY,
  DAILY_REGION,
  HOURS,
  keyedBy,
  OPERATORS,
  REGION_HOURS,
  REGIONS,
  REQUESTS,
  type Spec,
} from "./rollup-specs.ts";

type Row = Record<string, unknown>;
const share = (part: unknown, whole: unknown) => (Number(whole) > 0 ? Number(part) / Number(whole) : null);
const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A percentile over a histogram of (value, count), interpolated between neighbours exactly as PostgreSQL's
 * percentile_cont does over the values themselves.
 */
export function percentile(hist: [number, number][], p: number): number | null {
  const sorted = hist.filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = p * (total - 1);
  const at = (i: number) => {
    let seen = 0;
    for (const [v, n] of sorted) {
      seen += n;
      if (i < seen) return v;
    }
    return sorted[sorted.length - 1]![0];
  };
  const lo = Math.floor(rank);
  const a = at(lo);
  const b = at(Math.ceil(rank));
  return a + (rank - lo) * (b - a);
}

/**
 * Histograms (by…, kind, minutes, n) of first-response (kind 1) and resolution (kind 2) times. The whole months of
 * the period come from the first of `cubes` keyed by every filter, its days from the facts; with no such cube, the
 * whole period comes from the facts.
 */
async function histograms(
  db: Queryable,
  f: Filters,
  cubes: (keyof typeof CUBES)[],
  by: string[],
  now = new Date(),
  dirty?: ReadonlySet<string>,
  kinds = [1, 2],
): Promise<Row[]> {
  const cube = cubes.map((name) => CUBES[name]).find((c) => keyedBy(f, c.keys) !== null);
  if (!cube) return readFacts(db, f, { by, kinds, now, dirty });
  const p = plan(f, now, false, dirty);
  const list = (values: number[]) =>
    sql.join(
      values.map((v) => sql`${v}`),
      sql`, `,
    );
  const keys = sql.raw([...by, "kind", "minutes"].map((n) => `"${n}"`).join(", "));
  const parts: Promise<Row[]>[] = [readFacts(db, f, { by, kinds, plan: p })];
  // Changed days inside the months: the month row counts their facts as they were; take those out.
  if (p.stale.length) {
    const negated = (rows: Row[]) => rows.map((r) => ({ ...r, n: -Number(r.n) }));
    parts.push(readFacts(db, f, { by, kinds, plan: { days: p.stale, raw: [] } }).then(negated));
  }
  for (const [a, b] of p.months) {
    parts.push(
      all(
        db,
        sql`select ${keys}, sum("n") as n from analytics_daily_times
          where "cube" = ${cube.cube} and "span" = 2 and "day" >= ${a}::date and "day" < ${b}::date
            and "kind" in (${list(kinds)}) and ${keyedBy(f, cube.keys)} group by ${keys}`,
      ),
    );
  }
  // One row per (by…, kind, minutes), the parts added up (a month's stale days may take a bucket to nothing).
  return merge((await Promise.all(parts)).flat(), [...by, "kind", "minutes"], ["n"]).filter((r) => Number(r.n) > 0);
}

/** Unanswered and unresolved requests of the period whose deadline has passed: they count as missed. */
async function overdue(db: Queryable, f: Filters, by?: "region") {
  const group = by ? sql`r.region` : sql`null::text`;
  return rowsOf<Row>(
    await db.execute(sql`select ${group} as key,
        count(*) filter (where r.first_responded_at is null and r.first_response_due_at < now()) as first_response,
        count(*) filter (where r.resolved_at is null and r.resolution_due_at < now()) as resolution
      from requests r where (r.first_responded_at is null or r.resolved_at is null) and ${createdIn(f)}
      group by 1`),
  );
}

/** What the summary sums of the requests rollup: everything but the daily series and the escalation table's. */
const SUMMARY_SUMS = DAILY.sums.filter((n) => !["resolved_on_day", "escalated", "first_contact"].includes(n));

export async function summary(db: Queryable, f: Filters, now?: Date, dirty?: ReadonlySet<string>): Promise<Summary> {
  const [totals, hist, late] = await Promise.all([
    read(db, REQUESTS, f, { by: [], sums: SUMMARY_SUMS, now, dirty }),
    histograms(db, f, ["all", "slices", "regionDepartment", "regionChannel"], [], now, dirty),
    overdue(db, f),
  ]);
  const t = totals[0] ?? {};
  const v = (k: string) => Number(t[k] ?? 0);
  const of = (kind: number) =>
    hist.filter((h) => Number(h.kind) === kind).map((h) => [Number(h.minutes), Number(h.n)] as [number, number]);
  const frLate = Number(late[0]?.first_response ?? 0);
  const resLate = Number(late[0]?.resolution ?? 0);
  const fr = of(1);
  const res = of(2);
  return {
    created: v("created"),
    resolved: v("resolved"),
    firstResponse: { median: round(percentile(fr, 0.5)), p90: round(percentile(fr, 0.9)) },
    resolution: { median: round(percentile(res, 0.5)), p90: round(percentile(res, 0.9)) },
    sla: {
      firstResponse: share(v("first_response_met"), v("first_response_done") + frLate),
      resolution: share(v("resolution_met"), v("resolution_done") + resLate),
      firstResponseCounted: v("first_response_done") + frLate,
      resolutionCounted: v("resolution_done") + resLate,
    },
    rating: {
      count: v("rated"),
      average: v("rated") > 0 ? round(v("rating_sum") / v("rated"), 2) : null,
      distribution: [v("r1"), v("r2"), v("r3"), v("r4"), v("r5")],
    },
  };
}

export async function volume(
  db: Queryable,
  f: Filters,
  now?: Date,
  dirty?: ReadonlySet<string>,
  shared?: Shared,
): Promise<Volume> {
  const [slices, { rows: regions }, hours] = await Promise.all([
    read(db, REQUESTS, f, { by: ["channel", "category", "audience"], sums: ["created"], now, dirty }),
    table(db, f, [REGIONS, DAILY_REGION], REGION_CUBES, "region", { times: false, now, dirty, shared }),
    read(db, [HOURS, REGION_HOURS], f, { by: ["dow", "hour"], now, dirty }),
  ]);
  const out: Volume = {
    channel: [],
    category: [],
    audience: [],
    region: [],
    hour: Array(24).fill(0),
    heat: Array.from({ length: 7 }, () => Array(24).fill(0)),
  };
  const count = (rows: Row[], k: string, n: string) => {
    const m = new Map<string, number>();
    for (const r of rows) {
      if (Number(r[n]) === 0) continue;
      const key = r[k] === null || r[k] === undefined ? "—" : String(r[k]);
      m.set(key, (m.get(key) ?? 0) + Number(r[n]));
    }
    return [...m].map(([key, c]) => ({ key, count: c })).sort((a, b) => b.count - a.count || byKey(a.key, b.key));
  };
  out.channel = count(slices, "channel", "created");
  out.category = count(slices, "category", "created");
  out.audience = count(slices, "audience", "created");
  out.region = count(regions, "region", "created");
  for (const r of hours) {
    const n = Number(r.n);
    const h = Number(r.hour);
    out.hour[h] = (out.hour[h] ?? 0) + n;
    const row = out.heat[Number(r.dow)]!;
    row[h] = (row[h] ?? 0) + n;
  }
  return out;
}

export async function daily(db: Queryable, f: Filters, now?: Date, dirty?: ReadonlySet<string>): Promise<DayPoint[]> {
  const rows = await read(db, REQUESTS, f, {
    by: ["day", "channel"],
    sums: ["created", "resolved_on_day"],
    wholeDays: true,
    now,
    dirty,
  });
  const { at, list } = daySeries(f);
  for (const r of rows) {
    const p = at(String(r.day));
    const created = Number(r.created);
    p.created += created;
    if (created > 0) p.byChannel[String(r.channel)] = (p.byChannel[String(r.channel)] ?? 0) + created;
    p.resolved += Number(r.resolved_on_day);
  }
  return list();
}

function medians(hist: Row[], key: string, kind: number) {
  const per = new Map<string, [number, number][]>();
  for (const h of hist) {
    if (Number(h.kind) !== kind) continue;
    const k = h[key] === null || h[key] === undefined ? "—" : String(h[key]);
    const list = per.get(k) ?? [];
    per.set(k, list);
    list.push([Number(h.minutes), Number(h.n)]);
  }
  return new Map([...per].map(([k, list]) => [k, percentile(list, 0.5)]));
}

/** Reads one board shares between its parts (the table by region's counts are the volume's too). */
export type Shared = Map<string, Promise<Row[]>>;

const REGION_CUBES: (keyof typeof CUBES)[] = ["regions", "regionDepartment", "regionChannel"];

/**
 * A table's sums by `key` and, with `times`, its resolution-time histogram by the same key. When neither a rollup
 * nor a cube is keyed by the filters, one pass over the facts grouped by the key and the resolution time gives both
 * (shared through `shared` by the parts of one board that ask for the same table).
 */
async function table(
  db: Queryable,
  f: Filters,
  specs: Spec[],
  cubes: (keyof typeof CUBES)[],
  key: string,
  o: { times: boolean; now?: Date; dirty?: ReadonlySet<string>; shared?: Shared },
): Promise<{ rows: Row[]; hist: Row[] }> {
  const sums = specs[0]!.sums;
  const keyed = specs.some((x) => x.keyed(f) !== null) || cubes.some((c) => keyedBy(f, CUBES[c].keys) !== null);
  if (keyed) {
    const [rows, hist] = await Promise.all([
      read(db, specs, f, { by: [key], sums, now: o.now, dirty: o.dirty }),
      o.times ? histograms(db, f, cubes, [key], o.now, o.dirty, [2]) : [],
    ]);
    return { rows, hist };
  }
  const id = `${specs[0]!.table}:${key}`;
  let grouped = o.shared?.get(id);
  if (!grouped) {
    grouped = readFacts(db, f, { by: [key, "resolve_minutes"], sums, now: o.now, dirty: o.dirty });
    o.shared?.set(id, grouped);
  }
  const rows = new Map<string, Row>();
  const hist: Row[] = [];
  for (const g of await grouped) {
    const k = g[key] === null || g[key] === undefined ? null : String(g[key]);
    const row = rows.get(String(k)) ?? { [key]: k, ...Object.fromEntries(sums.map((n) => [n, 0])) };
    rows.set(String(k), row);
    for (const n of sums) row[n] = Number(row[n]) + Number(g[n]);
    // A resolution time is there exactly when the request is resolved: the group's requests are the histogram's.
    if (g.resolve_minutes !== null) hist.push({ [key]: k, kind: 2, minutes: g.resolve_minutes, n: g.created });
  }
  return { rows: [...rows.values()], hist };
}

export async function byRegion(
  db: Queryable,
  f: Filters,
  now?: Date,
  dirty?: ReadonlySet<string>,
  shared?: Shared,
): Promise<RegionRow[]> {
  const [{ rows, hist }, late] = await Promise.all([
    table(db, f, [REGIONS, DAILY_REGION], REGION_CUBES, "region", { times: true, now, dirty, shared }),
    overdue(db, f, "region"),
  ]);
  const med = medians(hist, "region", 2);
  const lateBy = new Map(late.map((r) => [r.key === null ? "—" : String(r.key), Number(r.resolution)]));
  return rows
    .filter((r) => Number(r.created) > 0)
    .map((r) => {
      const region = r.region === null ? "—" : String(r.region);
      return {
        region,
        created: Number(r.created),
        resolved: Number(r.resolved),
        resolutionMedian: round(med.get(region) ?? null),
        slaResolution: share(r.resolution_met, Number(r.resolution_done) + (lateBy.get(region) ?? 0)),
        ratingAverage: Number(r.rated) > 0 ? round(Number(r.rating_sum) / Number(r.rated), 2) : null,
      };
    })
    .sort((a, b) => b.created - a.created || byKey(a.region, b.region));
}

export async function escalationAndFcr(db: Queryable, f: Filters, now?: Date, dirty?: ReadonlySet<string>) {
  const [rows, depts] = await Promise.all([
    read(db, REQUESTS, f, {
      by: ["department_id"],
      sums: ["created", "escalated", "resolved", "first_contact"],
      now,
      dirty,
    }),
    db.execute(sql`select id, code, name from departments`),
  ]);
  const names = new Map(rowsOf<Row>(depts).map((d) => [Number(d.id), d]));
  const departments = rows
    .filter((r) => Number(r.created) > 0)
    .map((r) => {
      const d = r.department_id === null ? undefined : names.get(Number(r.department_id));
      return {
        department: d ? String(d.code) : "—",
        name: d ? String(d.name) : "Без подразделения",
        requests: Number(r.created),
        escalated: Number(r.escalated),
        escalationRate: share(r.escalated, r.created),
        resolved: Number(r.resolved),
        firstContact: Number(r.first_contact),
      };
    })
    .sort((a, b) => b.requests - a.requests || byKey(a.department, b.department));
  const sum = (k: "requests" | "escalated" | "resolved" | "firstContact") => departments.reduce((s, d) => s + d[k], 0);
  return {
    escalationRate: share(sum("escalated"), sum("requests")),
    escalated: sum("escalated"),
    departments: departments.map(({ resolved: _r, firstContact: _f, ...d }) => d),
    firstContactResolution: share(sum("firstContact"), sum("resolved")),
    firstContactResolved: sum("firstContact"),
  };
}

export async function byOperator(db: Queryable, f: Filters, now?: Date, dirty?: ReadonlySet<string>) {
  const { rows, hist } = await table(db, f, [OPERATORS], ["operators"], "assignee_id", { times: true, now, dirty });
  const med = medians(hist, "assignee_id", 2);
  const ids = rows.filter((r) => Number(r.created) > 0).map((r) => Number(r.assignee_id));
  const users = ids.length
    ? rowsOf<Row>(
        await db.execute(
          sql`select id, name from users where id in (${sql.join(
            ids.map((i) => sql`${i}`),
            sql`, `,
          )})`,
        ),
      )
    : [];
  const name = new Map(users.map((u) => [Number(u.id), String(u.name)]));
  return rows
    .filter((r) => Number(r.created) > 0 && name.has(Number(r.assignee_id)))
    .map((r) => ({
      operatorId: Number(r.assignee_id),
      name: name.get(Number(r.assignee_id))!,
      requests: Number(r.created),
      resolved: Number(r.resolved),
      resolutionMedian: round(med.get(String(r.assignee_id)) ?? null),
      ratingAverage: Number(r.rated) > 0 ? round(Number(r.rating_sum) / Number(r.rated), 2) : null,
    }))
    .sort((a, b) => b.requests - a.requests || byKey(a.name, b.name))
    .slice(0, 500);
}

export async function calls(db: Queryable, f: Filters, now?: Date, dirty?: ReadonlySet<string>): Promise<Calls | null> {
  if (!(await tableExists(db, "phone_calls"))) return null;
  const [r = {}] = await read(db, CALLS, f, { by: [], now, dirty });
  const v = (k: string) => Number(r[k] ?? 0);
  return {
    offered: v("offered"),
    answered: v("answered"),
    abandoned: v("abandoned"),
    abandonRate: share(v("abandoned"), v("offered")),
    averageSpeedOfAnswer: v("answered") > 0 ? round(v("answer_seconds") / v("answered")) : null,
    averageHandlingTime: v("handled") > 0 ? round(v("handling_seconds") / v("handled")) : null,
    serviceLevel: share(v("in_level"), v("offered")),
  };
}
