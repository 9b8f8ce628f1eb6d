// Backup and restore on PostgreSQL with the real command line and the machine's pg_dump/pg_restore: a server fills
// its schema; `otklik backup` copies it while the server runs; the schema is dropped; `otklik restore` brings it
// back; a server started on it answers everything the same, signs staff in and numbers on without a clash.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { restore } from "../src/cli/backup.ts";
import { startServer } from "../src/server.ts";
import { checkAlive, fill, KEYS, newDataDir, PNG, snapshot, testConfig } from "./backup-scenario.ts";

const url = process.env.TEST_DATABASE_URL;
const BIN = fileURLToPath(new URL("../bin/otklik.js", import.meta.url));
const schema = `otklik_bk_${randomBytes(4).toString("hex")}`;
const dirs: string[] = [];
const dir = (name: string) => {
  const d = newDataDir(name);
  dirs.push(d);
  return d;
};

function inSchema(name: string) {
  const u = new URL(url!);
  u.searchParams.set("options", `-c search_path=${name}`);
  return u.toString();
}

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...KEYS, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe.skipIf(!url)("backup and restore on PostgreSQL", () => {
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await admin(`drop schema if exists ${schema} cascade`);
  });

  it("a copy taken while the server runs comes back whole into the dropped schema", async () => {
    await admin(`create schema ${schema}`);
    const dbUrl = inSchema(schema);
    const source = dir("pg-source");
    const first = await startServer(await testConfig(source, dbUrl), { logger: false });
    let filled: Awaited<ReturnType<typeof fill>>;
    let before: Awaited<ReturnType<typeof snapshot>>;
    const copy = path.join(dir("pg-copy"), "nightly");
    try {
      filled = await fill(first);
      before = await snapshot(first, filled);
      expect(before.total).toBe(3);
      expect(before.fileByStaff.bytes.equals(PNG)).toBe(true);
      expect(before.rawLetter.bytes.includes(filled.email.raw)).toBe(true);
      expect(before.revealed.body).toMatchObject({ email: "maria.backup@example.ru" });
      expect(before.conversation).toContain("Не приходит смс с кодом подтверждения на телефон");

      // PostgreSQL gives pg_dump one snapshot: no need to stop the server.
      const made = await cli(["backup", copy], { DATABASE_URL: dbUrl, OTKLIK_DATA_DIR: source });
      expect(made.code, made.err).toBe(0);
      expect(made.out).toContain(`схема «${schema}»`);
      expect(made.out).toMatch(/вложений: 1 /);
    } finally {
      await first.close();
    }

    // Not over live data: the schema still holds the tables.
    const target = dir("pg-restored");
    const settings = await testConfig(target, dbUrl);
    await expect(restore(settings, copy)).rejects.toMatchObject({ code: "restore_target_not_empty" });
    // Not into a schema of another name: pg_restore would put the tables back under the old one.
    await expect(restore({ ...settings, databaseUrl: inSchema(`${schema}_other`) }, copy)).rejects.toMatchObject({
      code: "backup_schema_mismatch",
    });

    await admin(`drop schema ${schema} cascade`);
    const restored = await cli(["restore", copy], { DATABASE_URL: dbUrl, OTKLIK_DATA_DIR: target });
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toMatch(/восстановлена/);
    const migrated = await cli(["migrate"], { DATABASE_URL: dbUrl, OTKLIK_DATA_DIR: target });
    expect(migrated.code, migrated.err).toBe(0);

    const second = await startServer(await testConfig(target, dbUrl), { logger: false });
    try {
      const after = await snapshot(second, filled);
      expect(after).toEqual(before);
      await checkAlive(second, filled, before);
    } finally {
      await second.close();
    }
  }, 240_000);
});
