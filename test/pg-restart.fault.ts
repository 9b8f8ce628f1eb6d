// `npm run test:faults`: the machine's PostgreSQL server is restarted, then killed (immediate stop) and started again,
// while one `otklik serve` takes web-form submissions, SMTP letters and chat messages on it. The process must be the
// same one afterwards; every request answered 201, letter answered 250 and chat message acknowledged must be stored
// exactly once; answers during the outage must be 503 / 451 / a retryable chat error, never a 500; and it must
// recover by itself. (Separate from `npm test`, whose files share the server: the outages are kept short, and the
// server is always started again.)
import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ChatClient, type Frame } from "./chat-test-client.ts";
import { type Child, exited, freePort, startChild } from "./process.ts";
import { letter, SUPPORT, sendRaw } from "./test-smtp.ts";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const run = randomBytes(3).toString("hex");
const schema = `otklik_fault_${run}`;
const cluster = execFileSync("ls", ["/etc/postgresql"]).toString().trim().split("\n")[0]!;
const pgctl = (...args: string[]) =>
  execFileSync("pg_ctlcluster", ["--skip-systemctl-redirect", cluster, "main", ...args], { stdio: "pipe" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const admin = async (q: string, params: unknown[] = []) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(q, params);
  } finally {
    await c.end();
  }
};

/** What each channel saw: acknowledged items, and every answer that was not an acknowledgement. */
type Tally = { acked: string[]; answers: Map<string, number>; lastOkAt: number; slowest: number };
const tally = (): Tally => ({ acked: [], answers: new Map(), lastOkAt: 0, slowest: 0 });
const web = tally();
const mail = tally();
const chat = tally();
const note = (t: Tally, answer: string) => t.answers.set(answer, (t.answers.get(answer) ?? 0) + 1);
/** The longest wait for any answer, acknowledgement or refusal. */
const timed = async <T>(t: Tally, f: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  try {
    return await f();
  } finally {
    t.slowest = Math.max(t.slowest, Date.now() - started);
  }
};
let stop = false;

// Whatever happens, the shared server is running again and the child is gone within two minutes.
let child: Child | undefined;
const watchdog = setTimeout(() => {
  console.log("fault test: out of time");
  ensureStarted();
  child?.proc.kill("SIGKILL");
  process.exit(1);
}, 110_000);
function ensureStarted() {
  try {
    pgctl("start");
  } catch {
    // already running
  }
}

/** A web client: each submission under its own Idempotency-Key, sent again until it is answered 201. */
async function webClient(n: number) {
  for (let i = 0; !stop; i++) {
    const key = randomUUID();
    const text = `Отказ базы ${run} веб ${n}-${i}`;
    while (!stop) {
      try {
        const res = await timed(web, () =>
          fetch(`${child!.url}/api/v1/requests`, {
            method: "POST",
            headers: { "content-type": "application/json", "idempotency-key": key },
            body: JSON.stringify({ text }),
            signal: AbortSignal.timeout(30_000),
          }),
        );
        const body = (await res.json().catch(() => ({}))) as { code?: string };
        // 200: the same key again after an answer that never arrived — the request it made, acknowledged now.
        if (res.status === 201 || res.status === 200) {
          web.acked.push(text);
          web.lastOkAt = Date.now();
          break;
        }
        note(web, `${res.status} ${body.code ?? ""}${res.headers.get("retry-after") ? " +Retry-After" : ""}`);
      } catch (e) {
        note(web, `network ${(e as Error).name}`);
      }
      await sleep(200);
    }
    await sleep(50);
  }
}

/** An MTA: each letter sent again, the same bytes, until it is answered 250. */
async function mailClient(n: number, port: number) {
  for (let i = 0; !stop; i++) {
    const subject = `Отказ базы ${run} письмо ${n}-${i}`;
    const from = `fault${n}@example.ru`;
    const raw = letter({ from, subject, body: `Письмо ${i}`, messageId: `<fault-${run}-${n}-${i}@example.ru>` });
    while (!stop) {
      try {
        const info = await timed(mail, () => sendRaw(port, raw, from));
        if (/^250/.test(info.response)) {
          mail.acked.push(subject);
          mail.lastOkAt = Date.now();
          break;
        }
        note(mail, info.response.slice(0, 9));
      } catch (e) {
        const { response, responseCode } = e as { response?: string; responseCode?: number };
        note(mail, responseCode ? String(response).slice(0, 9) : `network ${(e as Error).name}`);
      }
      await sleep(300);
    }
    await sleep(100);
  }
}

/** A chat widget: each message sent again under its id until acknowledged; a dropped socket reconnects. */
async function chatClient() {
  const session = await fetch(`${child!.url}/api/v1/chat/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ contact: { email: `fault-${randomUUID()}@example.ru` } }),
  });
  const { token } = (await session.json()) as { token: string };
  let socket: ChatClient | undefined;
  const connect = async () => {
    try {
      socket = await ChatClient.open(`${child!.url.replace("http", "ws")}/api/v1/chat/ws?token=${token}`);
      const closed = new Promise<number>((r) => socket!.socket.once("close", (code: number) => r(code)));
      const first = await Promise.race([socket.waitFor((f) => f.t === "ready", 10_000), closed]);
      if (typeof first === "number") {
        note(chat, `close ${first}`);
        socket = undefined;
      }
    } catch {
      note(chat, "network");
      socket = undefined;
    }
  };
  for (let i = 0; !stop; i++) {
    const id = randomUUID();
    const text = `Отказ базы ${run} чат ${i}`;
    while (!stop) {
      if (!socket || socket.socket.readyState !== socket.socket.OPEN) {
        await connect();
        if (!socket) {
          await sleep(500);
          continue;
        }
      }
      const from = socket.frames.length;
      socket.send({ t: "msg", id, text });
      const waiting = socket;
      const answer: Frame | undefined = await timed(chat, () =>
        waiting.waitFor(
          (f) => (f.t === "ack" || f.t === "error") && f.id === id && waiting.frames.indexOf(f) >= from,
          30_000,
        ),
      ).catch(() => undefined);
      if (answer?.t === "ack") {
        chat.acked.push(id);
        chat.lastOkAt = Date.now();
        break;
      }
      note(chat, answer ? `error ${answer.code}${answer.retry ? " retry" : ""}` : "no answer");
      if (answer && !answer.retry) break; // refused for good: a bug here, counted below
      await sleep(1000);
    }
    await sleep(1000);
  }
  socket?.socket.terminate();
}

type Phase = { name: string; downFor: number; recovered: Record<string, number | null> };

async function outage(name: string, down: () => void, holdMs: number, up: () => void): Promise<Phase> {
  const started = Date.now();
  try {
    down();
    await sleep(holdMs); // long enough for every channel to meet the outage, short for the neighbours
  } finally {
    up();
  }
  const upAt = Date.now();
  const recovered: Record<string, number | null> = { web: null, mail: null, chat: null };
  const deadline = upAt + 30_000;
  while (Date.now() < deadline && Object.values(recovered).some((v) => v === null)) {
    for (const [k, t] of [
      ["web", web],
      ["mail", mail],
      ["chat", chat],
    ] as const) {
      if (recovered[k] === null && t.lastOkAt > upAt) recovered[k] = (t.lastOkAt - upAt) / 1000;
    }
    await sleep(100);
  }
  await sleep(2000);
  return { name, downFor: (upAt - started) / 1000, recovered };
}

const dir = mkdtempSync(path.join(os.tmpdir(), "otklik-fault-"));
let ok = false;
try {
  await admin(`create schema ${schema}`);
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  const smtpPort = await freePort();
  child = await startChild(
    {
      DATABASE_URL: u.toString(),
      OTKLIK_DATA_DIR: dir,
      OTKLIK_SMTP_PORT: String(smtpPort),
      OTKLIK_SUPPORT_ADDRESS: SUPPORT,
    },
    60_000,
  );
  const pid = child.proc.pid;
  const load = Promise.all([webClient(1), webClient(2), mailClient(1, smtpPort), chatClient(), chatClient()]);
  await sleep(2000);
  const phases = [
    await outage(
      "restart",
      () => pgctl("restart"),
      0,
      () => {},
    ),
    await outage(
      "kill",
      () => pgctl("stop", "-m", "immediate"),
      1000,
      () => pgctl("start"),
    ),
  ];
  stop = true;
  await load;

  // Letters are turned into requests by the outbox after 250: give it the time to catch up.
  const subjects = [...web.acked, ...mail.acked];
  for (let i = 0; i < 100; i++) {
    const left = await admin(`select count(*)::int as n from ${schema}.email_inbox where processed_at is null`);
    if (left.rows[0].n === 0) break;
    await sleep(200);
  }
  const stored = new Map<string, number>();
  for (const r of (
    await admin(`select subject, count(*)::int as n from ${schema}.requests where subject like $1 group by subject`, [
      `Отказ базы ${run} %`,
    ])
  ).rows)
    stored.set(r.subject, r.n);
  const kept = new Map<string, number>();
  for (const r of (
    await admin(
      `select client_id, count(*)::int as n from ${schema}.chat_messages where author = 'applicant' group by client_id`,
    )
  ).rows)
    kept.set(r.client_id, r.n);

  const alive = child.proc.exitCode === null && child.proc.pid === pid;
  const health = alive ? (await fetch(`${child.url}/api/v1/ready`)).status : 0;
  child.proc.kill("SIGTERM");
  const code = await exited(child.proc);

  const count = (acked: string[], seen: Map<string, number>, mine: (k: string) => boolean) => ({
    acknowledged: acked.length,
    lost: acked.filter((k) => !seen.get(k)).length,
    duplicated: [...seen].filter(([k, n]) => mine(k) && n > 1).length,
  });
  const results = {
    web: count(web.acked, stored, (k) => k.includes(" веб ")),
    smtp: count(mail.acked, stored, (k) => k.includes(" письмо ")),
    chat: count(chat.acked, kept, () => true),
  };
  const tallies = { web, smtp: mail, chat };
  const refused = (t: Tally) => [...t.answers].map(([k, n]) => `${n}× ${k}`).join(", ") || "none";
  const bad = [
    ...[...web.answers.keys()].filter((a) => !/^503 database_unavailable \+Retry-After$/.test(a)),
    ...[...mail.answers.keys()].filter((a) => !/^451 4\.3\.0$/.test(a)),
    ...[...chat.answers.keys()].filter((a) => !/^error database_unavailable retry$/.test(a)),
  ];

  console.log(`PostgreSQL ${cluster} under load (run ${run}); the Otklik process pid ${pid}`);
  for (const p of phases) {
    const r = Object.entries(p.recovered)
      .map(([k, v]) => `${k} ${v === null ? "never" : `${v.toFixed(1)} s`}`)
      .join(", ");
    console.log(`  ${p.name}: server down for ${p.downFor.toFixed(1)} s; recovered after it was back: ${r}`);
  }
  for (const [channel, r] of Object.entries(results)) {
    console.log(
      `  ${channel}: ${r.acknowledged} acknowledged, lost ${r.lost}, duplicated ${r.duplicated}; refused: ${refused(tallies[channel as keyof typeof tallies])}; slowest answer ${(tallies[channel as keyof typeof tallies].slowest / 1000).toFixed(1)} s`,
    );
  }
  console.log(
    `  process: ${alive ? "the same one throughout" : "GONE"}, ready ${health}, exit code ${code} after SIGTERM`,
  );
  if (bad.length) console.log(`  answers that should not have been given: ${bad.join("; ")}`);
  const recoveredAll = phases.every((p) => Object.values(p.recovered).every((v) => v !== null));
  ok =
    alive &&
    health === 200 &&
    code === 0 &&
    recoveredAll &&
    bad.length === 0 &&
    Object.values(results).every((r) => r.acknowledged > 0 && r.lost === 0 && r.duplicated === 0) &&
    subjects.length > 0;
} catch (e) {
  console.log(`fault test failed: ${(e as Error).stack}`);
  if (child) console.log(child.output().slice(-3000));
} finally {
  ensureStarted();
  child?.proc.kill("SIGKILL");
  await admin(`drop schema if exists ${schema} cascade`).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  clearTimeout(watchdog);
}
console.log(ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
process.exit(ok ? 0 : 1);
