// Chat delivery under load: N connected WebSocket clients on one server process (applicants, and operators each
// holding several chats), messages sent at a steady rate both ways; latency from send on one client to arrival
// on the other. `npm run bench:chat -- --clients 1000 --rate 200 --seconds 15` (TEST_DATABASE_URL for PostgreSQL).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import pg from "pg";
import { chatConversations } from "../src/channels/chat/db-schema.ts";
import { ChatClient, type Frame } from "../src/channels/chat/test-client.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { rowsOf } from "../src/db/outbox.ts";
import { registerRequest } from "../src/requests/create.ts";
import { startServer } from "../src/server.ts";
import { createApiToken, createUser } from "../src/staff/service.ts";
import { randomToken, sha256 } from "../src/staff/tokens.ts";

/** A listening server on its own database: in-memory PGlite, or a schema of its own on TEST_DATABASE_URL. */
async function benchServer(poolSize: number) {
  const url = process.env.TEST_DATABASE_URL;
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
    async staff(role: "operator") {
      const email = `${role}${++n}@bench.test`;
      const user = await createUser(running.ctx.db, {
        email,
        name: `Оператор ${n}`,
        role,
        password: "bench-password-1",
      });
      return { id: user.id, authorization: `Bearer ${await createApiToken(running.ctx.db, email)}` };
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

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const clients = Number(args.get("--clients") ?? 1000);
const rate = Number(args.get("--rate") ?? 200);
const seconds = Number(args.get("--seconds") ?? 15);
const perOperator = Number(args.get("--chats-per-operator") ?? 20);
// PostgreSQL connections of the server (the production default is 10; the test harness keeps 5).
const pool = Number(args.get("--pool") ?? 10);

const operators = Math.max(1, Math.round(clients / (perOperator + 1)));
const chats = clients - operators;
const engine = process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite";

const s = await benchServer(pool);
const ws = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
const setupStarted = performance.now();

// The conversations already with an operator (the bench measures delivery, not the bot): one request holds
// every transcript, the conversations are inserted in bulk.
const req = await registerRequest(s.ctx, {
  text: "Нагрузочный тест чата",
  channel: "chat",
  contact: { email: "bench@example.ru" },
});
const staff = await Promise.all(Array.from({ length: operators }, () => s.staff("operator")));
const tokens = Array.from({ length: chats }, () => randomToken(32));
const ids: number[] = [];
for (let i = 0; i < chats; i += 500) {
  const rows = await s.ctx.db
    .insert(chatConversations)
    .values(
      tokens.slice(i, i + 500).map((t, j) => ({
        tokenHash: sha256(t),
        requestId: req.id,
        state: "operator" as const,
        operatorId: staff[(i + j) % operators]!.id,
        contactEmail: "bench@example.ru",
      })),
    )
    .returning({ id: chatConversations.id });
  ids.push(...rows.map((r) => r.id));
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
  `  messages            ${total} at ${rate}/s, delivered ${delivery.length}, lost ${total - delivery.length}, stored ${storedCount - warm.length}`,
);
console.log(
  `  delivery latency    p50 ${fmt(pct(delivery, 50))} ms  p99 ${fmt(pct(delivery, 99))} ms  max ${fmt(Math.max(...delivery))} ms`,
);
console.log(`  acknowledgement     p50 ${fmt(pct(acks, 50))} ms  p99 ${fmt(pct(acks, 99))} ms`);
console.log(`  CPU                 ${fmt((cpu.user + cpu.system) / 1e6)} s over ${fmt(wall)} s wall`);

for (const c of [...applicants, ...desks]) c.socket.terminate();
await s.close();
process.exit(0);
