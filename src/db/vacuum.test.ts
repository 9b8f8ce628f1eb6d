import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./client.ts";
import { rowsOf } from "./outbox.ts";
import { startVacuuming, vacuum } from "./vacuum.ts";

// The embedded engine only: a PostgreSQL server vacuums by itself.
describe.skipIf(Boolean(process.env.TEST_DATABASE_URL))("the embedded database's housekeeping", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({});
    await database.migrate();
  });
  afterAll(() => database?.close());

  // The statistics reach the shared view once flushed: forced here, so that the count is the table's as it is now.
  const dead = async () => {
    await database.db.execute(sql`select pg_stat_force_next_flush()`);
    return rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select coalesce(sum(n_dead_tup), 0)::int as n from pg_stat_user_tables where relname = 'events'`,
      ),
    )[0]!.n;
  };

  it("removes the dead rows that updates leave, which nothing else would", async () => {
    await database.db.execute(
      sql`insert into events (topic, payload) select 'test.vacuum', '{}'::jsonb from generate_series(1, 500)`,
    );
    for (let i = 0; i < 4; i++) await database.db.execute(sql`update events set attempts = attempts + 1`);
    expect(await dead()).toBeGreaterThanOrEqual(1500);
    await vacuum(database);
    expect(await dead()).toBe(0);
  });

  it("runs on its timer until stopped", async () => {
    await database.db.execute(sql`update events set attempts = attempts + 1`);
    expect(await dead()).toBeGreaterThan(0);
    const stop = startVacuuming(database, 50);
    const until = Date.now() + 5000;
    while ((await dead()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await stop();
    expect(await dead()).toBe(0);
  });
});
