// Chat delivery under load: N connected WebSocket clients on one server process (applicants, and operators each
// holding several chats), messages sent at a steady rate both ways; latency from send on one client to arrival
// on the other. In the same run, «raw»: the same message statements (the conversation's lock with the duplicate check;
// the request's lock and the request core's one-statement line — message, history, event; the numbered message and
// its NOTIFY, carrying the message as the service's does) in one transaction straight through the driver at the same
// rate, received by a LISTEN on another connection (read back by the hub's query only when the notification does not
// carry the message) — the database's own delivery time. The raw side names its statements as the service does (a
// PostgreSQL server parses each once per connection; PGlite is the same prepared engine the service uses).
// `npm run bench:chat -- --clients 1000 --rate 200 --seconds 15 [--engine pglite|postgres] [--settle 0]`
// (PostgreSQL: a scratch schema on BENCH_DATABASE_URL or TEST_DATABASE_URL, dropped afterwards; `--settle`: seconds
// to wait after the clients connect, before the warm-up; `--accepted 0`: the chats' requests left new and unassigned;
// `--drain 0`: measure without waiting for the setup's
// outbox jobs; `--timeline 1`: the measured messages by quarter-second of
// their sending — count, p50/p99/max delivery, the server pool's waiting queries, the event loop's longest delay;
// `--statements 1`: the statements the server sent through Drizzle during the measurement, the most frequent first).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import pg from "pg";
import { chatConversations } from "../src/channels/chat/db-schema.ts";
import { APPEND_CHAT_MESSAGE, LOCK_FOR_MESSAGE } from "../src/channels/chat/store.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { eventsChannelOf, rowsOf } from "../src/db/outbox.ts";
import { staffActor } from "../src/requests/core/index.ts";
import { APPEND_PLAIN_LINE } from "../src/requests/core/messages.ts";
import { LOCK_REQUEST } from "../src/requests/core/row.ts";
import { randomToken, sha256 } from "../src/security/tokens.ts";
import { startServer } from "../src/server.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import { ChatClient, type Frame } from "../test/chat-test-client.ts";
import {
  ENGINE_NAME,
  load,
  ofRawLatency,
  POSTGRES_URL,
  type Query,
  type RawDriver,
  rawPglite,
  rawPostgres,
} from "./raw.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const engineArg = args.get("--engine") ?? (process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
if (engineArg !== "pglite" && engineArg !== "postgres") throw new Error("--engine: pglite or postgres");

/** A listening server on its own database: in-memory PGlite, or a schema of its own on TEST_DATABASE_URL. */
async function benchServer(poolSize: number) {
  const url = engineArg === "postgres" ? POSTGRES_URL : undefined;
  const schemaName = url ? `otklik_bench_${randomUUID().slice(0, 8)}` : undefined;
  const database = await openDatabase({ databaseUrl: url, schemaName, poolSize });
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
    },
  );
  const running = await startServer(config, { database, logger: false });
  let n = 0;
  return {
    ...running,
    /** The same database through its driver alone: the PGlite instance itself, or a pool on the same schema. */
    raw(): RawDriver {
      if (!url) return rawPglite((running.ctx.db as unknown as { $client: PGlite }).$client);
      return rawPostgres({ connectionString: url, options: `-c search_path=${schemaName}`, max: poolSize });
    },
    async staff(role: "operator") {
      const email = `${role}${++n}@bench.test`;
      const user = await createUser(running.ctx.db, {
        email,
        name: `Оператор ${n}`,
        role,
        password: "bench-password-1",
      });
      return { id: user.id, user, authorization: `Bearer ${await createApiToken(running.ctx.db, email)}` };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (url && schemaName) {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
        await admin.end();
      }
    },
  };
}

const clients = Number(args.get("--clients") ?? 1000);
const rate = Number(args.get("--rate") ?? 200);
const seconds = Number(args.get("--seconds") ?? 15);
const perOperator = Number(args.get("--chats-per-operator") ?? 20);
// PostgreSQL connections of the server (the production default is 10; the test harness keeps 5).
const pool = Number(args.get("--pool") ?? 10);

const operators = Math.max(1, Math.round(clients / (perOperator + 1)));
const chats = clients - operators;
const engine = ENGINE_NAME[engineArg];
const loadAtStart = load();

const s = await benchServer(pool);
const ws = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
const setupStarted = performance.now();

// The conversations already with an operator (the bench measures delivery, not the bot), each with its own
// request as in the service (a chat registers one), the conversations inserted in bulk.
const requestIds: number[] = [];
for (let i = 0; i < chats; i += 200) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(200, chats - i) }, (_, j) =>
      s.ctx.requests.register({
        text: `Нагрузочный тест чата ${i + j}`,
        channel: "chat",
        contact: { email: "bench@example.ru" },
      }),
    ),
  );
  requestIds.push(...batch.map((r) => r.id));
}
const staff = await Promise.all(Array.from({ length: operators }, () => s.staff("operator")));
const tokens = Array.from({ length: chats }, () => randomToken(32));
const ids: number[] = [];
for (let i = 0; i < chats; i += 500) {
  const rows = await s.ctx.db
    .insert(chatConversations)
    .values(
      tokens.slice(i, i + 500).map((t, j) => ({
        tokenHash: sha256(t),
        requestId: requestIds[i + j]!,
        state: "operator" as const,
        operatorId: staff[(i + j) % operators]!.id,
        contactEmail: "bench@example.ru",
      })),
    )
    .returning({ id: chatConversations.id });
  ids.push(...rows.map((r) => r.id));
}
// As accepting a chat leaves its request (src/channels/chat/operator.ts): assigned to the operator and in work, so the
// measured lines are a conversation's, not the burst of assignments and status notices that first answers to untaken
// requests would make in the first seconds. `--accepted 0` leaves the requests new and unassigned, as before.
if (args.get("--accepted") !== "0") {
  for (let i = 0; i < chats; i += 50) {
    await Promise.all(
      requestIds.slice(i, i + 50).map((requestId, j) => {
        const operator = staff[(i + j) % operators]!;
        return s.ctx.db.transaction((tx) =>
          s.ctx.requests.assign(tx, requestId, operator.id, staffActor(operator.user), {
            takeIntoWork: true,
            channel: "chat",
          }),
        );
      }),
    );
  }
}

// Connect in batches so the handshakes do not all land in one tick.
async function inBatches<T>(n: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size)
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => make(i + j)))));
  return out;
}
const connectStarted = performance.now();
const applicants = await inBatches(chats, 200, async (i) => {
  const c = await ChatClient.open(`${ws}?token=${tokens[i]}&since=0`);
  await c.waitFor((f) => f.t === "ready", 60_000);
  return c;
});
const desks = await inBatches(operators, 50, async (i) => {
  const c = await ChatClient.open(ws, { authorization: staff[i]!.authorization });
  await c.waitFor((f) => f.t === "ready", 60_000);
  for (let k = i; k < chats; k += operators) c.send({ t: "sync", conversationId: ids[k], since: 0 });
  return c;
});
const connectSeconds = (performance.now() - connectStarted) / 1000;
const setupSeconds = (performance.now() - setupStarted) / 1000;

// The setup's registrations left their jobs in the outbox (the applicant record linking contacts, acknowledgements):
// they are the setup's work, not the chat's, and draining them during the measurement put a tail on its first
// seconds. Waited for here (at most a minute), unless `--drain 0`.
const drainStarted = performance.now();
let pendingJobs = 0;
if (args.get("--drain") !== "0") {
  for (;;) {
    pendingJobs = rowsOf<{ n: number }>(
      await s.ctx.db.execute(sql`select count(*)::int as n from events where processed_at is null`),
    )[0]!.n;
    if (pendingJobs === 0 || performance.now() - drainStarted > 60_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const drainSeconds = (performance.now() - drainStarted) / 1000;

// Optionally let the server's start-up work finish before measuring (`--settle` seconds, 0 by default).
const settle = Number(args.get("--settle") ?? "0");
if (settle > 0) await new Promise((r) => setTimeout(r, settle * 1000));

// A short warm-up, not measured: pool connections opened, statements planned, caches filled.
const warm = await Promise.all(
  Array.from({ length: Math.min(50, chats) }, async (_, k) => {
    const id = randomUUID();
    applicants[k]!.send({ t: "msg", id, text: "Разогрев" });
    await desks[k % operators]!.waitFor((f) => f.t === "msg" && f.id === id, 60_000);
  }),
);
void warm;

// Arrival is timed on the receiving side; frames are matched by the client id.
const sentAt = new Map<string, number>();
const delivery: number[] = [];
const acks: number[] = [];
const onArrive = (f: Frame) => {
  if (f.t === "msg") {
    const t0 = sentAt.get(String(f.id));
    if (t0 !== undefined && f.author !== "system") {
      delivery.push(performance.now() - t0);
      if (timeline) deliveryWindow.push({ w: Math.floor((t0 - started) / 250), ms: performance.now() - t0 });
      sentAt.delete(String(f.id));
    }
  }
};
const ackAt = new Map<string, number>();
const onAck = (f: Frame) => {
  if (f.t === "ack") {
    const t0 = ackAt.get(String(f.id));
    if (t0 !== undefined) acks.push(performance.now() - t0);
  }
};
for (const c of [...applicants, ...desks]) {
  c.onFrame = (f) => {
    onArrive(f);
    onAck(f);
  };
}

const total = Math.round(rate * seconds);
// `--timeline 1`: every 250 ms the pool's waiting queries (PostgreSQL) and the event loop's longest delay.
const timeline = args.get("--timeline") === "1";
const windows: { waiting: number; lag: number }[] = [];
const deliveryWindow: { w: number; ms: number }[] = [];
let lagMax = 0;
let lagAt = performance.now();
const lagTimer = timeline
  ? setInterval(() => {
      const now = performance.now();
      lagMax = Math.max(lagMax, now - lagAt - 10);
      lagAt = now;
      const w = Math.floor((now - started) / 250);
      const pg = (s.ctx.db as unknown as { $client: { waitingCount?: number } }).$client;
      windows[w] ??= { waiting: 0, lag: 0 };
      const slot = windows[w];
      slot.waiting = Math.max(slot.waiting, pg.waitingCount ?? 0);
      slot.lag = Math.max(slot.lag, lagMax);
      lagMax = 0;
    }, 10)
  : undefined;
// `--statements 1`: every statement the server sends through Drizzle during the measurement, counted by its text.
const statements = new Map<string, number>();
const session = (s.ctx.db as unknown as { session: { logger: unknown; options: { logger?: unknown } } }).session;
const quiet = { logger: session.logger, optionsLogger: session.options.logger };
const counting = args.get("--statements") === "1";
const counter = {
  logQuery(query: string) {
    const key = query.replace(/\s+/g, " ").slice(0, 110);
    statements.set(key, (statements.get(key) ?? 0) + 1);
  },
};
if (counting) {
  session.logger = counter;
  session.options.logger = counter;
}
const cpu0 = process.cpuUsage();
const started = performance.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    for (; sent < due; sent++) {
      const k = Math.floor(Math.random() * chats);
      const id = randomUUID();
      const now = performance.now();
      sentAt.set(id, now);
      ackAt.set(id, now);
      // Half from the applicant to the operator, half back.
      if (sent % 2 === 0) applicants[k]!.send({ t: "msg", id, text: `Сообщение ${sent}` });
      else desks[k % operators]!.send({ t: "msg", conversationId: ids[k], id, text: `Ответ ${sent}` });
    }
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 5);
});
const deadline = performance.now() + 15_000;
while (delivery.length < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const wall = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpu0);
if (lagTimer) clearInterval(lagTimer);
if (counting) {
  session.logger = quiet.logger;
  session.options.logger = quiet.optionsLogger;
}

const pct = (xs: number[], p: number) => {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const storedCount = rowsOf<{ n: number }>(await s.ctx.db.execute(sql`select count(*)::int as n from chat_messages`))[0]!
  .n;

const fmt = (x: number) => x.toFixed(1);
console.log(
  `chat bench — ${engine} (pool ${pool}), one server process, clients in the same process; load ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `  connected clients   ${clients} (${chats} applicants, ${operators} operators × ~${Math.round(chats / operators)} chats)`,
);
console.log(
  `  setup               ${fmt(setupSeconds)} s (connect ${fmt(connectSeconds)} s), RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB`,
);
console.log(
  `  setup's jobs        drained in ${fmt(drainSeconds)} s${pendingJobs > 0 ? ` (${pendingJobs} still pending)` : ""}`,
);
console.log(
  `  messages            ${total} at ${rate}/s, delivered ${delivery.length}, lost ${total - delivery.length}, stored ${storedCount - warm.length}`,
);
console.log(
  `  delivery latency    p50 ${fmt(pct(delivery, 50))} ms  p99 ${fmt(pct(delivery, 99))} ms  max ${fmt(Math.max(...delivery))} ms`,
);
console.log(`  acknowledgement     p50 ${fmt(pct(acks, 50))} ms  p99 ${fmt(pct(acks, 99))} ms`);
console.log(`  CPU                 ${fmt((cpu.user + cpu.system) / 1e6)} s over ${fmt(wall)} s wall`);
if (timeline) {
  console.log("  timeline (sent in): n, delivery p50 / p99 / max ms, pool waiting (max), event-loop delay (max) ms");
  const last = Math.max(windows.length, ...deliveryWindow.map((d) => d.w + 1));
  for (let w = 0; w < last; w++) {
    const xs = deliveryWindow.filter((d) => d.w === w).map((d) => d.ms);
    const slot = windows[w] ?? { waiting: 0, lag: 0 };
    console.log(
      `    ${(w / 4).toFixed(2).padStart(6)} s  ${String(xs.length).padStart(3)}  ${fmt(pct(xs, 50))} / ${fmt(pct(xs, 99))} / ${fmt(Math.max(...xs))}  wait ${slot.waiting}  lag ${fmt(slot.lag)}`,
    );
  }
}

if (statements.size > 0) {
  const all = [...statements.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  statements          ${all} through Drizzle, ${(all / total).toFixed(1)} per message; the most frequent:`,
  );
  for (const [text, n] of [...statements].sort((a, b) => b[1] - a[1]).slice(0, 25))
    console.log(`    ${String(n).padStart(6)}  ${(n / total).toFixed(2).padStart(5)}  ${text}`);
}

for (const c of [...applicants, ...desks]) c.socket.terminate();

// Raw: the clients are gone (the hub has nobody to read for), the same statements go straight through the driver at
// the same rate, alternating applicant and operator, and a LISTEN on another connection takes each message from its
// notification (or reads it back when the notification carries ids only).
const raw = s.raw();
const rawDelivery: number[] = [];
const rawSentAt = new Map<string, number>();
const readBack = (conversationId: number, since: number) =>
  raw.query(
    `select m.id, m.conversation_id, m.seq, m.client_id, m.author, m.author_id, m.body, m.payload, m.message_id,
      m.created_at, u.name from chat_messages m left join users u on u.id = m.author_id
    where m.conversation_id = $1 and m.seq > $2 order by m.seq limit 500`,
    [conversationId, since],
  );
const unlisten = await raw.listen(eventsChannelOf(s.ctx.database.schemaName), (payload) => {
  const message = JSON.parse(payload) as {
    topic: string;
    data: { conversationId: number; seq: number; message?: { clientId: string } };
  };
  if (message.topic !== "chat.message") return;
  // The message itself when the notification carries it (as the hub takes it); read back otherwise.
  const carried = message.data.message;
  if (carried) {
    const t0 = rawSentAt.get(carried.clientId);
    if (t0 !== undefined) {
      rawDelivery.push(performance.now() - t0);
      rawSentAt.delete(carried.clientId);
    }
    return;
  }
  void readBack(message.data.conversationId, message.data.seq - 1).then((rows) => {
    for (const r of rows) {
      const t0 = rawSentAt.get(String(r.client_id));
      if (t0 !== undefined) {
        rawDelivery.push(performance.now() - t0);
        rawSentAt.delete(String(r.client_id));
      }
    }
  });
});

const rawSend = (k: number, n: number) =>
  raw.transaction(async (q: Query) => {
    const conversationId = ids[k]!;
    const clientId = randomUUID();
    rawSentAt.set(clientId, performance.now());
    const operator = n % 2 === 1;
    await q(LOCK_FOR_MESSAGE, [conversationId, clientId], "raw_chat_lock");
    // The request core's part: the request's row locked, then the message, the request's time, the history row and
    // the event in its one statement.
    const [request] = await q(LOCK_REQUEST, [requestIds[k]!], "raw_lock_request");
    const now = new Date().toISOString();
    const event = {
      requestId: requestIds[k]!,
      number: request!.number,
      departmentId: request!.department_id,
      assigneeId: request!.assignee_id,
      channel: request!.channel,
      hasEmail: request!.contact_email_hash !== null,
      hasPhone: request!.contact_phone_hash !== null,
      visibility: "public",
      via: "chat",
    };
    const staffId = operator ? staff[k % operators]!.id : null;
    const [line] = await q(
      APPEND_PLAIN_LINE,
      [
        requestIds[k]!,
        "public",
        operator ? "staff" : "applicant",
        staffId,
        `Сырое ${n}`,
        "chat",
        now,
        !operator,
        operator ? "staff" : "applicant",
        staffId,
        operator ? "replied" : "applicant_replied",
        JSON.stringify({ visibility: "public" }),
        JSON.stringify(event),
      ],
      "raw_append_line",
    );
    // The chat's numbered message pointing at it, and its NOTIFY carrying it when it fits (as the service's).
    const author = operator ? "operator" : "applicant";
    await q(
      APPEND_CHAT_MESSAGE,
      [conversationId, clientId, author, staffId, `Сырое ${n}`, "{}", line!.message_id],
      "raw_chat_append",
    );
  });
const rawStarted = performance.now();
let rawSent = 0;
const rawPending: Promise<void>[] = [];
await new Promise<void>((resolve) => {
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - rawStarted) / 1000) * rate));
    for (; rawSent < due; rawSent++) rawPending.push(rawSend(Math.floor(Math.random() * chats), rawSent));
    if (rawSent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 5);
});
await Promise.all(rawPending);
const rawDeadline = performance.now() + 15_000;
while (rawDelivery.length < total && performance.now() < rawDeadline) await new Promise((r) => setTimeout(r, 50));
await unlisten();
if (engineArg === "postgres") await raw.close();
const rawP50 = pct(rawDelivery, 50);
const rawP99 = pct(rawDelivery, 99);
console.log(
  `  raw (same statements + LISTEN through the driver) ${total} at ${rate}/s, delivered ${rawDelivery.length}: p50 ${fmt(rawP50)} ms  p99 ${fmt(rawP99)} ms`,
);
console.log(
  `  delivery p50: ${ofRawLatency(pct(delivery, 50), rawP50)}; p99: ${ofRawLatency(pct(delivery, 99), rawP99)}`,
);
console.log(`  load average at start ${loadAtStart}, at end ${load()}`);

await s.close();
process.exit(0);
