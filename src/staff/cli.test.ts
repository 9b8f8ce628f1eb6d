// `npx otklik token list|revoke` and `npx otklik user deactivate|activate` on an embedded database of their own.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLog } from "../audit/db-schema.ts";
import { type Db, openDatabase } from "../db/client.ts";
import { run as runUser } from "./cli.ts";
import { run as runToken } from "./cli-token.ts";
import { apiTokens, users } from "./schema.ts";
import { createApiToken, createUser, findApiToken } from "./service.ts";

let dataDir: string;
const saved = { ...process.env };
const EMAIL = "cli-tokens@otklik.test";

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-staff-cli-"));
  process.env.OTKLIK_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
});
afterAll(() => {
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir });
  try {
    await database.migrate();
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function call(run: (argv: string[]) => Promise<number>, argv: string[]) {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

type Listed = { id: number; prefix: string | null; name: string; revokedAt: string | null; lastUsedAt: string | null };

describe("token and user commands", () => {
  it("list an employee's tokens, revoke one by its prefix and one by its id", async () => {
    const [first, second] = await withDb(async (db) => {
      await createUser(db, { email: EMAIL, role: "operator", password: "staff-password-1" });
      return [await createApiToken(db, EMAIL, "выгрузка"), await createApiToken(db, EMAIL, "скрипт")];
    });
    const listed = await call(runToken, ["list", "--email", EMAIL, "--json"]);
    expect(listed.code, listed.err).toBe(0);
    const tokens = JSON.parse(listed.out) as Listed[];
    expect(tokens.map((t) => t.name).sort()).toEqual(["выгрузка", "скрипт"]);
    expect(listed.out).not.toContain(first!.slice(12));
    const firstRow = tokens.find((t) => t.name === "выгрузка")!;
    expect(first!.startsWith(firstRow.prefix!)).toBe(true);

    const text = await call(runToken, ["list", "--email", EMAIL]);
    expect(text.out).toContain(firstRow.prefix!);
    expect(text.out).toContain("выгрузка");

    expect((await call(runToken, ["revoke", firstRow.prefix!])).code).toBe(0);
    const secondRow = tokens.find((t) => t.name === "скрипт")!;
    expect((await call(runToken, ["revoke", String(secondRow.id)])).code).toBe(0);
    const unknown = await call(runToken, ["revoke", "otk_nosuchtoken"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/не найден/);

    await withDb(async (db) => {
      expect((await db.select().from(apiTokens)).every((t) => t.revokedAt !== null)).toBe(true);
      expect(await findApiToken(db, first!)).toBeUndefined();
      expect(await findApiToken(db, second!)).toBeUndefined();
      const entries = await db.select().from(auditLog).where(eq(auditLog.action, "token.revoke"));
      expect(entries).toHaveLength(2);
      expect(entries.every((e) => e.actorId === null && (e.details as { via?: string }).via === "cli")).toBe(true);
    });
  }, 240_000);

  it("deactivate an employee (their tokens stop) and activate them again", async () => {
    const token = await withDb((db) => createApiToken(db, EMAIL, "третий"));
    const off = await call(runUser, ["deactivate", "--email", EMAIL]);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toMatch(/отключ/);
    await withDb(async (db) => {
      const [u] = await db.select({ active: users.active }).from(users).where(eq(users.email, EMAIL));
      expect(u!.active).toBe(false);
      expect(await findApiToken(db, token)).toBeUndefined();
      const live = await db.select().from(apiTokens);
      expect(live.every((t) => t.revokedAt !== null)).toBe(true);
    });
    const on = await call(runUser, ["activate", "--email", EMAIL]);
    expect(on.code, on.err).toBe(0);
    await withDb(async (db) => {
      const [u] = await db.select({ active: users.active }).from(users).where(eq(users.email, EMAIL));
      expect(u!.active).toBe(true);
      const actions = (await db.select().from(auditLog)).map((e) => e.action);
      expect(actions).toEqual(expect.arrayContaining(["user.deactivate", "user.activate"]));
    });
    const missing = await call(runUser, ["deactivate", "--email", "nobody@otklik.test"]);
    expect(missing.code).toBe(1);
  }, 240_000);
});
