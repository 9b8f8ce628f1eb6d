// Intake benchmark: N web-form submissions at concurrency C against a running server, on the embedded
// database and on PostgreSQL; prints requests/s, p50 and p99, then checks that every accepted request is
// stored exactly once. Usage: npm run bench:intake -- [--n 4000] [--c 32] [--engine pglite|postgres|both] [--url U]
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { Pool } from "undici";
import { openDatabase } from "../src/db/client.ts";
import { exited, startChild } from "../test/process.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "4000" },
    c: { type: "string", default: "32" },
    engine: { type: "string", default: "both" },
    url: { type: "string" },
    "database-url": {
      type: "string",
      default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    },
  },
});
const N = Number(values.n);
const C = Number(values.c);

export type Result = {
  engine: string;
  n: number;
  c: number;
  accepted: number;
  rps: number;
  p50: number;
  p99: number;
  stored?: number;
  missing?: number;
  doubled?: number;
};

function quantile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export async function drive(url: string, n: number, c: number, tag: string) {
  const pool = new Pool(url, { connections: c, pipelining: 1 });
  const latencies: number[] = [];
  const accepted: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const body = JSON.stringify({
        text: `Не приходит код подтверждения при входе в личный кабинет, пробовал несколько раз. ${tag}-${i}`,
        contact: { email: `bench${i}@example.ru` },
      });
      const t0 = performance.now();
      const res = await pool.request({
        method: "POST",
        path: "/api/v1/requests",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode === 201) accepted.push(JSON.parse(text).number);
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    accepted,
    rps: accepted.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

async function verify(
  query: (q: ReturnType<typeof sql>) => Promise<{ number: string; n: number }[]>,
  tag: string,
  accepted: string[],
) {
  const rows =
    await query(sql`select r.number, count(*)::int as n from requests r join messages m on m.request_id = r.id
    where m.body like ${`%${tag}-%`} group by r.number`);
  const found = new Map(rows.map((r) => [r.number, Number(r.n)]));
  return {
    stored: found.size,
    missing: accepted.filter((a) => !found.has(a)).length,
    // A request stored more than once would carry the same marker twice; a number answered twice would repeat.
    doubled: rows.filter((r) => Number(r.n) !== 1).length + (accepted.length - new Set(accepted).size),
  };
}

async function runEngine(engine: "pglite" | "postgres"): Promise<Result> {
  const tag = `bench-${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-bench-"));
  const schema = `otklik_bench_${randomBytes(4).toString("hex")}`;
  const env: Record<string, string> = { OTKLIK_DATA_DIR: dataDir, OTKLIK_LOG_LEVEL: "warn" };
  let databaseUrl: string | undefined;
  if (engine === "postgres") {
    const admin = new pg.Client({ connectionString: values["database-url"] });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(values["database-url"]!);
    u.searchParams.set("options", `-c search_path=${schema}`);
    databaseUrl = u.toString();
    env.DATABASE_URL = databaseUrl;
  }
  const child = await startChild(env, 120_000);
  try {
    await drive(child.url, Math.min(200, N), C, `warmup-${randomBytes(4).toString("hex")}`);
    const r = await drive(child.url, N, C, tag);
    child.proc.kill("SIGTERM");
    await exited(child.proc);
    const database = await openDatabase(
      engine === "pglite" ? { dataDir } : { databaseUrl: values["database-url"], schemaName: schema },
    );
    const check = await verify(
      async (q) => {
        const res = await database.db.execute(q);
        return (res as unknown as { rows: { number: string; n: number }[] }).rows;
      },
      tag,
      r.accepted,
    );
    await database.close();
    return { engine, n: N, c: C, accepted: r.accepted.length, rps: r.rps, p50: r.p50, p99: r.p99, ...check };
  } finally {
    if (child.proc.exitCode === null) child.proc.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    if (engine === "postgres") {
      const admin = new pg.Client({ connectionString: values["database-url"] });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  }
}

function print(r: Result) {
  console.log(
    `${r.engine.padEnd(9)} n=${r.n} c=${r.c}  accepted ${r.accepted}  ${r.rps.toFixed(0)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms` +
      (r.stored !== undefined ? `  stored ${r.stored}, missing ${r.missing}, doubled ${r.doubled}` : ""),
  );
}

/**
 * The limit without HTTP: the same registration (the same SQL statements in the same transaction) called in one
 * process straight on the database driver, at the same concurrency. The ratio HTTP/direct shows what the web
 * layer and the separate client cost.
 */
async function runDirect(engine: "pglite" | "postgres"): Promise<{ rps: number; p50: number; p99: number }> {
  const { loadConfig } = await import("../src/config.ts");
  const { startServer } = await import("../src/server.ts");
  const { registerRequest } = await import("../src/requests/create.ts");
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-bench-direct-"));
  const schema = `otklik_bench_${randomBytes(4).toString("hex")}`;
  const database = await openDatabase(
    engine === "pglite" ? { dataDir } : { databaseUrl: values["database-url"], schemaName: schema },
  );
  const config = loadConfig({}, { dataDir, smtpPort: 0, adminPassword: "bench-admin-password-1", logLevel: "silent" });
  const server = await startServer(config, { database, logger: false, listen: false });
  const latencies: number[] = [];
  let next = 0;
  const one = async (i: number) => {
    const t0 = performance.now();
    await registerRequest(server.ctx, {
      text: `Не приходит код подтверждения при входе в личный кабинет, пробовал несколько раз. direct-${i}`,
      contact: { email: `direct${i}@example.ru` },
      channel: "web",
    });
    latencies.push(performance.now() - t0);
  };
  for (let i = 0; i < 200; i++) await one(-i - 1);
  latencies.length = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) await one(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (engine === "postgres") {
    const admin = new pg.Client({ connectionString: values["database-url"] });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  latencies.sort((a, b) => a - b);
  return { rps: N / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

if (values.url) {
  const r = await drive(values.url, N, C, `bench-${randomBytes(4).toString("hex")}`);
  print({ engine: "external", n: N, c: C, accepted: r.accepted.length, rps: r.rps, p50: r.p50, p99: r.p99 });
} else {
  const engines =
    values.engine === "both" ? (["pglite", "postgres"] as const) : [values.engine as "pglite" | "postgres"];
  for (const e of engines) {
    const http = await runEngine(e);
    print(http);
    const direct = await runDirect(e);
    console.log(
      `${e.padEnd(9)} direct (no HTTP): ${direct.rps.toFixed(0)} req/s  p50 ${direct.p50.toFixed(1)} ms  p99 ${direct.p99.toFixed(1)} ms` +
        `  → HTTP reaches ${((http.rps / direct.rps) * 100).toFixed(0)}% of it`,
    );
  }
}
