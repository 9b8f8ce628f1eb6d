// What the benchmarks share: the «raw» side of each measurement (the same SQL statements driven straight through
// the database driver, no HTTP, no service code), scratch databases on either engine, and the figures' wording.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type Database, openDatabase } from "../src/db/client.ts";
import { isPreparedPglite, preparedPglite } from "../src/db/pglite-prepared.ts";

export type Engine = "pglite" | "postgres";

/** The PostgreSQL server the benchmarks use for scratch schemas (dropped afterwards). */
export const POSTGRES_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type Row = Record<string, unknown>;
/** A statement with parameters; a `name` makes it a prepared statement on a server (as Otklik names its hot ones). */
export type Query = (text: string, params?: unknown[], name?: string) => Promise<Row[]>;

/** A database reached through its driver alone: the pg Pool, or the PGlite instance. */
export type RawDriver = {
  engine: Engine;
  query: Query;
  /** One transaction on one connection (PGlite has only one). */
  transaction<T>(fn: (q: Query) => Promise<T>): Promise<T>;
  /** LISTEN on its own connection; the handler gets the payload. */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

/** The embedded engine as the service drives it: with prepared statements (src/db/pglite-prepared.ts). */
export function rawPglite(engine: PGlite): RawDriver {
  const client = isPreparedPglite(engine) ? engine : preparedPglite(engine);
  const run =
    (on: Pick<PGlite, "query">): Query =>
    async (text, params) =>
      (await on.query<Row>(text, params)).rows;
  return {
    engine: "pglite",
    query: run(client),
    transaction: (fn) => client.transaction((tx) => fn(run(tx))),
    listen: async (channel, handler) => client.listen(channel, handler),
    close: () => client.close(),
  };
}

export function rawPostgres(config: pg.PoolConfig): RawDriver {
  const pool = new pg.Pool(config);
  pool.on("error", () => {});
  const run =
    (on: pg.Pool | pg.PoolClient): Query =>
    async (text, params, name) =>
      (name ? await on.query({ name, text, values: params as unknown[] }) : await on.query(text, params as unknown[]))
        .rows as Row[];
  return {
    engine: "postgres",
    query: run(pool),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const out = await fn(run(client));
        await client.query("commit");
        return out;
      } catch (e) {
        await client.query("rollback").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async listen(channel, handler) {
      const client = new pg.Client(config);
      await client.connect();
      client.on("notification", (n) => {
        if (n.channel === channel) handler(n.payload ?? "");
      });
      await client.query(`listen ${channel}`);
      return () => client.end();
    },
    close: () => pool.end(),
  };
}

/**
 * A fresh database on either engine, migrated: PGlite in a folder of its own (as the server keeps it), or a scratch
 * schema on the PostgreSQL server. `drop()` removes it.
 */
export async function scratchDatabase(engine: Engine, poolSize?: number) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-bench-"));
  const schemaName = engine === "postgres" ? `otklik_bench_${randomBytes(4).toString("hex")}` : undefined;
  const options =
    engine === "pglite" ? { dataDir } : { databaseUrl: POSTGRES_URL, schemaName, ...(poolSize ? { poolSize } : {}) };
  const database: Database = await openDatabase(options);
  await database.migrate();
  /** The same database through its driver alone (call after the service's own connection is closed). */
  const openRaw = async (rawPoolSize = 10): Promise<RawDriver> => {
    if (engine === "pglite") {
      const { PGlite } = await import("@electric-sql/pglite");
      const embedded = await PGlite.create({ dataDir: path.join(dataDir, "pgdata") });
      await embedded.exec("set wal_init_zero = off"); // as the service opens it (src/db/client.ts)
      return rawPglite(embedded);
    }
    return rawPostgres({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${schemaName}`,
      max: rawPoolSize,
    });
  };
  return {
    engine,
    dataDir,
    schemaName,
    database,
    openRaw,
    /** What a child `otklik serve` needs to open the same database. */
    env(): Record<string, string> {
      const env: Record<string, string> = { OTKLIK_DATA_DIR: dataDir };
      if (engine === "postgres") {
        const u = new URL(POSTGRES_URL);
        u.searchParams.set("options", `-c search_path=${schemaName}`);
        env.DATABASE_URL = u.toString();
      }
      return env;
    },
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      if (schemaName) {
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`drop schema if exists ${schemaName} cascade`);
        await admin.end();
      }
    },
  };
}

export function quantile(xs: number[], q: number) {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** «Otklik reaches N% of raw» for a throughput (higher is better). */
export function ofRaw(otklik: number, raw: number) {
  return `Otklik reaches ${((otklik / raw) * 100).toFixed(0)}% of raw`;
}

/** The same for a latency (lower is better): raw time over Otklik's time. */
export function ofRawLatency(otklikMs: number, rawMs: number) {
  return `Otklik reaches ${((rawMs / otklikMs) * 100).toFixed(0)}% of raw (raw ÷ Otklik)`;
}

export function load() {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
}

/** The engines a benchmark was asked for: `--engine pglite|postgres|both`. */
export function enginesOf(arg: string | undefined): Engine[] {
  if (!arg || arg === "both") return ["pglite", "postgres"];
  if (arg === "pglite" || arg === "postgres") return [arg];
  throw new Error(`--engine: pglite, postgres or both, not ${arg}`);
}

export const ENGINE_NAME: Record<Engine, string> = { pglite: "PGlite", postgres: "PostgreSQL" };
