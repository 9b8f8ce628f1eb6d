// OTKLIK_WORKERS: one `otklik serve` supervising several server processes behind the same port on one PostgreSQL.
// Requests go through whichever process node:cluster hands the connection to; a process killed is replaced while
// the others serve; SIGTERM ends them all. With the embedded database the setting is refused at start.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { type Child, exited, freePort, startChild } from "./process.ts";

const url = process.env.TEST_DATABASE_URL;
const schema = `otklik_workers_${randomBytes(4).toString("hex")}`;
const BIN = fileURLToPath(new URL("../bin/otklik.js", import.meta.url));
let server: Child;

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {}
  }
  return out;
}

/** The value once `ok` holds; after `ms`, a failure that shows the last value and the server's output. */
async function until<T>(what: () => T | Promise<T>, ok: (v: T) => boolean, ms = 50_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`still ${JSON.stringify(v)}; the server said:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("OTKLIK_WORKERS", () => {
  it("is refused with the embedded database, in Russian, naming the setting", () => {
    expect(() => loadConfig({ OTKLIK_WORKERS: "2" })).toThrow(ConfigError);
    expect(() => loadConfig({ OTKLIK_WORKERS: "2" })).toThrow(/OTKLIK_WORKERS.*PostgreSQL/);
    expect(() => loadConfig({ OTKLIK_WORKERS: "0" })).toThrow(/OTKLIK_WORKERS/);
    expect(loadConfig({}).workers).toBe(1);
  });

  it("stops `otklik serve` at start with the same message, before any process is started", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "otklik-workers-refused-"));
    try {
      const proc = spawn(process.execPath, [BIN, "serve"], {
        env: { ...process.env, OTKLIK_WORKERS: "2", OTKLIK_DATA_DIR: dir, DATABASE_URL: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let err = "";
      proc.stderr!.on("data", (d) => (err += d));
      expect(await exited(proc)).toBe(2);
      expect(err).toContain("Настройка OTKLIK_WORKERS");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(!url)("two workers on one PostgreSQL", () => {
  let dir = "";
  let metricsPort = 0;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(url!);
    u.searchParams.set("options", `-c search_path=${schema}`);
    dir = mkdtempSync(path.join(os.tmpdir(), "otklik-workers-"));
    metricsPort = await freePort();
    server = await startChild(
      {
        DATABASE_URL: u.toString(),
        OTKLIK_DATA_DIR: dir,
        OTKLIK_WORKERS: "2",
        OTKLIK_METRICS_PORT: String(metricsPort),
      },
      180_000,
    );
  }, 240_000);

  afterAll(async () => {
    if (server && server.proc.exitCode === null) {
      server.proc.kill("SIGKILL");
      for (const pid of childrenOf(server.proc.pid!)) process.kill(pid, "SIGKILL");
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  const file = async (i: number) => {
    const res = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json", connection: "close" },
      body: JSON.stringify({ text: `Не приходит код подтверждения, попытка ${i}` }),
    });
    return res.status;
  };

  it("serves through both processes, replaces one that is killed, and ends them all on SIGTERM", async () => {
    const primary = server.proc.pid!;
    const workers = await until(
      () => childrenOf(primary),
      (w) => w.length === 2,
    );
    expect(workers).toHaveLength(2);
    // Both processes have started their server (each says so), and requests go through.
    await until(
      () => server.output().match(/Otklik работает \(процесс \d+\)/g)?.length ?? 0,
      (n) => n === 2,
    );
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => file(i)))).toEqual(Array(20).fill(201));
    // The supervisor serves both processes' metrics on one port, added up: every submission counted once, whichever
    // process took it, and the outbox's backlog (a figure of the whole database) as one line, not one per process.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const line = (name: string) => metrics.split("\n").filter((l) => l.startsWith(name));
    expect(
      line('otklik_http_request_duration_seconds_count{method="POST",route="/api/v1/requests",status="201"}'),
    ).toEqual(['otklik_http_request_duration_seconds_count{method="POST",route="/api/v1/requests",status="201"} 20']);
    expect(line("otklik_outbox_pending ")).toHaveLength(1);

    // One is killed: the other keeps serving while the supervisor starts a replacement.
    process.kill(workers[0]!, "SIGKILL");
    const replaced = await until(
      () => childrenOf(primary),
      (w) => w.length === 2 && !w.includes(workers[0]!),
    );
    expect(replaced).toHaveLength(2);
    expect(replaced).not.toContain(workers[0]);
    expect(server.output()).toMatch(/Процесс сервера \d+ завершился по сигналу SIGKILL: запускаю новый\./);
    await until(
      () => server.output().match(/Otklik работает \(процесс \d+\)/g)?.length ?? 0,
      (n) => n === 3,
    );
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => file(100 + i)))).toEqual(Array(10).fill(201));

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const { rows } = await admin.query(`select count(*)::int as n from ${schema}.requests`);
    await admin.end();
    expect(rows[0].n).toBeGreaterThanOrEqual(30);

    server.proc.kill("SIGTERM");
    expect(await exited(server.proc)).toBe(0);
    expect(childrenOf(primary)).toEqual([]);
    for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
  }, 180_000);
});
