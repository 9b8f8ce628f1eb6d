// Intake benchmark: N web-form submissions at concurrency C against a running server, on the embedded
// database and on PostgreSQL; prints requests/s, p50 and p99, then checks that every accepted request is
// stored exactly once. In the same run, on a fresh database each: «direct» (the registration service called
// in-process, no HTTP) and «raw» (the registration's SQL statements, grouped as the intake groups them, sent
// straight through the driver), and the HTTP floor (`GET /api/v1/health` from the same client at the same concurrency).
// Usage: npm run bench:intake -- [--n 4000] [--c 32] [--engine pglite|postgres|both] [--workers N] [--url U]
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import pg from "pg";
import { Pool } from "undici";
import { openDatabase } from "../src/db/client.ts";
import { GroupCommit } from "../src/db/group-commit.ts";
import { REGISTRATION_GROUPS, WRITE_COLUMNS, writeGroupSql } from "../src/requests/core/register.ts";
import { REGISTRATION_SQL } from "../src/routing/rules.ts";

/** The registration's group statement as the service builds it, under a name of its own. */
const WRITE_GROUP = writeGroupSql(REGISTRATION_SQL);
const WRITE_GROUP_NAME = "otklik_bench_intake_write";

import { DEFAULT_ROUTE } from "../src/routing/departments.ts";
import { exited, startChild } from "../test/process.ts";
import { ENGINE_NAME, type Engine, load, ofRaw, type Query, quantile, quiet, scratchDatabase } from "./raw.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "4000" },
    c: { type: "string", default: "32" },
    engine: { type: "string", default: "both" },
    url: { type: "string" },
    workers: { type: "string", default: "1" },
    "database-url": {
      type: "string",
      default: process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    },
  },
});
const N = Number(values.n);
const C = Number(values.c);
/** Requests that warm each side up before it is measured (the JIT compiles the hot code of server and client). */
const FLOOR_WARMUP = 6000;
const INTAKE_WARMUP = 2000;
/** Server processes behind the port (OTKLIK_WORKERS; PostgreSQL only). */
const WORKERS = Number(values.workers);

export type Result = {
  engine: string;
  n: number;
  c: number;
  accepted: number;
  rps: number;
  p50: number;
  p99: number;
  /** Requests/s of `GET /api/v1/health` from the same client at the same concurrency: the HTTP floor. */
  floor?: number;
  stored?: number;
  missing?: number;
  doubled?: number;
};

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

/**
 * The HTTP floor: the same client at the same concurrency against the cheapest route of the same server
 * (`GET /api/v1/health`), so «what HTTP itself allows on this machine» is measured in the same run as the intake.
 */
export async function floor(url: string, n: number, c: number) {
  const pool = new Pool(url, { connections: c, pipelining: 1 });
  let next = 0;
  let ok = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        next++;
        const res = await pool.request({ method: "GET", path: "/api/v1/health" });
        await res.body.text();
        if (res.statusCode === 200) ok++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return ok / seconds;
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
  if (WORKERS > 1) env.OTKLIK_WORKERS = String(WORKERS);
  const child = await startChild(env, 120_000);
  try {
    // Each side is measured warm and on a quiet server: its start-up work done, the code compiled by the JIT (the
    // first 6,000 health answers of a new server ran at about half the speed of the next 6,000: 2,600–3,000 against
    // 4,600–5,500 per second), and the warm-up's background work (its acknowledgement letters) finished before the run.
    // The floor first, on the idle server: after the intake its background work would still be running and lower it.
    await quiet(child.proc.pid!);
    await floor(child.url, FLOOR_WARMUP, C);
    const healthRps = await floor(child.url, N, C);
    await drive(child.url, INTAKE_WARMUP, C, `warmup-${randomBytes(4).toString("hex")}`);
    await quiet(child.proc.pid!);
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
    return {
      engine,
      n: N,
      c: C,
      accepted: r.accepted.length,
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      floor: healthRps,
      ...check,
    };
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
    await server.ctx.requests.register({
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

/**
 * The limit the database sets: the statements one registration group sends (src/requests/core/register.ts, writeRequests:
 * the same statement, by its text — the requests numbered, with their departments' ids, search vectors, first
 * messages, history, outbox events and their NOTIFY, incident links and staffed departments — named as Otklik names
 * it), on a fresh database of the same engine, grouped by the same group commit (`REGISTRATION_GROUPS`: one group at a
 * time on PGlite, two on PostgreSQL, at most 64 each) from the same C concurrent submitters.
 * The rows are of the same kind (same classification, due times, contact stored as ciphertext-sized text); what is
 * left out is the work Otklik does outside the database: HTTP, validation, classification, encryption.
 */
async function runRaw(engine: Engine) {
  const { loadConfig } = await import("../src/config.ts");
  const { startServer } = await import("../src/server.ts");
  const { slaDueAt } = await import("../src/routing/sla-service.ts");
  const scratch = await scratchDatabase(engine);
  // The server migrates and fills the reference tables (departments), and tells how this text is classified.
  const config = loadConfig(
    {},
    { dataDir: scratch.dataDir, smtpPort: 0, adminPassword: "bench-admin-password-1", logLevel: "silent" },
  );
  const server = await startServer(config, { database: scratch.database, logger: false, listen: false });
  const text = "Не приходит код подтверждения при входе в личный кабинет, пробовал несколько раз.";
  const guess = server.ctx.requests.rulesInUse().classify(`\n${text}`);
  const category = guess && !guess.needsTriage ? guess.category : null;
  // Due times come from the calendar, which lives with the server: taken once and moved along with the clock.
  const base = new Date();
  const baseDue = slaDueAt(server.ctx, { channel: "web", category, priority: "normal" }, base);
  const dueOf = (now: Date) => {
    const shift = (d: Date) => new Date(d.getTime() + now.getTime() - base.getTime());
    return {
      ...baseDue,
      firstResponseDueAt: shift(baseDue.firstResponseDueAt),
      resolutionDueAt: shift(baseDue.resolutionDueAt),
    };
  };
  await server.close();
  const raw = await scratch.openRaw();
  const code = category ? DEFAULT_ROUTE[category as keyof typeof DEFAULT_ROUTE] : undefined;
  const hex = (n: number) => randomBytes(n).toString("hex");

  const writeGroup = (items: number[]) =>
    raw.transaction(async (q: Query) => {
      const now = new Date();
      const due = dueOf(now);
      // Each submission by column name, as the intake writes it (src/requests/core/register.ts, WRITE_COLUMNS):
      // the tracking token sealed and the contact's address sealed with its blind index.
      const rows = items.map(
        (i): Record<string, unknown> => ({
          tracking_token_hash: hex(32),
          tracking_sealed: `v1:${hex(40)}`,
          idempotency_key: null,
          idempotency_hash: null,
          subject: text.slice(0, 120),
          category,
          category_confidence: guess?.confidence ?? null,
          category_source: category ? "classifier" : null,
          audience: guess?.audience ?? "citizen",
          region: null,
          channel: "web",
          priority: "normal",
          department: code ?? null,
          contact_name: null,
          contact_name_hash: null,
          contact_email: `v1:${hex(40)}`,
          contact_email_hash: hex(32),
          contact_phone: null,
          contact_phone_hash: null,
          first_response_due_at: due.firstResponseDueAt.toISOString(),
          resolution_due_at: due.resolutionDueAt.toISOString(),
          first_response_basis: due.firstResponseBasis,
          resolution_basis: due.resolutionBasis,
          created_at: now.toISOString(),
          search_text: `${text.slice(0, 120)}\n${text} raw-${i}`,
          body: `${text} raw-${i}`,
          changes: JSON.stringify({ channel: "web", category, categorySource: category ? "classifier" : null }),
        }),
      );
      // One array per column, in the order the statement takes them; a column the statement gained and this
      // benchmark does not fill stops the run rather than shifting every value after it.
      const columns = WRITE_COLUMNS.map((spec) => {
        const name = spec.split("::")[0]!;
        if (!(name in rows[0]!)) throw new Error(`bench/intake.ts: the raw side does not fill the column ${name}`);
        return rows.map((r) => r[name]);
      });
      // Planned as the intake plans it (its generic plan, src/requests/core/register.ts).
      await q("set local plan_cache_mode = force_generic_plan");
      const written = await q(WRITE_GROUP, [...columns, now.toISOString()], WRITE_GROUP_NAME);
      return written.map((r) => r.number as string);
    });

  const drive = async (n: number, offset: number) => {
    const sizes: number[] = [];
    const batcher = new GroupCommit(writeGroup, {
      parallel: REGISTRATION_GROUPS[engine],
      onGroup: (size) => sizes.push(size),
    });
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < n) {
          const i = offset + next++;
          const t0 = performance.now();
          await batcher.submit(i);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      rps: n / seconds,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      groups: sizes.length,
      meanGroup: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
    };
  };
  try {
    await drive(INTAKE_WARMUP, 1_000_000);
    const r = await drive(N, 0);
    const stored = Number((await raw.query("select count(*)::int as n from requests"))[0]!.n);
    return { ...r, stored: stored - INTAKE_WARMUP };
  } finally {
    await raw.close();
    await scratch.drop();
  }
}

if (values.url) {
  const r = await drive(values.url, N, C, `bench-${randomBytes(4).toString("hex")}`);
  print({ engine: "external", n: N, c: C, accepted: r.accepted.length, rps: r.rps, p50: r.p50, p99: r.p99 });
} else {
  const engines =
    values.engine === "both" ? (["pglite", "postgres"] as const) : [values.engine as "pglite" | "postgres"];
  if (WORKERS > 1 && engines.includes("pglite" as never)) {
    throw new Error("--workers above 1 needs PostgreSQL: use --engine postgres");
  }
  for (const e of engines) {
    console.log(
      `${ENGINE_NAME[e]}: n=${N} c=${C}${WORKERS > 1 ? `, ${WORKERS} server processes` : ""}, load average at start ${load()}`,
    );
    const http = await runEngine(e);
    print(http);
    const direct = await runDirect(e);
    console.log(
      `${e.padEnd(9)} direct (service in-process, no HTTP): ${direct.rps.toFixed(0)} req/s  p50 ${direct.p50.toFixed(1)} ms  p99 ${direct.p99.toFixed(1)} ms` +
        `  → HTTP reaches ${((http.rps / direct.rps) * 100).toFixed(0)}% of it`,
    );
    const raw = await runRaw(e);
    console.log(
      `${e.padEnd(9)} raw (same SQL through the driver, ${raw.groups} groups of ${raw.meanGroup.toFixed(1)} on average): ` +
        `${raw.rps.toFixed(0)} req/s  p50 ${raw.p50.toFixed(1)} ms  p99 ${raw.p99.toFixed(1)} ms  stored ${raw.stored}`,
    );
    const lower = Math.min(raw.rps, http.floor!);
    console.log(
      `${e.padEnd(9)} HTTP floor (GET /api/v1/health, same client, c=${C}): ${http.floor!.toFixed(0)} req/s; ` +
        `intake reaches ${((http.rps / lower) * 100).toFixed(0)}% of the lower limit (${lower === raw.rps ? "raw" : "HTTP floor"}, ${lower.toFixed(0)} req/s)`,
    );
    console.log(
      `${e.padEnd(9)} HTTP: ${ofRaw(http.rps, raw.rps)}; service in-process: ${ofRaw(direct.rps, raw.rps)}; load average at end ${load()}`,
    );
  }
}
