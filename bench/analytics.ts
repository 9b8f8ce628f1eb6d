// Statistics benchmark: each dashboard run a few times; p50 and p95 per dashboard, three ways in the same run:
//   service — the board function called in-process (src/analytics/service.ts);
//   HTTP    — the same board asked of the running server as a supervisor (/api/v1/analytics/…), fresh databases only;
//   raw     — the very SQL statements the service sent for that board (recorded from the driver on one call) sent
//             again, in the same order with the same parameters and the same overlap (a statement leaves once as many
//             have finished as when the service sent it), straight through the driver (a pool of 10 on PostgreSQL,
//             as the server's).
// Usage:
//   npm run bench:analytics -- [--generate 20000] [--engine pglite|postgres|both]   (a fresh database each, filled
//                                                   by the demo generator; PostgreSQL in a scratch schema, dropped)
//   npm run bench:analytics -- --database-url postgres://…/db   (an existing filled PostgreSQL database)
//   npm run bench:analytics -- --data-dir ./var                  (the embedded database in that folder)
//   [--runs 20]
import { parseArgs } from "node:util";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type Filters, ZONE } from "../src/analytics/filters.ts";
import { generateDemo } from "../src/analytics/generate.ts";
import { ratingComments } from "../src/analytics/measures.ts";
import { periodBoard, todayBoard } from "../src/analytics/service.ts";
import { loadConfig } from "../src/config.ts";
import { type Database, openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { startServer } from "../src/server.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import {
  ENGINE_NAME,
  type Engine,
  enginesOf,
  load,
  POSTGRES_URL,
  type RawDriver,
  rawPglite,
  rawPostgres,
  scratchDatabase,
} from "./raw.ts";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    generate: { type: "string", default: "20000" },
    engine: { type: "string", default: "both" },
    runs: { type: "string", default: "20" },
  },
});
const runs = Number(values.runs);

/** A statement and how many of the board's earlier statements had finished when it was sent. */
type Statement = { text: string; params: unknown[]; after: number };

/**
 * Records what the service sends to the driver while `capture` runs (queries outside transactions): the boards send
 * most of their statements at once (Promise.all), so each one is kept with the number already finished when it left.
 */
function recorder(database: Database) {
  // Drizzle sends through its session's client. That client is replaced by a view of it whose `query` records: an
  // assignment to `query` would not do, as the embedded engine's client is a proxy that answers `query` itself.
  type Client = { query: (...a: unknown[]) => Promise<unknown> };
  const session = (database.db as unknown as { session: { client: Client } }).session;
  const client = session.client;
  const original = client.query.bind(client);
  let log: Statement[] | null = null;
  let finished = 0;
  const query = (...a: unknown[]) => {
    const out = original(...a);
    if (log) {
      const [first, second] = a;
      // pg takes (text, params) or ({ text, values }) or ({ text }, params); PGlite (text, params, options).
      const o = typeof first === "string" ? { text: first } : (first as { text: string; values?: unknown[] });
      log.push({ text: o.text, params: (second as unknown[] | undefined) ?? o.values ?? [], after: finished });
      out.then(
        () => finished++,
        () => finished++,
      );
    }
    return out;
  };
  session.client = new Proxy(client, {
    get(target, key) {
      if (key === "query") return query;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return async (fn: () => Promise<unknown>) => {
    log = [];
    finished = 0;
    await fn();
    const out = log;
    log = null;
    return out;
  };
}

/** Sends the recorded statements again in the same order, each once as many have finished as when it was sent. */
async function replay(raw: RawDriver, statements: Statement[]) {
  let done = 0;
  let wake: (() => void) | undefined;
  const pending: Promise<unknown>[] = [];
  for (const s of statements) {
    while (done < s.after) await new Promise<void>((r) => (wake = r));
    pending.push(
      raw.query(s.text, s.params).then(() => {
        done++;
        const w = wake;
        wake = undefined;
        w?.();
      }),
    );
  }
  await Promise.all(pending);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function timed(fn: () => Promise<unknown>) {
  await fn(); // warm the cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

async function measure(
  database: Database,
  raw: RawDriver,
  http?: { url: string; authorization: string; firstLine: string },
) {
  const db = database.db;
  const [{ n } = { n: "0" }] = rowsOf<{ n: string }>(await db.execute(sql`select count(*) as n from requests`));
  const [{ id: firstLine } = { id: 0 }] = rowsOf<{ id: number }>(
    await db.execute(sql`select id from departments where code = 'first_line'`),
  );
  const [{ id: someone } = { id: 0 }] = rowsOf<{ id: number }>(
    await db.execute(sql`select assignee_id as id from requests where assignee_id is not null limit 1`),
  );
  const today = DateTime.now().setZone(ZONE).startOf("day");
  const period = (days: number, extra: Partial<Filters> = {}): Filters => ({
    from: today.minus({ days: days - 1 }).toJSDate(),
    to: today.plus({ days: 1 }).toJSDate(),
    ...extra,
  });
  // The same period as the route takes it: first and last day, both included.
  const days = (d: number) => `from=${today.minus({ days: d - 1 }).toISODate()}&to=${today.toISODate()}`;
  const cases: [string, () => Promise<unknown>, string][] = [
    ["today (supervisor, live)", () => todayBoard(db, {}), "today"],
    ["period 30 days", () => periodBoard(db, period(30)), `period?${days(30)}`],
    [
      "period 30 days, web + Москва",
      () => periodBoard(db, period(30, { channel: "web", region: "Москва" })),
      `period?${days(30)}&channel=web&region=${encodeURIComponent("Москва")}`,
    ],
    [
      "period 30 days, first-line department",
      () => periodBoard(db, period(30, { departmentId: Number(firstLine) })),
      `period?${days(30)}&department=first_line`,
    ],
    [
      "period 30 days, one operator",
      () => periodBoard(db, period(30, { assigneeId: Number(someone) })),
      `period?${days(30)}&operator=${Number(someone)}`,
    ],
    ["period 90 days", () => periodBoard(db, period(90)), `period?${days(90)}`],
    ["period 365 days", () => periodBoard(db, period(365)), `period?${days(365)}`],
    ["rating comments 30 days", () => ratingComments(db, period(30)), `comments?${days(30)}`],
  ];
  const capture = recorder(database);
  console.log(
    `engine ${ENGINE_NAME[database.engine]}, ${Number(n).toLocaleString("en")} requests, ${runs} runs each; load average at start ${load()}`,
  );
  console.log(
    "| dashboard | statements | service p50 / p95, ms | HTTP p50 / p95, ms | raw p50 / p95, ms | service: % of raw | HTTP: % of raw |",
  );
  console.log("|---|---|---|---|---|---|---|");
  const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  for (const [name, fn, path] of cases) {
    const service = await timed(fn);
    let web: { p50: number; p95: number } | undefined;
    if (http) {
      web = await timed(async () => {
        const res = await fetch(`${http.url}/api/v1/analytics/${path}`, {
          headers: { authorization: http.authorization },
        });
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      });
    }
    const statements = await capture(fn);
    const direct = await timed(() => replay(raw, statements));
    // A latency: raw time over Otklik's time is how close Otklik comes to what the database allows.
    const share = (x: { p50: number }) => `${((direct.p50 / x.p50) * 100).toFixed(0)}%`;
    console.log(
      `| ${name} | ${statements.length} | ${ms(service.p50)} / ${ms(service.p95)} | ${web ? `${ms(web.p50)} / ${ms(web.p95)}` : "—"} | ` +
        `${ms(direct.p50)} / ${ms(direct.p95)} | ${share(service)} | ${web ? share(web) : "—"} |`,
    );
  }
  console.log(`load average at end ${load()}`);
}

async function generated(engine: Engine, requests: number) {
  const scratch = await scratchDatabase(engine);
  const config = loadConfig(
    {},
    {
      dataDir: scratch.dataDir,
      port: 0,
      host: "127.0.0.1",
      smtpPort: 0,
      adminPassword: "bench-admin-password-1",
      logLevel: "silent",
    },
  );
  const server = await startServer(config, { database: scratch.database, logger: false });
  let raw: RawDriver | undefined;
  try {
    const started = performance.now();
    await generateDemo(server.ctx.db, { requests });
    console.log(
      `${ENGINE_NAME[engine]}: generated ${requests.toLocaleString("en")} requests (a year) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const email = "bench-supervisor@bench.test";
    await createUser(server.ctx.db, { email, name: "Руководитель", role: "supervisor", password: "bench-password-1" });
    const authorization = `Bearer ${await createApiToken(server.ctx.db, email)}`;
    raw =
      engine === "pglite"
        ? rawPglite((server.ctx.db as unknown as { $client: PGlite }).$client)
        : rawPostgres({ connectionString: POSTGRES_URL, options: `-c search_path=${scratch.schemaName}`, max: 10 });
    await measure(scratch.database, raw, { url: server.url, authorization, firstLine: "first_line" });
  } finally {
    if (engine === "postgres") await raw?.close();
    await server.close();
    await scratch.drop();
  }
}

if (values["database-url"] || values["data-dir"]) {
  const database = await openDatabase({ databaseUrl: values["database-url"], dataDir: values["data-dir"] });
  const raw = values["database-url"]
    ? rawPostgres({ connectionString: values["database-url"], max: 10 })
    : rawPglite((database.db as unknown as { $client: PGlite }).$client);
  await measure(database, raw);
  if (values["database-url"]) await raw.close();
  await database.close();
} else {
  for (const engine of enginesOf(values.engine)) await generated(engine, Number(values.generate));
  console.log("The figures on a million requests are in docs/PERFORMANCE.md («Statistics»), measured apart.");
}
