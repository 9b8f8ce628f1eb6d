// `npx otklik keys` on an embedded database of its own: a key printed in the form the setting takes, the status,
// a rotation from the development key to a configured one.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Db, openDatabase } from "../db/client.ts";
import { requests } from "../requests/schema.ts";
import { parseDataKeys } from "../security/keys.ts";
import { blindIndex } from "../security/sealed.ts";
import { loadKeyring } from "../security/start.ts";
import { run } from "./keys.ts";

let dataDir: string;
const saved = { ...process.env };

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-keys-"));
  process.env.OTKLIK_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  delete process.env.OTKLIK_DATA_KEYS;
  delete process.env.OTKLIK_INDEX_KEY;
});
afterAll(() => {
  process.env = saved;
  rmSync(dataDir, { recursive: true, force: true });
});

async function withDb(fn: (db: Db) => Promise<void>) {
  const database = await openDatabase({ dataDir });
  try {
    await database.migrate();
    await fn(database.db);
  } finally {
    await database.close();
  }
}

async function call(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    return { code: await run(argv), out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe("keys", () => {
  it("generates a key OTKLIK_DATA_KEYS accepts", async () => {
    const { code, out } = await call(["generate"]);
    expect(code).toBe(0);
    const [key] = parseDataKeys(out.trim());
    expect(key!.key.length).toBe(32);
  });

  it("reports the development key, then rotates to a configured one", async () => {
    const before = await call(["status", "--json"]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.out)).toMatchObject({ current: "dev", development: true });

    // A request written before any key was configured: under the development key.
    await withDb(async (db) => {
      loadKeyring({ dataKeys: undefined, indexKey: undefined });
      await db.insert(requests).values({
        number: "1000010",
        trackingTokenHash: "t",
        channel: "web",
        contactEmail: "cli@example.ru",
        contactEmailHash: blindIndex("email", "cli@example.ru"),
      });
    });
    expect(JSON.parse((await call(["status", "--json"])).out).keys).toEqual({ dev: 1 });

    process.env.OTKLIK_DATA_KEYS = (await call(["generate"])).out.trim();
    const rotated = await call(["rotate", "--json"]);
    expect(rotated.code).toBe(0);
    const report = JSON.parse(rotated.out);
    expect(report.current).toMatch(/^k\d{8}$/);
    expect(report.tables.requests).toBe(1);
    expect(report.keys).toEqual({ [report.current]: 1 });
    await withDb(async (db) => {
      const [row] = await db.select({ email: requests.contactEmail }).from(requests);
      expect(row!.email).toBe("cli@example.ru");
      const raw = (await db.execute(sql`select contact_email from requests`)) as unknown as {
        rows: { contact_email: string }[];
      };
      expect(raw.rows[0]!.contact_email.startsWith(`v1:${report.current}:`)).toBe(true);
    });
  }, 60_000);

  it("answers an unknown command with the list and exit code 1", async () => {
    const { code, out } = await call(["spin", "--json"]);
    expect(code).toBe(1);
    expect(JSON.parse(out).error.message).toContain("keys rotate");
  });
});
