// Telegram intake: updates drawn by long polling from the stand-in Bot API (test/telegram-bot-api.ts) on loopback, each
// taken by the conversation flow as in the service. First messages: N private chats write at once; each update makes
// the contact, the chat conversation, registers the request through the request core and runs the bot's turn over the
// knowledge base, then queues its answer. Follow-ups: one more message in each chat (a transcript line and the bot's
// turn again). Figures: updates per second until the last one is stored. In the same run, «raw»: a follow-up's
// statements (the conversation's lock with the duplicate check, the request's lock and the request core's
// one-statement line, the numbered chat message and its NOTIFY: the service's own texts, sent by name as it sends
// them), eight chats at a time as the poller takes them, straight through the driver.
// `npm run bench:telegram -- --n 300 [--engine pglite|postgres]`
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import { APPEND_CHAT_MESSAGE, LOCK_FOR_MESSAGE } from "../src/channels/chat/store.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { APPEND_PLAIN_LINE } from "../src/requests/core/messages.ts";
import { LOCK_REQUEST } from "../src/requests/core/row.ts";
import { startServer } from "../src/server.ts";
import { startTelegramBotApi } from "../test/telegram-bot-api.ts";
import { ENGINE_NAME, load, ofRaw, POSTGRES_URL, type Query, rawPglite, rawPostgres } from "./raw.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const engineArg = args.get("--engine") ?? (process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
if (engineArg !== "pglite" && engineArg !== "postgres") throw new Error("--engine: pglite or postgres");
const n = Number(args.get("--n") ?? 300);
const engine = ENGINE_NAME[engineArg];
const loadAtStart = load();
const TOKEN = "100200300:AAbench-telegram-stand-in-token";

// The stand-in takes whatever Otklik sends (its flood control is not what is measured here; Otklik paces itself).
const tg = await startTelegramBotApi({ token: TOKEN, perSecond: 1e9, perChatPerSecond: 1e9 });
const url = engineArg === "postgres" ? POSTGRES_URL : undefined;
const schemaName = url ? `otklik_bench_${randomUUID().slice(0, 8)}` : undefined;
const database = await openDatabase({ databaseUrl: url, schemaName, poolSize: 10 });
const dataDir = mkdtempSync(path.join(tmpdir(), "otklik-bench-"));
const config = loadConfig(
  {},
  {
    dataDir,
    port: 0,
    host: "127.0.0.1",
    publicRateLimit: 0,
    adminPassword: "bench-admin-password-1",
    logLevel: "silent",
    smtpPort: 0,
    telegramToken: TOKEN,
    telegramApi: tg.url,
  },
);
const s = await startServer(config, { database, logger: false });

const count = async (q: string) => rowsOf<{ n: number }>(await s.ctx.db.execute(sql.raw(q)))[0]!.n;
const waitFor = async (what: () => Promise<boolean>, ms = 600_000) => {
  const end = performance.now() + ms;
  while (!(await what())) {
    if (performance.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

const TEXTS = [
  "Не приходит смс с кодом подтверждения на телефон",
  "Не могу войти в личный кабинет, пишет что пароль неверный",
  "Как изменить адрес электронной почты в профиле?",
  "Не получается записаться к врачу через портал",
];
const chats = Array.from({ length: n }, (_, i) => 9_000_000 + i);

// Warm-up, not measured: the bot's search, statements planned.
tg.text(8_999_999, TEXTS[0]!);
await waitFor(async () => (await count("select count(*)::int as n from requests where channel = 'telegram'")) === 1);

const cpu0 = process.cpuUsage();
let t0 = performance.now();
for (const [i, chat] of chats.entries()) tg.text(chat, TEXTS[i % TEXTS.length]!);
await waitFor(
  async () => (await count("select count(*)::int as n from requests where channel = 'telegram'")) === n + 1,
);
const firstSeconds = (performance.now() - t0) / 1000;

const linesBefore = await count("select count(*)::int as n from messages where author_type = 'applicant'");
t0 = performance.now();
for (const chat of chats) tg.text(chat, "Спасибо, а если код всё равно не приходит?");
await waitFor(
  async () =>
    (await count("select count(*)::int as n from messages where author_type = 'applicant'")) === linesBefore + n,
);
const followSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const queued = await count("select count(*)::int as n from messenger_outbox");

// Raw: the follow-up's statements, one transaction at a time, on the same conversations.
const raw = url
  ? rawPostgres({ connectionString: url, options: `-c search_path=${schemaName}`, max: 10 })
  : rawPglite((s.ctx.db as unknown as { $client: PGlite }).$client);
const convs = rowsOf<{ id: number; request_id: number }>(
  await s.ctx.db.execute(sql`select id, request_id from chat_conversations where request_id is not null order by id`),
);
const rawLine = (k: number) =>
  raw.transaction(async (q: Query) => {
    const c = convs[k % convs.length]!;
    const clientId = `raw-${k}-${randomUUID().slice(0, 8)}`;
    await q(LOCK_FOR_MESSAGE, [c.id, clientId], "raw_chat_lock");
    const [request] = await q(LOCK_REQUEST, [c.request_id], "raw_lock_request");
    const event = {
      requestId: c.request_id,
      number: request!.number,
      departmentId: request!.department_id,
      assigneeId: request!.assignee_id,
      channel: request!.channel,
      hasEmail: request!.contact_email_hash !== null,
      hasPhone: request!.contact_phone_hash !== null,
      visibility: "public",
      via: "telegram",
    };
    const [line] = await q(
      APPEND_PLAIN_LINE,
      [
        c.request_id,
        "public",
        "applicant",
        null,
        "Сырая строка",
        "telegram",
        new Date().toISOString(),
        true,
        "applicant",
        null,
        "applicant_replied",
        JSON.stringify({ visibility: "public" }),
        JSON.stringify(event),
      ],
      "raw_append_line",
    );
    await q(
      APPEND_CHAT_MESSAGE,
      [c.id, clientId, "applicant", null, "Сырая строка", "{}", line!.message_id],
      "raw_chat_append",
    );
  });
t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let k = next++; k < n; k = next++) await rawLine(k);
  }),
);
const rawSeconds = (performance.now() - t0) / 1000;
if (url) await raw.close();

const fmt = (x: number) => x.toFixed(1);
const firstRate = n / firstSeconds;
const followRate = n / followSeconds;
const rawRate = n / rawSeconds;
console.log(
  `telegram intake bench — ${engine}, long polling from the stand-in on loopback; load ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `  first messages      ${n} chats: ${fmt(firstRate)} updates/s (${fmt(firstSeconds)} s; each registers a request and runs the bot)`,
);
console.log(
  `  follow-ups          ${n}: ${fmt(followRate)} updates/s (${fmt(followSeconds)} s; a line and the bot's turn)`,
);
console.log(`  queued to Telegram  ${queued} messages (sent at Telegram's 30/s by the outbox, not measured here)`);
console.log(
  `  CPU                 ${fmt((cpu.user + cpu.system) / 1e6)} s over ${fmt(firstSeconds + followSeconds)} s wall`,
);
console.log(`  raw (a follow-up's statements, 8 chats at a time, through the driver) ${fmt(rawRate)} lines/s`);
console.log(`  follow-ups: ${ofRaw(followRate, rawRate)}`);
console.log(`  load average at start ${loadAtStart}, at end ${load()}`);

await s.close();
await tg.close();
rmSync(dataDir, { recursive: true, force: true });
if (url && schemaName) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
  await admin.end();
}
process.exit(0);
