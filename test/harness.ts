// A whole Otklik for a test: its own database (in-memory PGlite, or a schema of its own on the PostgreSQL
// server named by TEST_DATABASE_URL), its own data folder, the real HTTP application driven by inject().
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Config, loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { type Running, startServer } from "../src/server.ts";
import type { Role } from "../src/staff/schema.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import { dropSchema } from "./database.ts";

export const TEST_ADMIN_PASSWORD = "test-admin-password-1";

export type TestServer = Running & {
  dataDir: string;
  /** Creates an employee and returns the Authorization header of a fresh API token. */
  staff(
    role: Role,
    opts?: { department?: string; email?: string },
  ): Promise<{ authorization: string; id: number; email: string }>;
};

export async function createTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const url = process.env.TEST_DATABASE_URL;
  const schemaName = url ? `otklik_test_${randomBytes(5).toString("hex")}` : undefined;
  const database = await openDatabase({ databaseUrl: url, schemaName, poolSize: 5 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-test-"));
  const config = loadConfig(
    {},
    {
      dataDir,
      publicRateLimit: 0,
      adminPassword: TEST_ADMIN_PASSWORD,
      publicUrl: "http://otklik.test",
      logLevel: "silent",
      // No SMTP intake unless a test asks for one (on a port of its own).
      smtpPort: 0,
      // Jobs run at once: a test's quick run of requests is not a burst to give way to (tested in src/db/outbox.test.ts).
      jobsDeferMs: 0,
      ...overrides,
    },
  );
  const running = await startServer(config, {
    database,
    logger: false,
    listen: overrides.port !== undefined,
  });
  let n = 0;
  return {
    ...running,
    dataDir,
    async staff(role, opts = {}) {
      const email = opts.email ?? `${role}${++n}-${randomBytes(3).toString("hex")}@otklik.test`;
      const user = await createUser(running.ctx.db, {
        email,
        name: `${role} ${n}`,
        role,
        password: "staff-password-1",
        department: opts.department,
      });
      const token = await createApiToken(running.ctx.db, email);
      return { authorization: `Bearer ${token}`, id: user.id, email };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
      await dropSchema(url, schemaName);
    },
  };
}
