// Backup and restore of the embedded database (PGlite) with the real command line: a server fills its data folder,
// stops; `otklik backup` copies it; `otklik restore` puts the copy into a new data folder; a server started there
// answers every request, message, file, letter, chat, sign-in and tracking link the same, and numbers on.
import { spawn } from "node:child_process";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type BackupManifest, MANIFEST, restore } from "../src/cli/backup.ts";
import { startServer } from "../src/server.ts";
import { checkAlive, fill, KEYS, newDataDir, PNG, snapshot, testConfig } from "./backup-scenario.ts";

const BIN = fileURLToPath(new URL("../bin/otklik.js", import.meta.url));
const dirs: string[] = [];
const dir = (name: string) => {
  const d = newDataDir(name);
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `otklik <args>` as an operator would, with the data folder and the keys in the environment. */
function cli(args: string[], dataDir: string) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...KEYS, OTKLIK_DATA_DIR: dataDir, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("backup and restore on the embedded database", () => {
  it("restores into a new data folder everything the API showed, and the restored server numbers on", async () => {
    const source = dir("source");
    const first = await startServer(await testConfig(source), { logger: false });
    const filled = await fill(first);
    const before = await snapshot(first, filled);
    expect(before.total).toBe(3);
    expect(before.fileByStaff.bytes.equals(PNG)).toBe(true);
    // Stored as received, with the Return-Path the intake puts first.
    expect(before.rawLetter.status).toBe(200);
    expect(before.rawLetter.bytes.includes(filled.email.raw)).toBe(true);
    expect(before.revealed.body).toMatchObject({ email: "maria.backup@example.ru" });
    expect(before.track.status).toBe(200);
    expect(before.letters).toHaveLength(1);
    expect(before.conversation).toContain("Не приходит смс с кодом подтверждения на телефон");

    // The folder is held by the running server: the copy waits for it to stop.
    const copy = path.join(dir("copy"), "nightly");
    const busy = await cli(["backup", copy, "--json"], source);
    expect(busy.code).toBe(1);
    expect(JSON.parse(busy.out).error.code).toBe("data_dir_in_use");
    await first.close();

    const made = await cli(["backup", copy], source);
    expect(made.code, made.err).toBe(0);
    expect(made.out).toMatch(/Копия записана/);
    expect(made.out).toMatch(/ключами «kb1»/);
    expect(readdirSync(copy).sort()).toEqual(["attachments", MANIFEST, "pgdata.tar.gz"].sort());
    const again = await cli(["backup", copy, "--json"], source);
    expect(JSON.parse(again.out).error.code).toBe("backup_target_not_empty");

    const target = dir("restored");
    const restored = await cli(["restore", copy], target);
    expect(restored.code, restored.err).toBe(0);
    expect(restored.out).toMatch(/восстановлена/);
    const twice = await cli(["restore", copy, "--json"], target);
    expect(JSON.parse(twice.out).error.code).toBe("restore_target_not_empty");

    const second = await startServer(await testConfig(target), { logger: false });
    try {
      const after = await snapshot(second, filled);
      expect(after).toEqual(before);
      await checkAlive(second, filled, before);
    } finally {
      await second.close();
    }
    // The source keeps working after the copy was taken.
    const resumed = await startServer(await testConfig(source), { logger: false });
    await resumed.close();
  }, 180_000);

  it("refuses a folder that is not a finished copy, a copy of the other engine, and a restore without its keys", async () => {
    const empty = dir("not-a-copy");
    const settings = { ...(await testConfig(dir("t1"))) };
    await expect(restore(settings, empty)).rejects.toMatchObject({ code: "backup_incomplete" });
    writeFileSync(path.join(empty, MANIFEST), "{ half a manif");
    await expect(restore(settings, empty)).rejects.toMatchObject({ code: "backup_incomplete" });

    const manifest: BackupManifest = {
      format: 1,
      engine: "postgres",
      schema: "otklik",
      createdAt: new Date().toISOString(),
      migrations: 1,
      attachments: { files: 0, bytes: 0 },
      keys: { kb1: 3 },
    };
    writeFileSync(path.join(empty, MANIFEST), JSON.stringify(manifest));
    await expect(restore(settings, empty)).rejects.toMatchObject({ code: "backup_engine_mismatch" });

    writeFileSync(path.join(empty, MANIFEST), JSON.stringify({ ...manifest, engine: "pglite", keys: { k0: 3 } }));
    const refused = restore(settings, empty);
    await expect(refused).rejects.toMatchObject({ code: "restore_keys_missing" });
    await expect(refused).rejects.toThrow(/«k0»/);
    // Past the keys on request, and then the missing database file stops it before anything is written.
    await expect(restore(settings, empty, { ignoreKeys: true })).rejects.toMatchObject({ code: "backup_incomplete" });
    expect(readdirSync(settings.dataDir)).toEqual([]);

    writeFileSync(path.join(empty, MANIFEST), JSON.stringify({ ...manifest, engine: "pglite", migrations: 9999 }));
    await expect(restore(settings, empty)).rejects.toMatchObject({ code: "backup_from_newer_version" });
  });
});
