// Which parts of a period come from day rows, month rows and the raw tables, and reading a period by that plan.
import { type SQL, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type Filters, ZONE } from "./filters.ts";
import type { Row } from "./rollup-specs.ts";

export const iso = (d: DateTime) => d.toISODate()!;
export const mskDay = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).startOf("day");
export const instant = (day: string) => DateTime.fromISO(day, { zone: ZONE }).toJSDate();

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
export function planned(table: string, p: Plan, where: SQL): SQL {
  const t = sql.raw(table);
  const parts: SQL[] = p.days.map(
    ([a, b]) => sql`select * from ${t} where "span" = 1 and "day" >= ${a}::date and "day" < ${b}::date and ${where}`,
  );
  for (const [a, b] of p.months) {
    parts.push(sql`select * from ${t} where "span" = 2 and "day" >= ${a}::date and "day" < ${b}::date and ${where}`);
  }
  return sql.join(parts, sql` union all `);
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
