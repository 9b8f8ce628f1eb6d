// Reading a period: from the first rollup keyed by every filter where it holds the period, from the raw tables
// for the rest (rollup-plan.ts decides which parts), and from the facts when no rollup is keyed by every filter.
import { type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { readFacts } from "./facts.ts";
import type { Filters } from "./filters.ts";
import { merge, plan, planned } from "./rollup-plan.ts";
import { all, cols, type Row, type Spec, sums } from "./rollup-specs.ts";

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
