// Bringing every stored personal value under the current key: plaintext left from before encryption is sealed,
// values under older keys are sealed again, and the blind indexes are rebuilt when the index key changed. Runs at
// every start (cheap when there is nothing to do) and as `npx otklik keys rotate`. Idempotent and safe to run
// while the server works: each row is rewritten only if it still holds the value that was read.
import { createHash } from "node:crypto";
import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";
import {
  BYTES_MAGIC,
  blindIndexWith,
  decryptBytes,
  decryptValue,
  encryptBytes,
  encryptValue,
  fingerprint,
} from "./keys.ts";
import { keyring, SEALED_COLUMNS, type SealedColumn } from "./sealed.ts";
import { retireServerSecret } from "./server-secret.ts";

const INDEX_SETTING = "blind_index_key";

export type RotateReport = {
  /** Rows rewritten, per table. */
  tables: Record<string, number>;
  /** Whether every blind index was rebuilt (the index key changed since the last run). */
  reindexed: boolean;
  /** Values still under each key after the run (only `current` when all is done), per key id; empty without count. */
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

type Stored = string | Buffer;

/** The start every value under the current key has, for text and for bytes. */
function currentPrefixes(currentId: string) {
  const id = Buffer.from(currentId);
  return {
    text: `v1:${currentId}:`,
    bytes: Buffer.concat([BYTES_MAGIC, Buffer.from([id.length]), id]),
  };
}

/** Rows that need work: a value not under the current key, an index missing, or every indexed row on reindex. */
function pending(columns: SealedColumn[], prefix: ReturnType<typeof currentPrefixes>, reindex: boolean): SQL {
  const parts: SQL[] = [];
  for (const c of columns) {
    const col = sql.identifier(c.column);
    parts.push(
      c.kind === "bytes"
        ? sql`(${col} is not null and substring(${col} from 1 for ${prefix.bytes.length}) <> ${prefix.bytes})`
        : sql`(${col} is not null and left(${col}, ${prefix.text.length}) <> ${prefix.text})`,
    );
    if (c.index) {
      const idx = sql.identifier(c.index.column);
      parts.push(reindex ? sql`${col} is not null` : sql`(${col} is not null and ${idx} is null)`);
      // A blanked value must not leave its index behind (a lookup would still find the row).
      parts.push(sql`(${col} is null and ${idx} is not null)`);
    }
  }
  return sql.join(parts, sql` or `);
}

export async function rotateKeys(
  db: Db,
  opts: { batch?: number; reindex?: boolean; count?: boolean } = {},
): Promise<RotateReport> {
  const ring = keyring();
  // First: values the old server secret sealed are not plaintext, and must not be sealed as if they were.
  await retireServerSecret(db);
  const prefix = currentPrefixes(ring.current.id);
  const [stored] = await db.select().from(settings).where(eq(settings.key, INDEX_SETTING));
  const indexPrint = fingerprint(ring.indexKey);
  const reindex = opts.reindex === true || stored?.value !== indexPrint;
  const report: RotateReport = { tables: {}, reindexed: reindex, keys: {} };

  for (const [table, columns] of byTable()) {
    if (!(await tableExists(db, table))) continue;
    // Raw letters run to megabytes: few rows at a time.
    const batch = Math.min(opts.batch ?? 500, columns.some((c) => c.kind === "bytes") ? 5 : 500);
    const t = sql.identifier(table);
    const idType = await idTypeOf(db, table);
    const selected = columns.flatMap((c) => [c.column, ...(c.index ? [c.index.column] : [])]);
    let after: string | number | null = null;
    let rewritten = 0;
    for (;;) {
      const rows: Record<string, unknown>[] = rowsOf(
        await db.execute(sql`select id, ${sql.join(
          selected.map((c) => sql.identifier(c)),
          sql`, `,
        )} from ${t}
          where (${pending(columns, prefix, reindex)}) ${after === null ? sql`` : sql`and id > ${after}`}
          order by id limit ${batch}`),
      );
      if (rows.length === 0) break;
      // One statement per batch: each row carries the MD5 of what was read, and is rewritten only if it still
      // holds that (a value changed meanwhile was written by the server, under the current key).
      const tuples: SQL[] = [];
      for (const row of rows) {
        const cells: SQL[] = [sql`${String(row.id)}::${sql.raw(idType)}`];
        let changed = false;
        for (const c of columns) {
          const raw = row[c.column];
          // PGlite answers bytea as a Uint8Array, node-postgres as a Buffer.
          const old: Stored | null =
            raw === null || raw === undefined
              ? null
              : c.kind === "bytes"
                ? Buffer.from(raw as Uint8Array)
                : String(raw);
          const type = sql.raw(c.kind === "bytes" ? "bytea" : "text");
          const context = `${table}.${c.column}`;
          let next: Stored | null = old;
          let hash: string | null = null;
          if (typeof old === "string") {
            const plain = decryptValue(ring, old, context);
            if (!old.startsWith(prefix.text)) next = encryptValue(ring, plain, context);
            if (c.index) hash = blindIndexWith(ring.indexKey, c.index.kind, plain) || null;
          } else if (old && !old.subarray(0, prefix.bytes.length).equals(prefix.bytes)) {
            next = encryptBytes(ring, decryptBytes(ring, old, context), context);
          }
          if (next !== old || (c.index && hash !== (row[c.index.column] ?? null))) changed = true;
          // An unchanged value is not sent back (null: keep what is there; an encrypted value is never set to null).
          cells.push(sql`${old === null ? null : md5(old)}::text`, sql`${next === old ? null : next}::${type}`);
          if (c.index) cells.push(sql`${hash}::text`);
        }
        if (changed) tuples.push(sql`(${sql.join(cells, sql`, `)})`);
      }
      if (tuples.length > 0) {
        const names = ["id", ...columns.flatMap((c, i) => [`o${i}`, `n${i}`, ...(c.index ? [`h${i}`] : [])])];
        const sets = columns.flatMap((c, i) => [
          sql`${sql.identifier(c.column)} = coalesce(v.${sql.raw(`n${i}`)}, t.${sql.identifier(c.column)})`,
          ...(c.index ? [sql`${sql.identifier(c.index.column)} = v.${sql.raw(`h${i}`)}`] : []),
        ]);
        const same = columns.map(
          (c, i) => sql`md5(t.${sql.identifier(c.column)}) is not distinct from v.${sql.raw(`o${i}`)}`,
        );
        const r = await db.execute(sql`update ${t} as t set ${sql.join(sets, sql`, `)}
          from (values ${sql.join(tuples, sql`, `)}) as v(${sql.raw(names.join(", "))})
          where t.id = v.id and ${sql.join(same, sql` and `)} returning t.id`);
        rewritten += rowsOf(r).length;
      }
      after = (rows[rows.length - 1]!.id as string | number | undefined) ?? null;
    }
    report.tables[table] = rewritten;
    // Counting reads every value (raw letters included): the command line asks for it, the start does not.
    if (opts.count !== false) await countKeys(db, table, columns, report.keys);
  }
  if (stored?.value !== indexPrint) {
    await db
      .insert(settings)
      .values({ key: INDEX_SETTING, value: indexPrint })
      .onConflictDoUpdate({ target: settings.key, set: { value: indexPrint } });
  }
  return report;
}

function md5(value: Stored): string {
  return createHash("md5").update(value).digest("hex");
}

/** The type of a table's id (bigint for most, text for the registry's accounts), for the VALUES list. */
async function idTypeOf(db: Db, table: string): Promise<string> {
  const [r] = rowsOf<{ t: string }>(
    await db.execute(sql`select format_type(a.atttypid, a.atttypmod) as t from pg_attribute a
      where a.attrelid = to_regclass(${table}) and a.attname = 'id'`),
  );
  return r?.t === "text" ? "text" : r?.t === "integer" ? "integer" : "bigint";
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
    const keyOf =
      c.kind === "bytes"
        ? sql`case when substring(${col} from 1 for 4) = ${BYTES_MAGIC}
            then convert_from(substring(${col} from 6 for get_byte(${col}, 4)), 'UTF8') else null end`
        : sql`case when ${col} like 'v1:%' then split_part(${col}, ':', 2) else null end`;
    const rows = rowsOf<{ k: string | null; n: string | number }>(
      await db.execute(
        sql`select ${keyOf} as k, count(*) as n from ${sql.identifier(table)} where ${col} is not null group by 1`,
      ),
    );
    for (const r of rows) {
      const k = r.k ?? "plaintext";
      into[k] = (into[k] ?? 0) + Number(r.n);
    }
  }
}
