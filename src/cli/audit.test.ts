// `npx otklik audit` on an embedded database of its own: a fresh checkpoint, then `audit verify` fed the log file it
// was kept in, or the checkpoint itself, passes while the log is whole and names the entries deleted after it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { audit } from "../audit/audit.ts";
import { type Db, openDatabase } from "../db/client.ts";
import { loadKeyring } from "../security/start.ts";
import { run } from "./audit.ts";

let dataDir: string;
const saved = { ...process.env };

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-audit-"));
  process.env.OTKLIK_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  delete process.env.OTKLIK_DATA_KEYS;
  delete process.env.OTKLIK_INDEX_KEY;
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

async function call(argv: string[]): Promise<{ code: number; out: string; err: string }> {
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

describe("audit", () => {
  it("prints a checkpoint, verifies against a log file or the checkpoint itself, and names deleted entries", async () => {
    loadKeyring({ dataKeys: undefined, indexKey: undefined });
    const ids = await withDb(async (db) => {
      for (let i = 0; i < 5; i++) {
        await db.transaction((tx) =>
          audit(tx, { actorId: 1, action: "request.view", subjectType: "request", subjectId: String(i) }),
        );
      }
      const r = (await db.execute(sql`select id from audit_log order by id`)) as unknown as { rows: { id: number }[] };
      return r.rows.map((x) => Number(x.id));
    });

    const made = await call(["checkpoint"]);
    expect(made.code, made.err).toBe(0);
    const token = made.out.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^otklik-audit-checkpoint\.v1\./);

    // As a log collector keeps it: among other lines, inside the server's JSON line.
    const log = path.join(dataDir, "otklik.log");
    writeFileSync(
      log,
      [
        '{"level":30,"msg":"request completed","res":{"statusCode":200}}',
        JSON.stringify({ level: 30, msg: "audit checkpoint", auditCheckpoint: token }),
        "",
      ].join("\n"),
    );
    const whole = await call(["verify", "--checkpoint", log]);
    expect(whole.code, whole.out + whole.err).toBe(0);
    expect(whole.out).toContain("Журнал цел");

    await withDb((db) => db.execute(sql`delete from audit_log where id >= ${ids[3]}`));
    const fromFile = await call(["verify", "--checkpoint", log]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.out).toContain(`№ ${ids[4]}`);
    expect(fromFile.out).toContain("не хватает 2 записей");

    const fromToken = await call(["verify", "--checkpoint", token, "--json"]);
    expect(fromToken.code).toBe(1);
    const report = JSON.parse(fromToken.out);
    expect(report.problems).toEqual([expect.objectContaining({ code: "newest_deleted", missing: 2 })]);

    const none = await call(["verify", "--checkpoint", "nothing here"]);
    expect(none.code).toBe(1);
    expect(none.err).toContain("контрольн");
  });
});
