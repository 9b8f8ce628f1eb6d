// Each measure of docs/METRICS.md as one SQL statement over the requests table (aliased `r`). Times are in
// minutes; shares are fractions 0…1 (null when there is nothing to divide by). Every statement reads only
// the period's rows through the created_at index, so the cost grows with the period, not with the table.
import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { createdIn, type Filters, sliceCondition, ZONE } from "./filters.ts";

async function all<T>(db: Queryable, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const share = (part: unknown, whole: unknown) => (Number(whole) > 0 ? Number(part) / Number(whole) : null);
const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function pair(v: unknown): [number | null, number | null] {
  if (v === null || v === undefined) return [null, null];
  const list = Array.isArray(v) ? v : String(v).replace(/[{}]/g, "").split(",");
  return [num(list[0]), num(list[1])];
}

const FIRST_MIN = sql`date_part('epoch', r.first_responded_at - r.created_at) / 60`;
const RESOLVE_MIN = sql`date_part('epoch', r.resolved_at - r.created_at) / 60`;

export type Summary = {
  created: number;
  resolved: number;
  firstResponse: { median: number | null; p90: number | null };
  resolution: { median: number | null; p90: number | null };
  sla: {
    firstResponse: number | null;
    resolution: number | null;
    firstResponseCounted: number;
    resolutionCounted: number;
  };
  rating: { count: number; average: number | null; distribution: number[] };
};

/** Volume, times, SLA compliance and rating of the requests registered in the period. */
export async function summary(db: Queryable, f: Filters): Promise<Summary> {
  const [row] = await all<Record<string, unknown>>(
    db,
    sql`select count(*) as created,
      count(r.resolved_at) as resolved,
      percentile_cont(array[0.5, 0.9]) within group (order by ${FIRST_MIN}) as fr,
      percentile_cont(array[0.5, 0.9]) within group (order by ${RESOLVE_MIN}) as res,
      count(*) filter (where r.first_response_due_at is not null
        and (r.first_responded_at is not null or r.first_response_due_at < now())) as fr_counted,
      count(*) filter (where r.first_responded_at <= r.first_response_due_at) as fr_met,
      count(*) filter (where r.resolution_due_at is not null
        and (r.resolved_at is not null or r.resolution_due_at < now())) as res_counted,
      count(*) filter (where r.resolved_at <= r.resolution_due_at) as res_met,
      count(r.rating) as rated, avg(r.rating) as rating_avg,
      count(*) filter (where r.rating = 1) as r1, count(*) filter (where r.rating = 2) as r2,
      count(*) filter (where r.rating = 3) as r3, count(*) filter (where r.rating = 4) as r4,
      count(*) filter (where r.rating = 5) as r5
    from requests r where ${createdIn(f)}`,
  );
  const r = row!;
  // One sort gives both percentiles; node-postgres answers the array as text, PGlite as an array.
  const [frMedian, frP90] = pair(r.fr);
  const [resMedian, resP90] = pair(r.res);
  return {
    created: Number(r.created),
    resolved: Number(r.resolved),
    firstResponse: { median: round(frMedian), p90: round(frP90) },
    resolution: { median: round(resMedian), p90: round(resP90) },
    sla: {
      firstResponse: share(r.fr_met, r.fr_counted),
      resolution: share(r.res_met, r.res_counted),
      firstResponseCounted: Number(r.fr_counted),
      resolutionCounted: Number(r.res_counted),
    },
    rating: {
      count: Number(r.rated),
      average: round(num(r.rating_avg), 2),
      distribution: [r.r1, r.r2, r.r3, r.r4, r.r5].map(Number),
    },
  };
}

export type Volume = {
  channel: { key: string; count: number }[];
  category: { key: string; count: number }[];
  audience: { key: string; count: number }[];
  region: { key: string; count: number }[];
  hour: number[];
  /** [weekday 0 = Monday … 6][hour 0…23] */
  heat: number[][];
};

/** Requests registered in the period by channel, category, audience, region, hour and weekday × hour. */
export async function volume(db: Queryable, f: Filters): Promise<Volume> {
  const rows = await all<{ dim: string; key: string | null; dow: number | null; hour: number | null; n: string }>(
    db,
    sql`select case grouping(r.channel, r.category, r.audience, r.region, l.dow, l.hour)
          when 31 then 'channel' when 47 then 'category' when 55 then 'audience' when 59 then 'region'
          when 62 then 'hour' else 'heat' end as dim,
        coalesce(r.channel, r.category, r.audience, r.region) as key, l.dow, l.hour, count(*) as n
      from requests r,
        lateral (select (date_part('isodow', r.created_at at time zone ${ZONE})::int - 1) as dow,
                        date_part('hour', r.created_at at time zone ${ZONE})::int as hour) l
      where ${createdIn(f)}
      group by grouping sets ((r.channel), (r.category), (r.audience), (r.region), (l.hour), (l.dow, l.hour))`,
  );
  const out: Volume = {
    channel: [],
    category: [],
    audience: [],
    region: [],
    hour: Array(24).fill(0),
    heat: Array.from({ length: 7 }, () => Array(24).fill(0)),
  };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.dim === "hour") out.hour[Number(r.hour)] = n;
    else if (r.dim === "heat") out.heat[Number(r.dow)]![Number(r.hour)] = n;
    else out[r.dim as "channel"].push({ key: r.key ?? "—", count: n });
  }
  for (const k of ["channel", "category", "audience", "region"] as const) out[k].sort((a, b) => b.count - a.count);
  return out;
}

export type DayPoint = { day: string; created: number; resolved: number; byChannel: Record<string, number> };

/**
 * The period's Moscow days, each present even when nothing happened on it; `at` gives (or adds) a day's point and
 * `list` the points in order.
 */
export function daySeries(f: Filters) {
  const days = new Map<string, DayPoint>();
  const at = (day: string) => {
    let p = days.get(day);
    if (!p) {
      p = { day, created: 0, resolved: 0, byChannel: {} };
      days.set(day, p);
    }
    return p;
  };
  for (let t = f.from.getTime(); t < f.to.getTime(); t += 86_400_000) {
    at(new Date(t + 3 * 3_600_000).toISOString().slice(0, 10));
  }
  return { at, list: () => [...days.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)) };
}

/** Per Moscow day: requests registered (by channel) and requests resolved that day. */
export async function daily(db: Queryable, f: Filters): Promise<DayPoint[]> {
  const [created, resolved] = await Promise.all([
    all<{ day: string; channel: string; n: string }>(
      db,
      sql`select to_char(r.created_at at time zone ${ZONE}, 'YYYY-MM-DD') as day, r.channel, count(*) as n
        from requests r where ${createdIn(f)} group by 1, 2`,
    ),
    all<{ day: string; n: string }>(
      db,
      sql`select to_char(r.resolved_at at time zone ${ZONE}, 'YYYY-MM-DD') as day, count(*) as n
        from requests r
        where r.resolved_at >= ${f.from.toISOString()}::timestamptz and r.resolved_at < ${f.to.toISOString()}::timestamptz
          and ${sliceCondition(f)}
        group by 1`,
    ),
  ]);
  const { at, list } = daySeries(f);
  for (const r of created) {
    const p = at(r.day);
    p.created += Number(r.n);
    p.byChannel[r.channel] = Number(r.n);
  }
  for (const r of resolved) at(r.day).resolved = Number(r.n);
  return list();
}

export type RegionRow = {
  region: string;
  created: number;
  resolved: number;
  resolutionMedian: number | null;
  slaResolution: number | null;
  ratingAverage: number | null;
};

/** The table by region. */
export async function byRegion(db: Queryable, f: Filters): Promise<RegionRow[]> {
  const rows = await all<Record<string, unknown>>(
    db,
    sql`select coalesce(r.region, '—') as region, count(*) as created, count(r.resolved_at) as resolved,
        percentile_cont(0.5) within group (order by ${RESOLVE_MIN}) as res_median,
        count(*) filter (where r.resolution_due_at is not null
          and (r.resolved_at is not null or r.resolution_due_at < now())) as res_counted,
        count(*) filter (where r.resolved_at <= r.resolution_due_at) as res_met,
        avg(r.rating) as rating_avg
      from requests r where ${createdIn(f)} group by 1 order by 2 desc, 1`,
  );
  return rows.map((r) => ({
    region: String(r.region),
    created: Number(r.created),
    resolved: Number(r.resolved),
    resolutionMedian: round(num(r.res_median)),
    slaResolution: share(r.res_met, r.res_counted),
    ratingAverage: round(num(r.rating_avg), 2),
  }));
}

export type DepartmentRow = {
  department: string;
  name: string;
  requests: number;
  escalated: number;
  escalationRate: number | null;
};

/**
 * Escalation rate and first-contact resolution. By department: requests of the period that are now with that
 * department, and how many of them came there by an escalation. The history is read only from the period's first
 * request id on (ids grow with registration), through the (action, request_id) index.
 */
export async function escalationAndFcr(db: Queryable, f: Filters) {
  const rows = await all<Record<string, unknown>>(
    db,
    sql`with p as (select r.id, r.department_id, r.resolved_at from requests r where ${createdIn(f)}),
      h as (
        select h.request_id, bool_or(h.action = 'escalated') as escalated
        from request_history h
        where h.action in ('escalated', 'applicant_replied') and h.request_id >= (select min(id) from p)
        group by h.request_id)
      select coalesce(d.code, '—') as code, coalesce(d.name, 'Без подразделения') as name, count(*) as n,
        count(*) filter (where h.escalated) as escalated,
        count(p.resolved_at) as resolved,
        count(*) filter (where p.resolved_at is not null and h.request_id is null) as first_contact
      from p left join h on h.request_id = p.id left join departments d on d.id = p.department_id
      group by 1, 2 order by 3 desc`,
  );
  const departmentsOut: DepartmentRow[] = rows.map((r) => ({
    department: String(r.code),
    name: String(r.name),
    requests: Number(r.n),
    escalated: Number(r.escalated),
    escalationRate: share(r.escalated, r.n),
  }));
  const sum = (k: string) => rows.reduce((s, r) => s + Number(r[k]), 0);
  const total = sum("n");
  const escalated = sum("escalated");
  return {
    escalationRate: share(escalated, total),
    escalated,
    departments: departmentsOut,
    firstContactResolution: share(sum("first_contact"), sum("resolved")),
    firstContactResolved: sum("first_contact"),
  };
}

export type Backlog = {
  open: number;
  byStatus: Record<string, number>;
  /** Open requests by age: under a day, 1–3 days, 3–7 days, over a week. */
  age: { under1d: number; d1to3: number; d3to7: number; over7d: number };
  medianAgeHours: number | null;
  oldestAgeHours: number | null;
  overdue: number;
};

/** Requests open now (any registration date), within the slices. */
export async function backlog(db: Queryable, f: Filters, now = new Date()): Promise<Backlog> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const age = sql`date_part('epoch', ${at} - r.created_at) / 3600`;
  const rows = await all<Record<string, unknown>>(
    db,
    sql`select r.status, count(*) as n,
        count(*) filter (where ${age} < 24) as a1, count(*) filter (where ${age} >= 24 and ${age} < 72) as a3,
        count(*) filter (where ${age} >= 72 and ${age} < 168) as a7, count(*) filter (where ${age} >= 168) as a8,
        count(*) filter (where r.resolution_due_at < ${at}) as overdue,
        max(${age}) as oldest
      from requests r where r.status not in ('resolved', 'closed') and ${sliceCondition(f)} group by 1`,
  );
  const [median] = await all<{ m: unknown }>(
    db,
    sql`select percentile_cont(0.5) within group (order by ${age}) as m
      from requests r where r.status not in ('resolved', 'closed') and ${sliceCondition(f)}`,
  );
  const out: Backlog = {
    open: 0,
    byStatus: {},
    age: { under1d: 0, d1to3: 0, d3to7: 0, over7d: 0 },
    medianAgeHours: round(num(median?.m)),
    oldestAgeHours: null,
    overdue: 0,
  };
  for (const r of rows) {
    out.open += Number(r.n);
    out.byStatus[String(r.status)] = Number(r.n);
    out.age.under1d += Number(r.a1);
    out.age.d1to3 += Number(r.a3);
    out.age.d3to7 += Number(r.a7);
    out.age.over7d += Number(r.a8);
    out.overdue += Number(r.overdue);
    out.oldestAgeHours = Math.max(out.oldestAgeHours ?? 0, round(num(r.oldest)) ?? 0);
  }
  return out;
}

export type OperatorRow = {
  operatorId: number;
  name: string;
  requests: number;
  resolved: number;
  resolutionMedian: number | null;
  ratingAverage: number | null;
};

/** Requests of the period by the employee they are assigned to. */
export async function byOperator(db: Queryable, f: Filters): Promise<OperatorRow[]> {
  const rows = await all<Record<string, unknown>>(
    db,
    sql`select u.id, u.name, count(*) as n, count(r.resolved_at) as resolved,
        percentile_cont(0.5) within group (order by ${RESOLVE_MIN}) as res_median, avg(r.rating) as rating_avg
      from requests r join users u on u.id = r.assignee_id
      where ${createdIn(f)} group by 1, 2 order by 3 desc, 2 limit 500`,
  );
  return rows.map((r) => ({
    operatorId: Number(r.id),
    name: String(r.name),
    requests: Number(r.n),
    resolved: Number(r.resolved),
    resolutionMedian: round(num(r.res_median)),
    ratingAverage: round(num(r.rating_avg), 2),
  }));
}

const EMAIL = /[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+/g;
const DIGITS = /\+?\d[\d\s\-()]{5,}\d/g;

/** Applicants' comments may carry an address or a phone number: those are masked before anyone reads them. */
export function maskComment(text: string): string {
  return text.replace(EMAIL, "[адрес скрыт]").replace(DIGITS, "[номер скрыт]");
}

/** The newest rating comments of the period, without the applicant's name, contacts or the request number. */
export async function ratingComments(db: Queryable, f: Filters, limit = 100) {
  const rows = await all<Record<string, unknown>>(
    db,
    sql`select r.rated_at, r.rating, r.rating_comment, r.channel, r.category
      from requests r where ${createdIn(f)} and r.rating_comment is not null and r.rating_comment <> ''
      order by r.rated_at desc nulls last limit ${limit}`,
  );
  return rows.map((r) => ({
    ratedAt: r.rated_at ? new Date(r.rated_at as string).toISOString() : null,
    rating: Number(r.rating),
    comment: maskComment(String(r.rating_comment)),
    channel: String(r.channel),
    category: r.category === null ? null : String(r.category),
  }));
}

/** Whether another room's table exists yet: statistics work before the phone or knowledge rooms are installed. */
export async function tableExists(db: Queryable, name: string): Promise<boolean> {
  const [row] = await all<{ t: string | null }>(db, sql`select to_regclass(${name})::text as t`);
  return Boolean(row?.t);
}

/** Seconds within which an answered call counts for the service level. */
export const SERVICE_LEVEL_SECONDS = 20;

export type Calls = {
  offered: number;
  answered: number;
  abandoned: number;
  abandonRate: number | null;
  averageSpeedOfAnswer: number | null;
  averageHandlingTime: number | null;
  serviceLevel: number | null;
};

/** Incoming calls that started in the period (seconds). Null when the phone room is not installed. */
export async function calls(db: Queryable, f: Filters): Promise<Calls | null> {
  if (!(await tableExists(db, "phone_calls"))) return null;
  const who: SQL[] = [sql`true`];
  if (f.assigneeId !== undefined) who.push(sql`c.user_id = ${f.assigneeId}`);
  if (f.departmentId !== undefined) {
    who.push(sql`c.user_id in (select id from users where department_id = ${f.departmentId})`);
  }
  const [r] = await all<Record<string, unknown>>(
    db,
    sql`select count(*) filter (where c.state in ('answered', 'ended', 'abandoned')) as offered,
        count(c.answered_at) as answered,
        count(*) filter (where c.state = 'abandoned') as abandoned,
        avg(date_part('epoch', c.answered_at - c.started_at)) as asa,
        avg(date_part('epoch', c.ended_at - c.answered_at)) filter (where c.state = 'ended') as aht,
        count(*) filter (where c.answered_at - c.started_at <= make_interval(secs => ${SERVICE_LEVEL_SECONDS})) as in_level
      from phone_calls c
      where c.direction = 'in' and c.started_at >= ${f.from.toISOString()}::timestamptz
        and c.started_at < ${f.to.toISOString()}::timestamptz and ${sql.join(who, sql` and `)}`,
  );
  return {
    offered: Number(r!.offered),
    answered: Number(r!.answered),
    abandoned: Number(r!.abandoned),
    abandonRate: share(r!.abandoned, r!.offered),
    averageSpeedOfAnswer: round(num(r!.asa)),
    averageHandlingTime: round(num(r!.aht)),
    serviceLevel: share(r!.in_level, r!.offered),
  };
}

/**
 * Knowledge-base deflection on the request form: visits that were shown suggestions, and of them those that
 * opened an article and left without sending. Null when the knowledge room does not record it.
 */
export async function deflection(db: Queryable, f: Filters) {
  if (!(await tableExists(db, "kb_suggestion_events"))) return null;
  const [r] = await all<Record<string, unknown>>(
    db,
    sql`with v as (
        select visit, bool_or(kind = 'opened') as opened, bool_or(kind = 'submitted') as submitted,
          bool_or(kind = 'left') as left_form
        from kb_suggestion_events
        where created_at >= ${f.from.toISOString()}::timestamptz and created_at < ${f.to.toISOString()}::timestamptz
        group by visit having bool_or(kind = 'shown'))
      select count(*) as shown, count(*) filter (where opened and left_form and not submitted) as deflected from v`,
  );
  return { visits: Number(r!.shown), deflected: Number(r!.deflected), rate: share(r!.deflected, r!.shown) };
}
