// A test's own database: in-memory PGlite, or a schema of its own on the PostgreSQL server named by TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase } from "../src/db/client.ts";

/**
 * A migrated database alone, for tests below the server: in-memory PGlite, or a schema of its own (named after
 * `prefix`) on the PostgreSQL server named by TEST_DATABASE_URL, dropped by `close`.
 */
export async function createTestDatabase(prefix: string) {
  const url = process.env.TEST_DATABASE_URL;
  const schemaName = url ? `otklik_${prefix}_${randomBytes(4).toString("hex")}` : undefined;
  const database = await openDatabase({ databaseUrl: url, schemaName });
  await database.migrate();
  return {
    database,
    async close() {
      await database.close();
      await dropSchema(url, schemaName);
    },
  };
}

/** Drops a test's schema on the PostgreSQL server (nothing on PGlite, where the database goes with the process). */
export async function dropSchema(url: string | undefined, schemaName: string | undefined) {
  if (!url || !schemaName) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
  await admin.end();
}
