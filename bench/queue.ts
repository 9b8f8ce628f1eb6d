// Queue benchmark: a registry filled in SQL (generate_series) with N requests, then each built-in view of the queue
// asked in-process (listRequests: the page of 50 and the total, as GET /api/v1/requests does) as a supervisor (every
// request) and as a first-line operator (the scope's condition), p50 and p95 per view; a page deep in the list
// (after 20 cursors); all views' counters at once (GET /api/v1/requests/views); and one bulk change of 500 requests.
// Usage:
//   npm run bench:queue -- [--requests 1000000] [--engine postgres|pglite] [--runs 30]
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { listRequests } from "../src/requests/queries.ts";
import { bulkChange } from "../src/requests/queue/bulk.ts";
import { BUILT_IN, filterOf, listViews } from "../src/requests/queue/views.ts";
import { startServer } from "../src/server.ts";
import { createUser } from "../src/staff/service.ts";
import { ENGINE_NAME, type Engine, quantile, scratchDatabase } from "./raw.ts";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "1000000" },
    engine: { type: "string", default: "postgres" },
    runs: { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
  },
});
const total = Number(values.requests);
const runs = Number(values.runs);
const engine = values.engine as Engine;

const ms = (t: number) => `${t.toFixed(1)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

const scratch = await scratchDatabase(engine);
const config = loadConfig(
  {},
  { dataDir: scratch.dataDir, smtpPort: 0, adminPassword: "bench-admin-password-1", logLevel: "silent" },
);
const server = await startServer(config, { database: scratch.database, logger: false, listen: false });
const db = server.ctx.db;
try {
  const started = performance.now();
  const operators = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      createUser(db, {
        email: `op${i}@bench.test`,
        name: `Оператор ${i}`,
        role: "operator",
        password: "bench-password-1",
        department: "first_line",
      }),
    ),
  );
  const supervisor = await createUser(db, {
    email: "lead@bench.test",
    name: "Руководитель",
    role: "supervisor",
    password: "bench-password-1",
  });
  const ids = operators.map((o) => o.id).join(",");
  const departments = rowsOf<{ id: number }>(await db.execute(sql.raw("select id from departments order by id")))
    .map((d) => d.id)
    .join(",");
  // A registry of two years: 10 % open (new, in work, waiting, escalated), the rest resolved or closed; open requests
  // from the last 300 days, so many are long overdue; 5 % without a subject (calls), 3 % uncategorised.
  await db.execute(
    sql.raw(`
    insert into requests (number, tracking_token_hash, subject, category, channel, priority, status, department_id,
      assignee_id, first_response_due_at, resolution_due_at, first_responded_at, created_at, updated_at)
    select (1000000 + g)::text, md5(g::text),
      case when g % 20 = 0 then '' else 'Обращение ' || g end,
      case when g % 33 = 0 then null else (array['access','contacts','application_status','documents','e_signature','technical','information'])[1 + g % 7] end,
      (array['web','email','phone','chat'])[1 + g % 4],
      (array['low','normal','normal','high','urgent'])[1 + g % 5],
      status,
      (array[${departments}])[1 + g % ${departments.split(",").length}],
      case when g % 3 = 0 then (array[${ids}])[1 + g % 20] end,
      created + interval '8 hours', created + interval '5 days',
      case when status <> 'new' then created + interval '2 hours' end,
      created, created
    from (
      select g,
        case when r < 0.03 then 'new' when r < 0.07 then 'in_progress' when r < 0.09 then 'waiting'
             when r < 0.10 then 'escalated' when r < 0.55 then 'resolved' else 'closed' end as status,
        now() - (case when r < 0.10 then r * 3000 else r * 730 end) * interval '1 day' as created
      from (select g, random() as r from generate_series(1, ${total}) g) x
    ) y`),
  );
  await db.execute(
    sql.raw(`insert into messages (request_id, visibility, author_type, body, channel)
      select id, 'public', 'applicant', 'Звонок: заявитель спрашивает, почему заявление номер ' || id || ' всё ещё на проверке', 'phone'
      from requests where subject = ''`),
  );
  // What autovacuum does to a table after such a load: statistics, and the visibility map that index-only scans need.
  await db.execute(sql.raw("vacuum analyze requests"));
  await db.execute(sql.raw("vacuum analyze messages"));
  console.log(
    `${ENGINE_NAME[engine]}: ${total.toLocaleString("en")} requests filled in ${((performance.now() - started) / 1000).toFixed(0)} s; ${runs} runs each`,
  );

  console.log("| view | who | p50 | p95 | rows on the page | total |");
  console.log("|---|---|---|---|---|---|");
  for (const view of BUILT_IN) {
    for (const [who, user] of [
      ["supervisor", supervisor],
      ["operator", operators[0]!],
    ] as const) {
      const filter = { ...filterOf(view.filters), limit: 50 };
      const page = await listRequests(db, user, filter);
      const times = await timed(() => listRequests(db, user, filter));
      console.log(
        `| ${view.name} | ${who} | ${ms(quantile(times, 0.5))} | ${ms(quantile(times, 0.95))} | ${page.items.length} | ${page.totalCapped ? "> " : ""}${page.total.toLocaleString("en")} |`,
      );
    }
  }
  // The 21st page of all open requests, through the cursors.
  let cursor: string | undefined;
  const open = { ...filterOf({}), limit: 50 };
  for (let i = 0; i < 20; i++)
    cursor = (await listRequests(db, supervisor, { ...open, cursor })).nextCursor ?? undefined;
  const deep = await timed(() => listRequests(db, supervisor, { ...open, cursor }));
  console.log(`| Все открытые, page 21 | supervisor | ${ms(quantile(deep, 0.5))} | ${ms(quantile(deep, 0.95))} | | |`);
  const counters = await timed(() => listViews(db, operators[0]!));
  console.log(
    `| every view's counter (one call) | operator | ${ms(quantile(counters, 0.5))} | ${ms(quantile(counters, 0.95))} | | |`,
  );

  const picked = await db.execute(
    sql.raw("select number from requests where status in ('new', 'in_progress') order by id limit 500"),
  );
  const chosen = rowsOf<{ number: string }>(picked).map((r) => r.number);
  const t = performance.now();
  const result = await bulkChange(server.ctx, supervisor, chosen, { type: "priority", priority: "urgent" });
  console.log(
    `bulk change of ${chosen.length} requests (priority): ${((performance.now() - t) / 1000).toFixed(2)} s — ${result.summary}`,
  );
} finally {
  // The rooms' background work (the applicant record filled from a million old requests) may outlast the measures.
  await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (values.keep) console.log(`kept: schema ${scratch.schemaName ?? scratch.dataDir}`);
  else await scratch.drop();
}
process.exit(0);
