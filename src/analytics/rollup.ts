// Keeping the rollups (docs/METRICS.md, «Rollups»; each described in rollup-specs.ts and facts.ts) up to date.
// Days are rebuilt whole: triggers write into analytics_rollup_dirty every past Moscow day a change touches, in the
// same transaction as the change; `rebuild` empties that list and recomputes those days, the days that ended since
// the last rebuild, and the months they belong to (month rows are sums of day rows).
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Queryable } from "../db/client.ts";
import { FACTS } from "./facts.ts";
import { ZONE } from "./filters.ts";
import { instant, iso, mskDay } from "./rollup-plan.ts";
import {
  all,
  CALLS,
  cols,
  DAILY,
  DAILY_REGION,
  HOURS,
  OPERATORS,
  REGION_HOURS,
  REGIONS,
  type Spec,
  sums,
  TIMES,
} from "./rollup-specs.ts";

/** Every rollup; the facts before the time histograms, whose months are summed from them. */
export const SPECS = [FACTS, DAILY, DAILY_REGION, HOURS, REGION_HOURS, REGIONS, OPERATORS, TIMES, CALLS];

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
