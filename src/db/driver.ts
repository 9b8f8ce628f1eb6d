// The one seam where Otklik reaches under Drizzle, for the few hot statements whose assembly by the query builder
// costs more than running them (a registration group, a conversation's line: see src/requests/core). Two things are
// taken from Drizzle's insides, both here and nowhere else, and src/db/driver.test.ts fails if Drizzle changes them:
// the driver client of an open transaction (`tx.session.client`), and a column's own mapping of a value to what the
// driver sends (`column.mapToDriverValue`, which encrypts a sealed column as an ordinary insert would).
import pg from "pg";
import type { Tx } from "./client.ts";

type DriverClient = { query(text: string, params: unknown[]): Promise<{ rows: unknown[] }> };

/** The driver client (pg's, or PGlite's) that runs the transaction's statements. */
function clientOf(tx: Tx): DriverClient {
  return (tx as unknown as { session: { client: DriverClient } }).session.client;
}

/**
 * A statement sent straight to the driver of a transaction, text and parameters as given. Both drivers answer
 * `{ rows }`. With a `name` (a statement whose text never changes), a PostgreSQL server parses it once per
 * connection and then only binds the parameters; PGlite, in the same process, parses it each time.
 */
export async function driverQuery<T>(tx: Tx, text: string, params: unknown[], name?: string): Promise<T[]> {
  const client = clientOf(tx);
  if (name && client instanceof pg.Client) {
    return (await client.query<T & pg.QueryResultRow>({ name, text, values: params })).rows;
  }
  return (await client.query(text, params)).rows as T[];
}

/** What Drizzle would send to the driver for `value` in `column` (a sealed column: its ciphertext); null stays null. */
export function driverValue(column: { mapToDriverValue(v: string): unknown }, value: string | null | undefined) {
  return value === undefined || value === null ? null : column.mapToDriverValue(value);
}

type MappedColumn = {
  name: string;
  columnType: string;
  withTimezone?: boolean;
  mapFromDriverValue(value: unknown): unknown;
};

/**
 * The select list of `columns` (a Drizzle table's columns by property) and the mapping of a driver row back to them:
 * each value through its column's own `mapFromDriverValue` (a sealed column decrypted, a timestamp made a Date, a
 * bigint a number), as the query builder's select would, for a statement whose text is written once. The drivers hand
 * a timestamp with time zone over as a Date where the builder asks for text; the column maps either to the same Date.
 * Types the drivers parse differently from the builder (a date, a timestamp as text or without time zone, an interval) are
 * refused here, at start.
 */
export function driverColumns<T>(columns: Record<string, unknown>) {
  const entries = Object.entries(columns as Record<string, MappedColumn>);
  for (const [key, c] of entries) {
    const zoned = c.columnType === "PgTimestamp" ? c.withTimezone : true;
    if (!zoned || /^Pg(Date|DateString|Interval|TimestampString|Time)$/.test(c.columnType)) {
      throw new Error(`driverColumns: the column ${key} (${c.columnType}) is read differently by the drivers`);
    }
  }
  return {
    list: entries.map(([, c]) => `"${c.name}"`).join(", "),
    map(row: Record<string, unknown>): T {
      const out: Record<string, unknown> = {};
      for (const [key, c] of entries) {
        const v = row[c.name];
        out[key] = v === null || v === undefined ? null : c.mapFromDriverValue(v);
      }
      return out as T;
    },
  };
}
