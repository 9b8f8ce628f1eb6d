// The period board over long periods with slices, on a filled database (see `otklik demo generate`): p50 and p95 of
// the whole board per case. Complements `npm run bench:analytics`, whose long periods are unsliced. Usage:
//   node --import tsx scripts/bench-analytics-slices.ts --database-url postgres://…   (or --data-dir ./var) [--runs 10]
//     [--change-old-day]
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type Filters, ZONE } from "../src/analytics/filters.ts";
import { periodBoard } from "../src/analytics/service.ts";
import { openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    runs: { type: "string", default: "10" },
    // Changes the rating of one request registered 350 days ago first, so that the boards read with an old day
    // waiting for its rebuild (the state for up to a minute after such a change).
    "change-old-day": { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const database = await openDatabase({ databaseUrl: values["database-url"], dataDir: values["data-dir"] });
const db = database.db;
const one = async (q: ReturnType<typeof sql>) => Number(Object.values(rowsOf<Record<string, unknown>>(await db.execute(q))[0] ?? {})[0]);
const firstLine = await one(sql`select id from departments where code = 'first_line'`);
const someone = await one(sql`select assignee_id from requests where assignee_id is not null limit 1`);
const today = DateTime.now().setZone(ZONE).startOf("day");
if (values["change-old-day"]) {
  const day = today.minus({ days: 350 });
  await db.execute(sql`update requests set rating = coalesce(rating, 4) % 5 + 1 where id = (select id from requests
    where created_at >= ${day.toISO()}::timestamptz and created_at < ${day.plus({ days: 1 }).toISO()}::timestamptz
    order by id limit 1)`);
  console.log(`changed the rating of a request of ${day.toISODate()}: that day waits for its rebuild`);
}
const period = (days: number, extra: Partial<Filters> = {}): Filters => ({
  from: today.minus({ days: days - 1 }).toJSDate(),
  to: today.plus({ days: 1 }).toJSDate(),
  ...extra,
});
const cases: [string, Filters][] = [
  ["period 365 days (no filter, for comparison)", period(365)],
  ["period 365 days, Москва", period(365, { region: "Москва" })],
  ["period 365 days, web + Москва", period(365, { channel: "web", region: "Москва" })],
  ["period 365 days, access (category)", period(365, { category: "access" })],
  ["period 365 days, access + Москва", period(365, { category: "access", region: "Москва" })],
  ["period 365 days, organisations (audience)", period(365, { audience: "legal_entity" })],
  ["period 365 days, first-line department", period(365, { departmentId: firstLine })],
  ["period 365 days, first-line department + Москва", period(365, { departmentId: firstLine, region: "Москва" })],
  ["period 90 days, one operator", period(90, { assigneeId: someone })],
  ["period 365 days, one operator", period(365, { assigneeId: someone })],
];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
console.log(`${database.engine}, ${runs} runs each; load average at start ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log("| dashboard | p50, ms | p95, ms |\n|---|---|---|");
for (const [name, f] of cases) {
  await periodBoard(db, f);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await periodBoard(db, f);
    times.push(performance.now() - t);
  }
  console.log(`| ${name} | ${Math.round(pct(times, 50))} | ${Math.round(pct(times, 95))} |`);
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
await database.close();
