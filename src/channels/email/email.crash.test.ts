// A crash after 250: the letter was stored, the process died before the job ran. A new process on the same
// database must turn it into exactly one request, however many workers race for it, and send one acknowledgement.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_PASSWORD } from "../../../test/harness.ts";
import { freePort, letter, SUPPORT, sendRaw } from "../../../test/test-smtp.ts";
import { type Config, loadConfig } from "../../config.ts";
import type { AppContext } from "../../context.ts";
import { type Database, openDatabase } from "../../db/client.ts";
import { rowsOf } from "../../db/outbox.ts";
import { requests } from "../../requests/schema.ts";
import { createContext } from "../../server.ts";
import { emailInbox, emailOutbox } from "./db-schema.ts";
import { processLetter } from "./inbox.ts";
import { smtpIntakePort } from "./room.ts";

const url = process.env.TEST_DATABASE_URL;
const schemaName = url ? `otklik_test_${randomBytes(5).toString("hex")}` : undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-email-crash-"));
let database: Database;

async function boot(overrides: Partial<Config>): Promise<AppContext> {
  const config = loadConfig(
    {},
    {
      dataDir,
      adminPassword: TEST_ADMIN_PASSWORD,
      publicUrl: "http://otklik.test",
      logLevel: "silent",
      supportAddress: SUPPORT,
      smtpPort: 0,
      ...overrides,
    },
  );
  // The worker is deliberately not started: jobs run only when the test kicks them.
  return createContext(config, database);
}

/** What a killed process leaves behind: its rooms and listeners gone, the database untouched. */
async function kill(ctx: AppContext) {
  await ctx.services.stopAll();
  await ctx.bus.stop();
}

afterAll(async () => {
  await database?.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (url && schemaName) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
    await admin.end();
  }
});

describe("a crash after 250", () => {
  it("loses nothing: the next process makes exactly one request and one acknowledgement", async () => {
    database = await openDatabase({ databaseUrl: url, schemaName, poolSize: 5 });
    const first = await boot({ smtpPort: await freePort() });
    const from = "after-crash@example.ru";
    const answer = await sendRaw(
      smtpIntakePort(first)!,
      letter({
        charset: "windows-1251",
        from,
        subject: "Госуслуги - Статус заявления",
        body: "Заявление на пособие не рассмотрено уже месяц.",
        messageId: "<crash-1@example.ru>",
      }),
      from,
    );
    expect(answer.response).toMatch(/^250/);
    const stored = await database.db.select().from(emailInbox);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.processedAt).toBeNull();
    await kill(first);

    const second = await boot({});
    const id = stored[0]!.id;
    // The outbox job and two stray runs race for the same letter.
    await Promise.all([second.worker.kick(), processLetter(second, id), processLetter(second, id)]);
    await second.worker.kick();
    await processLetter(second, id);

    const made = await database.db.select().from(requests).where(eq(requests.channel, "email"));
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ category: "application_status", contactEmail: from });
    const [row] = await database.db.select().from(emailInbox).where(eq(emailInbox.id, id));
    expect(row).toMatchObject({ outcome: "new", requestId: made[0]!.id });

    // No relay configured: the acknowledgement is an .eml file in the outbox folder, written once.
    const outbox = await database.db.select().from(emailOutbox);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.sentAt).not.toBeNull();
    expect(outbox[0]!.text).toBeNull();
    const files = readdirSync(path.join(dataDir, "outbox")).filter((f) => f.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const eml = readFileSync(path.join(dataDir, "outbox", files[0]!), "utf8");
    expect(eml).toContain(`To: ${from}`);
    expect(eml).toContain(made[0]!.number);
    expect(eml).toContain("In-Reply-To: <crash-1@example.ru>");
    await kill(second);
  });

  it("retries an acknowledgement while the relay is down, and keeps the letter until it goes", async () => {
    const relayPort = await freePort();
    const ctx = await boot({ smtpPort: await freePort(), smtpRelay: `smtp://127.0.0.1:${relayPort}` });
    const from = "relay-down@example.ru";
    await sendRaw(
      smtpIntakePort(ctx)!,
      letter({ from, subject: "Вопрос", body: "Как подать заявление?", messageId: "<relay-down@x>" }),
      from,
    );
    await ctx.worker.kick();
    // The recipient is stored encrypted: compared after reading, not in SQL.
    const [queued] = (await database.db.select().from(emailOutbox)).filter((o) => o.to === from);
    expect(queued).toMatchObject({ sentAt: null, failedAt: null });
    expect(queued!.lastErrorCode).toMatch(/^E[A-Z]+$/);
    expect(queued!.attempts).toBeGreaterThanOrEqual(1);
    expect(queued!.text).toContain("зарегистрировано");
    // The send job waits with its back-off instead of being dropped.
    const pending = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from events where topic = 'email.send' and processed_at is null`,
      ),
    );
    expect(Number(pending[0]!.n)).toBe(1);
    await kill(ctx);
  });
});
