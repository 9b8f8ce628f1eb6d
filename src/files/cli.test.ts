// `npx otklik files migrate`: a data folder's attachments move into the database and back, byte for byte, and leave
// the source store; the command says how many it moved.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db/client.ts";
import { DatabaseFileStore, DiskFileStore } from "./store.ts";

const run = promisify(execFile);
const BIN = fileURLToPath(new URL("../../bin/otklik.js", import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), "otklik-files-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, OTKLIK_DATA_DIR: dir, OTKLIK_ADMIN_PASSWORD: "files-cli-password-1" };
const migrate = async (to: string) =>
  JSON.parse((await run(process.execPath, [BIN, "files", "migrate", "--to", to, "--json"], { env })).stdout) as {
    files: number;
    bytes: number;
  };

describe.skipIf(process.env.TEST_DATABASE_URL)("files migrate", () => {
  it("moves the data folder's files into the database and back", async () => {
    const disk = new DiskFileStore(path.join(dir, "attachments"), 10 * 1024 * 1024);
    const a = await disk.put("письмо.txt", Buffer.from("Прошу проверить статус заявления"));
    const b = await disk.put("скан.pdf", Buffer.from(`%PDF-1.4\n${"x".repeat(600_000)}\n%%EOF`));

    expect(await migrate("database")).toMatchObject({ files: 2 });
    expect(await disk.has(a.id)).toBe(false);
    const database = await openDatabase({ dataDir: dir });
    try {
      const db = new DatabaseFileStore(database.db, 10 * 1024 * 1024);
      expect((await db.read(a.id)).toString()).toBe("Прошу проверить статус заявления");
      expect((await db.read(b.id)).length).toBe(b.size);
    } finally {
      await database.close();
    }

    expect(await migrate("disk")).toMatchObject({ files: 2 });
    expect((await disk.read(b.id)).length).toBe(b.size);
    // Nothing left to move: a second run is harmless.
    expect(await migrate("disk")).toMatchObject({ files: 0 });
  }, 180_000);

  it("refuses an unknown target with a usage line", async () => {
    await expect(run(process.execPath, [BIN, "files", "migrate", "--to", "s3"], { env })).rejects.toMatchObject({
      stderr: expect.stringContaining("otklik files migrate --to database|disk"),
    });
  });
});
