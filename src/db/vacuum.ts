// The embedded engine's housekeeping. PGlite is PostgreSQL in one process without its background workers: autovacuum
// never runs there (measured: 27,388 dead rows left in a table after 70 s, none removed). Every chat line updates its
// conversation and its request, every outbox event is updated twice: without vacuuming, the tables and their indexes
// would only grow. A PostgreSQL server vacuums by itself and is left alone.
import { sql } from "drizzle-orm";
import { every, Passes } from "../guard.ts";
import type { Database } from "./client.ts";

/** How often the embedded database is vacuumed and its statistics refreshed. */
export const VACUUM_EVERY_MS = 10 * 60_000;

/** One pass: dead rows removed (pages left untouched since the last pass are skipped), the planner's statistics renewed. */
export async function vacuum(database: Database): Promise<void> {
  await database.db.execute(sql`vacuum (analyze)`);
}

/**
 * Vacuums the embedded database every ten minutes until the returned stop is called (which waits for a pass under
 * way). The statements of the server wait during a pass: a few hundred milliseconds on a database of a thousand
 * requests with their chats. Nothing on a PostgreSQL server.
 */
export function startVacuuming(database: Database, everyMs = VACUUM_EVERY_MS): () => Promise<void> {
  if (database.engine !== "pglite") return async () => {};
  let stopped = false;
  const passes = new Passes(
    "pglite.vacuum",
    () => vacuum(database),
    () => stopped,
  );
  const timer = every("pglite.vacuum", everyMs, () => passes.run());
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await passes.current;
  };
}
