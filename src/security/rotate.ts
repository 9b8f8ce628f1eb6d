// Bringing every stored personal value under the current key: plaintext left from before encryption is sealed,
// values under older keys are sealed again, and the blind indexes are rebuilt when the index key changed. Runs at
// every start (cheap when there is nothing to do) and as `npx otklik keys rotate`. Idempotent and safe to run
// while the server works: each row is rewritten only if it still holds the value that was read.
import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";
import { blindIndexWith, decryptValue, encryptValue, fingerprint } from "./keys.ts";
import { keyring, SEALED_COLUMNS, type SealedColumn } from "./sealed.ts";

const INDEX_SETTING = "blind_index_key";

export type RotateReport = {
  /** Rows rewritten, per table. */
  tables: Record<string, number>;
  /** Whether every blind index was rebuilt (the index key changed since the last run). */
  reindexed: boolean;
  /** Values still under each key after the run (only `current` when all is done), per key id. */
  keys: Record<string, number>;
};

function byTable(): Map<string, SealedColumn[]> {
  const out = new Map<string, SealedColumn[]>();
  for (const c of SEALED_COLUMNS) out.set(c.table, [...(out.get(c.table) ?? []), c]);
  return out;
}

async function tableExists(db: Db, name: string) {
  const r = await db.execute(sql`select to_regclass(${name}) is not null as present`);
  return Boolean(rowsOf<{ present: boolean }>(r)[0]?.present);
}

/** Rows that need work: a value not under the current key, an index missing, or every indexed row on reindex. */
function pending(columns: SealedColumn[], currentPrefix: string, reindex: boolean): SQL {
  const parts: SQL[] = [];
  for (const c of columns) {
    const col = sql.identifier(c.column);
    parts.push(sql`(${col} is not null and left(${col}, ${currentPrefix.length}) <> ${currentPrefix})`);
    if (c.index) {
      const idx = sql.identifier(c.index.column);
      parts.push(reindex ? sql`${col} is not null` : sql`(${col} is not null and ${idx} is null)`);
      // A blanked value must not leave its index behind (a lookup would still find the row).
      parts.push(sql`(${col} is null and ${idx} is not null)`);
    }
  }
  return sql.join(parts, sql` or `);
}

export async function rotateKeys(db: Db, opts: { batch?: number; reindex?: boolean } = {}): Promise<RotateReport> {
  const ring = keyring();
  const batch = opts.batch ?? 500;
  const currentPrefix = `v1:${ring.current.id}:`;
  const [stored] = await db.select().from(settings).where(eq(settings.key, INDEX_SETTING));
  const indexPrint = fingerprint(ring.indexKey);
  const reindex = opts.reindex === true || stored?.value !== indexPrint;
  const report: RotateReport = { tables: {}, reindexed: reindex, keys: {} };

  for (const [table, columns] of byTable()) {
    if (!(await tableExists(db, table))) continue;
    const t = sql.identifier(table);
    const selected = columns.flatMap((c) => [c.column, ...(c.index ? [c.index.column] : [])]);
    let after: string | number | null = null;
    let rewritten = 0;
    for (;;) {
      const rows: Record<string, string | number | null>[] = rowsOf(
        await db.execute(sql`select id, ${sql.join(
          selected.map((c) => sql.identifier(c)),
          sql`, `,
        )} from ${t}
          where (${pending(columns, currentPrefix, reindex)}) ${after === null ? sql`` : sql`and id > ${after}`}
          order by id limit ${batch}`),
      );
      if (rows.length === 0) break;
      await db.transaction(async (tx) => {
        for (const row of rows) {
          const sets: SQL[] = [];
          const same: SQL[] = [sql`id = ${row.id}`];
          for (const c of columns) {
            const old = row[c.column] as string | null;
            const col = sql.identifier(c.column);
            same.push(old === null ? sql`${col} is null` : sql`${col} = ${old}`);
            const plain = old === null ? null : decryptValue(ring, old, `${table}.${c.column}`);
            if (old !== null && !old.startsWith(currentPrefix)) {
              sets.push(sql`${col} = ${encryptValue(ring, plain!, `${table}.${c.column}`)}`);
            }
            if (c.index) {
              const hash = plain === null ? null : blindIndexWith(ring.indexKey, c.index.kind, plain);
              if (hash !== row[c.index.column]) sets.push(sql`${sql.identifier(c.index.column)} = ${hash}`);
            }
          }
          if (sets.length === 0) continue;
          const r = await tx.execute(
            sql`update ${t} set ${sql.join(sets, sql`, `)} where ${sql.join(same, sql` and `)} returning id`,
          );
          rewritten += rowsOf(r).length;
        }
      });
      after = rows[rows.length - 1]!.id ?? null;
    }
    report.tables[table] = rewritten;
    await countKeys(db, table, columns, report.keys);
  }
  if (stored?.value !== indexPrint) {
    await db
      .insert(settings)
      .values({ key: INDEX_SETTING, value: indexPrint })
      .onConflictDoUpdate({ target: settings.key, set: { value: indexPrint } });
  }
  return report;
}

/** How many stored values each key holds, table by table, without changing anything. */
export async function keyStatus(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [table, columns] of byTable()) {
    if (await tableExists(db, table)) await countKeys(db, table, columns, out);
  }
  return out;
}

/** How many stored values each key holds (`plaintext` for values not yet sealed). */
async function countKeys(db: Db, table: string, columns: SealedColumn[], into: Record<string, number>) {
  for (const c of columns) {
    const col = sql.identifier(c.column);
    const rows = rowsOf<{ k: string | null; n: string | number }>(
      await db.execute(sql`select case when ${col} like 'v1:%' then split_part(${col}, ':', 2) else null end as k,
        count(*) as n from ${sql.identifier(table)} where ${col} is not null group by 1`),
    );
    for (const r of rows) {
      const k = r.k ?? "plaintext";
      into[k] = (into[k] ?? 0) + Number(r.n);
    }
  }
}
