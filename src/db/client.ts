// One database, two engines: PGlite in the data folder (embedded default) or a PostgreSQL server.
// Both are driven through Drizzle with the same schema and the same migrations.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { lockFolder } from "./folder-lock.ts";
import { namePgStatements } from "./pg-prepared.ts";
import { preparedPglite } from "./pglite-prepared.ts";
import type * as schema from "./schema.ts";

export type Schema = typeof schema;
/**
 * The tables are named in the queries themselves: Drizzle is given no schema, since its relational query API (unused
 * here) would then build a query builder for each of the tables in every transaction it opens.
 */
export type Db = PgDatabase<PgQueryResultHKT>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything that runs queries: the database itself or an open transaction. */
export type Queryable = Db | Tx;

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export interface Database {
  db: Db;
  engine: "pglite" | "postgres";
  /** The schema the tables live in (`public` unless a test gave the connection its own). */
  schemaName: string;
  /**
   * Subscribes to NOTIFY on a channel; the handler runs in this process only after the sender committed. `onResume`
   * runs each time listening starts again after a lost connection (what was sent meanwhile was not heard).
   */
  listen(channel: string, handler: (payload: string) => void, onResume?: () => void): Promise<() => Promise<void>>;
  migrate(): Promise<void>;
  /**
   * Work only one process may do (polling a messenger): a session advisory lock on a connection of its own, or null
   * when another process holds it. On the embedded database there is one process: always granted.
   */
  holdLock(name: string): Promise<HeldLock | null>;
  close(): Promise<void>;
}

export type HeldLock = {
  /** False once the lock's connection was lost (the server let the lock go). */
  held(): boolean;
  release(): Promise<void>;
};

export type OpenOptions = {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; undefined keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** PostgreSQL only: put every table into this schema (created if missing). */
  schemaName?: string | undefined;
  poolSize?: number;
};

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts) : openPglite(opts.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let release: (() => void) | undefined;
  let dir: string | undefined;
  if (dataDir) {
    dir = path.join(dataDir, "pgdata");
    mkdirSync(dir, { recursive: true });
    // PGlite does not lock its folder: two processes on one folder would corrupt it.
    try {
      release = lockFolder(path.join(dataDir, "pgdata.lock"));
    } catch {
      throw new Error(
        `Папка данных ${dataDir} уже открыта другим процессом Otklik. Остановите его или укажите другую OTKLIK_DATA_DIR.`,
      );
    }
  }
  const client = await PGlite.create(dir ? { dataDir: dir } : {});
  // A new 16 MB WAL segment is not filled with zeros first: PGlite writes it in the process, between two statements,
  // and the 2,048 writes (with its in-memory file grown step by step) held every connection of the server for 0.1–0.5 s
  // each time (measured in the chat benchmark). PGlite does not fsync, so the pre-allocation bought nothing.
  await client.exec("set wal_init_zero = off");
  // Statements prepared once and run in one exchange each (src/db/pglite-prepared.ts).
  const engineDb = drizzlePglite(preparedPglite(client));
  const db = engineDb as unknown as Db;
  return {
    db,
    engine: "pglite",
    schemaName: "public",
    // In-process: never loses its connection, so never resumes.
    listen: async (channel, handler) => {
      const unsub = await client.listen(channel, handler);
      return unsub;
    },
    migrate: async () => {
      await migratePglite(engineDb, { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: "public" });
    },
    holdLock: async () => ({ held: () => true, release: async () => {} }),
    close: async () => {
      await client.close();
      release?.();
    },
  };
}

/**
 * A lost server makes node-postgres emit `'error'` on every client it had, and an `'error'` event nobody listens to
 * ends the process. Every client made here has a listener from birth; the query in flight fails on its own, and
 * the failure is recognised as an outage (`isDatabaseUnavailable`) where it is answered.
 */
function connectedClient(config: pg.ClientConfig, onError: (e: Error) => void = () => {}): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on("error", onError);
  return client.connect().then(
    () => client,
    async (e: unknown) => {
      await client.end().catch(() => {});
      throw e;
    },
  );
}

async function openPostgres(url: string, opts: OpenOptions): Promise<Database> {
  if (opts.schemaName && !/^[a-z_][a-z0-9_]*$/.test(opts.schemaName))
    throw new Error(`bad schema name ${opts.schemaName}`);
  // keepAlive: a server that vanished without closing (power, network) is noticed, not waited on forever.
  const base: pg.ClientConfig = { connectionString: url, keepAlive: true };
  const clientConfig: pg.ClientConfig = opts.schemaName
    ? { ...base, options: `-c search_path=${opts.schemaName}` }
    : base;
  if (opts.schemaName) {
    const admin = await connectedClient(base);
    await admin.query(`CREATE SCHEMA IF NOT EXISTS ${opts.schemaName}`);
    await admin.end();
  }
  // The schema the tables live in is the connection's own (a search_path in the URL counts): the record of
  // applied migrations must live there too, or a second schema on the same server would look migrated.
  const probe = await connectedClient(clientConfig);
  const schemaName = String((await probe.query("select current_schema() as s")).rows[0]?.s ?? "public");
  await probe.end();
  // A request waits at most this long for a connection: then it is answered «unavailable, retry» instead of hanging.
  // Idle connections are kept (pg-pool closes them after 10 s by default): a burst after a quiet spell otherwise opened
  // them anew under load, each a new server backend with cold caches, and the first second's chat lines waited
  // 0.1–0.4 s for them (measured in the chat benchmark). The pool holds at most `poolSize` either way.
  const pool = new pg.Pool({
    ...clientConfig,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 0,
  });
  // pg-pool listens for errors of idle clients only; a client checked out (a transaction, driverQuery) needs its
  // own listener, for the whole of its life. The pool drops a client that failed when it is released.
  // Its repeated statements go by name, parsed once per connection (src/db/pg-prepared.ts).
  pool.on("connect", (client) => {
    client.on("error", () => {});
    namePgStatements(client);
  });
  pool.on("error", () => {});
  releaseOnLoss(pool);
  const engineDb = drizzlePg(pool);
  const db = engineDb as unknown as Db;
  const listener = new PgListener(clientConfig);
  return {
    db,
    engine: "postgres",
    schemaName,
    listen: (channel, handler, onResume) => listener.listen(channel, handler, onResume),
    migrate: async () => {
      // Several processes may start at once: one migrates, the others wait for it.
      const lock = await connectedClient(clientConfig);
      try {
        await lock.query("SELECT pg_advisory_lock(hashtext($1))", [`otklik-migrate:${schemaName}`]);
        await migratePg(engineDb, { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: schemaName });
      } finally {
        await lock.end().catch(() => {});
      }
    },
    holdLock: async (name) => {
      let lost = false;
      const client = await connectedClient(clientConfig, () => {
        lost = true;
      });
      const got = await client
        .query("SELECT pg_try_advisory_lock(hashtext($1)) AS ok", [`otklik-${name}:${schemaName}`])
        .then((r) => r.rows[0]?.ok === true)
        .catch(() => false);
      if (!got) {
        await client.end().catch(() => {});
        return null;
      }
      client.on("end", () => {
        lost = true;
      });
      return { held: () => !lost, release: () => client.end().catch(() => {}) };
    },
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * Drizzle's transaction sends BEGIN before its try/finally: when BEGIN fails on a connection that just died, the client
 * is never released and the pool is one smaller for good (a few outages would leave it empty). So a client checked
 * out for a transaction goes back to the pool by itself when its connection dies, and releasing it twice is harmless.
 */
function releaseOnLoss(pool: pg.Pool) {
  const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<pg.PoolClient> | undefined;
  const checkOut = async () => {
    const client = await (connect() as Promise<pg.PoolClient>);
    const release = client.release;
    let released = false;
    const done = (err?: Error | boolean) => {
      if (released) return;
      released = true;
      client.off("error", done);
      release.call(client, err);
    };
    client.release = done;
    client.on("error", done);
    return client;
  };
  // pg-pool's own query() checks out with a callback and releases on error itself: that path is left as it is.
  pool.connect = ((cb?: unknown) => (cb ? connect(cb) : checkOut())) as typeof pool.connect;
}

/** One connection for LISTEN, re-established with back-off when the server goes away, its channels listened again. */
class PgListener {
  private client: pg.Client | undefined;
  private handlers = new Map<string, Set<(payload: string) => void>>();
  private resumers = new Set<() => void>();
  private closed = false;
  private connecting: Promise<void> | undefined;
  private lost = false;

  constructor(private readonly config: pg.ClientConfig) {}

  async listen(
    channel: string,
    handler: (payload: string) => void,
    onResume?: () => void,
  ): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    if (onResume) this.resumers.add(onResume);
    await this.ensure();
    if (first) await this.client?.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      set.delete(handler);
      if (onResume) this.resumers.delete(onResume);
    };
  }

  private ensure(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      let client: pg.Client | undefined;
      try {
        client = await connectedClient(this.config, () => {
          if (client) this.reconnect(client);
        });
        const self = client;
        client.on("notification", (n) => {
          for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? "");
        });
        client.on("end", () => this.reconnect(self));
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
        this.client = client;
        if (this.lost) {
          this.lost = false;
          for (const r of this.resumers) r();
        }
        return;
      } catch {
        await client?.end().catch(() => {});
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }

  private reconnect(client: pg.Client) {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.lost = true;
    void this.ensure();
  }

  async close() {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}

function quoteIdent(name: string) {
  return `"${name.replaceAll('"', '""')}"`;
}
