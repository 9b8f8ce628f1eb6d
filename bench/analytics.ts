// Statistics benchmark: each dashboard's queries against a filled database (see `otklik demo generate`), run a few
// times; prints p50 and p95 per dashboard. Usage:
//   npm run bench:analytics -- --database-url postgres://…/db   (PostgreSQL)
//   npm run bench:analytics -- --data-dir ./var                  (the embedded database in that folder)
//   [--runs 20]
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { type Filters, ZONE } from "../src/analytics/filters.ts";
import { ratingComments } from "../src/analytics/measures.ts";
import { periodBoard, todayBoard } from "../src/analytics/service.ts";
import { openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";

const { values } = parseArgs({
  options: {
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    runs: { type: "string", default: "20" },
  },
});
const runs = Number(values.runs);
const database = await openDatabase({ databaseUrl: values["database-url"], dataDir: values["data-dir"] });
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

const cases: [string, () => Promise<unknown>][] = [
  ["today (supervisor, live)", () => todayBoard(db, {})],
  ["period 30 days", () => periodBoard(db, period(30))],
  ["period 30 days, web + Москва", () => periodBoard(db, period(30, { channel: "web", region: "Москва" }))],
  ["period 30 days, first-line department", () => periodBoard(db, period(30, { departmentId: Number(firstLine) }))],
  ["period 30 days, one operator", () => periodBoard(db, period(30, { assigneeId: Number(someone) }))],
  ["period 90 days", () => periodBoard(db, period(90))],
  ["period 365 days", () => periodBoard(db, period(365))],
  ["period 365 days, web + Москва", () => periodBoard(db, period(365, { channel: "web", region: "Москва" }))],
  ["period 365 days, first-line department", () => periodBoard(db, period(365, { departmentId: Number(firstLine) }))],
  ["period 365 days, one operator", () => periodBoard(db, period(365, { assigneeId: Number(someone) }))],
  ["rating comments 30 days", () => ratingComments(db, period(30))],
];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

console.log(`engine ${database.engine}, ${Number(n).toLocaleString("en")} requests, ${runs} runs each`);
console.log("| dashboard | p50, ms | p95, ms |");
console.log("|---|---|---|");
for (const [name, fn] of cases) {
  await fn(); // warm the cache
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  console.log(`| ${name} | ${Math.round(pct(times, 50))} | ${Math.round(pct(times, 95))} |`);
}
await database.close();
