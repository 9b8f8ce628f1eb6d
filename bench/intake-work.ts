// The intake's whole work per request: N web-form submissions at concurrency C over HTTP to `otklik serve`, with or
// without the applicant's e-mail, and the server process's own CPU time (user + system, from /proc) from the first
// submission until its background jobs have finished (the process has gone quiet), divided by N. A figure the rest
// of the machine's load disturbs far less than requests per second. `--root` runs another checkout's server (to
// compare two versions of the code with the same client); `--cpu-prof DIR` writes the server's V8 profile there. On
// PostgreSQL the server processes' CPU time over the same span is printed too (`databaseCpuMsPerRequest`), and over the
// submissions alone (`…DuringHttp`, as for the server).
// Several kinds in `--contact` (none,email) are measured one after another on the same server, after a warm-up that
// shares `--warmup` submissions among them.
// Usage: node --import tsx bench/intake-work.ts [--engine pglite|postgres] [--contact none,email] [--n 1500] [--c 32]
//        [--warmup 300] [--root DIR] [--cpu-prof DIR]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { Pool } from "undici";
import { freePort } from "../test/process.ts";
import { cpuMs, cpuMsOf, load, quantile, quiet } from "./raw.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1500" },
    c: { type: "string", default: "32" },
    warmup: { type: "string", default: "300" },
    engine: { type: "string", default: "pglite" },
    contact: { type: "string", default: "none,email" },
    root: { type: "string", default: fileURLToPath(new URL("..", import.meta.url)) },
    "cpu-prof": { type: "string" },
    "database-url": {
      type: "string",
      default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    },
  },
});
const N = Number(values.n);
const C = Number(values.c);
/** The profiler's sampling costs some CPU of its own: a profiled server counts as quiet at a higher level. */
const IDLE_MS = values["cpu-prof"] ? 60 : 10;

/**
 * The CPU time so far of the machine's PostgreSQL server processes (every process named «postgres»: the backends serve
 * this benchmark alone on a test machine), in milliseconds; backends that ended in between are not counted.
 */
const postgresCpuMs = () => cpuMsOf((_pid, _parent, name) => name === "postgres");

async function drive(url: string, n: number, tag: string, contact: string) {
  const pool = new Pool(url, { connections: C, pipelining: 1 });
  const latencies: number[] = [];
  let accepted = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < n) {
        const i = next++;
        const body = JSON.stringify({
          text: `Не приходит код подтверждения при входе в личный кабинет, пробовал несколько раз. ${tag}-${i}`,
          ...(contact === "email" ? { contact: { email: `bench${i}@example.ru` } } : {}),
        });
        const t0 = performance.now();
        const res = await pool.request({
          method: "POST",
          path: "/api/v1/requests",
          headers: { "content-type": "application/json" },
          body,
        });
        await res.body.text();
        latencies.push(performance.now() - t0);
        if (res.statusCode === 201) accepted++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { accepted, rps: accepted / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-bench-work-"));
const schema = `otklik_bench_${randomBytes(4).toString("hex")}`;
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  OTKLIK_DATA_DIR: dataDir,
  OTKLIK_LOG_LEVEL: "warn",
  OTKLIK_SMTP_PORT: "0",
  OTKLIK_ADMIN_PASSWORD: "bench-admin-password-1",
  OTKLIK_PUBLIC_RATE_LIMIT: "0",
};
if (values.engine === "postgres") {
  const admin = new pg.Client({ connectionString: values["database-url"] });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(values["database-url"]!);
  u.searchParams.set("options", `-c search_path=${schema}`);
  env.DATABASE_URL = u.toString();
}
const port = await freePort();
env.OTKLIK_PORT = String(port);
const prof = values["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]] : [];
const proc = spawn(process.execPath, [...prof, path.join(values.root!, "bin/otklik.js"), "serve"], {
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
let out = "";
proc.stdout.on("data", (d) => (out += d));
proc.stderr.on("data", (d) => (out += d));
const url = `http://127.0.0.1:${port}`;
try {
  // A loaded machine may take minutes to start a server from its sources.
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited early: ${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    try {
      // Older versions have no readiness route: their health answer says the same.
      const ready = await fetch(`${url}/api/v1/ready`);
      if (ready.ok || (ready.status === 404 && (await fetch(`${url}/api/v1/health`)).ok)) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const kinds = values.contact!.split(",");
  // Each kind has its share of the warm-up before any is measured, so every kind is measured on code all of them warmed.
  for (const contact of kinds) {
    await drive(
      url,
      Math.ceil(Number(values.warmup) / kinds.length),
      `warmup-${randomBytes(4).toString("hex")}`,
      contact,
    );
  }
  for (const contact of kinds) {
    const loadStart = load();
    const before = await quiet(proc.pid!, IDLE_MS);
    const dbBefore = postgresCpuMs();
    const r = await drive(url, N, `bench-${randomBytes(4).toString("hex")}`, contact);
    const atEnd = cpuMs(proc.pid!);
    const dbAtEnd = values.engine === "postgres" ? postgresCpuMs() : 0;
    const after = await quiet(proc.pid!, IDLE_MS);
    const dbAfter = postgresCpuMs();
    // The quiet wait's own two seconds of idling are counted too; they are small and the same for every version.
    console.log(
      JSON.stringify({
        engine: values.engine,
        contact,
        n: N,
        c: C,
        accepted: r.accepted,
        rps: Math.round(r.rps),
        p50: Number(r.p50.toFixed(1)),
        p99: Number(r.p99.toFixed(1)),
        cpuMsPerRequest: Number(((after - before) / N).toFixed(2)),
        cpuMsPerRequestDuringHttp: Number(((atEnd - before) / N).toFixed(2)),
        ...(values.engine === "postgres"
          ? {
              databaseCpuMsPerRequest: Number(((dbAfter - dbBefore) / N).toFixed(2)),
              databaseCpuMsPerRequestDuringHttp: Number(((dbAtEnd - dbBefore) / N).toFixed(2)),
            }
          : {}),
        load: `${loadStart} → ${load()}`,
      }),
    );
  }
} finally {
  proc.kill("SIGTERM");
  await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once("exit", r)));
  rmSync(dataDir, { recursive: true, force: true });
  if (values.engine === "postgres") {
    const admin = new pg.Client({ connectionString: values["database-url"] });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}
