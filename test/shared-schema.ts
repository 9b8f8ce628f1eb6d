// Several Otklik processes on one database, as in the server deployment: each its own context, data folder and
// connection pool, all on one schema of the PostgreSQL server named by TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { type Running, startServer } from "../src/server.ts";
import { TEST_ADMIN_PASSWORD } from "./harness.ts";

export type SharedSchema = {
  schemaName: string;
  /** Starts one more process on the schema. */
  start(): Promise<Running>;
  /** Stops every process still running and drops the schema. */
  close(): Promise<void>;
};

export function sharedSchema(url: string): SharedSchema {
  const schemaName = `otklik_test_${randomBytes(5).toString("hex")}`;
  const running: { server: Running; dataDir: string; closed: boolean }[] = [];
  return {
    schemaName,
    async start() {
      const database = await openDatabase({ databaseUrl: url, schemaName, poolSize: 5 });
      const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-shared-"));
      const config = loadConfig(
        {},
        {
          dataDir,
          publicRateLimit: 0,
          adminPassword: TEST_ADMIN_PASSWORD,
          publicUrl: "http://otklik.test",
          logLevel: "silent",
          smtpPort: 0,
        },
      );
      const server = await startServer(config, { database, logger: false, listen: false });
      const entry = { server, dataDir, closed: false };
      running.push(entry);
      const close = server.close;
      return {
        ...server,
        async close() {
          if (entry.closed) return;
          entry.closed = true;
          await close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    async close() {
      for (const e of running) {
        if (!e.closed) {
          e.closed = true;
          await e.server.close();
          rmSync(e.dataDir, { recursive: true, force: true });
        }
      }
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
      await admin.end();
    },
  };
}
