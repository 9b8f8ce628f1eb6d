// What the benchmarks share: the «raw» side of each measurement (the same SQL statements driven straight through
// the database driver, no HTTP, no service code), scratch databases on either engine, and the figures' wording.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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

const TICK = 100; // clock ticks per second of /proc's counters (USER_HZ on Linux)

/** CPU time so far (user + system), in milliseconds, of the running processes `pick` chooses by pid, parent and name. */
export function cpuMsOf(pick: (pid: number, parent: number, name: string) => boolean): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // fields[1] is the parent's pid; 11 and 12 are the user and system ticks.
      if (!pick(Number(entry), Number(fields[1]), stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")))) continue;
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

/** CPU time so far of a process and of its children still running (OTKLIK_WORKERS), in milliseconds. */
export const cpuMs = (pid: number) => cpuMsOf((p, parent) => p === pid || parent === pid);

/**
 * Waits until the process (with its workers) has used at most `idleMs` of CPU per half second for two seconds
 * running: its start-up or background work is done. Returns its CPU time at that point.
 */
export async function quiet(pid: number, idleMs = 10): Promise<number> {
  const deadline = Date.now() + 300_000;
  let last = cpuMs(pid);
  let calm = 0;
  for (;;) {
    if (Date.now() > deadline) throw new Error("the server did not go quiet in five minutes");
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuMs(pid);
    calm = now - last <= idleMs ? calm + 1 : 0;
    last = now;
    if (calm >= 4) return now;
  }
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
