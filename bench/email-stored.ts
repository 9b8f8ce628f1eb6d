// E-mail intake into the real server: letters per second answered 250 (each one stored in the inbox table before
// the answer), over 4 SMTP connections, on the embedded database and on PostgreSQL. In the same run, «raw»: what
// storing a letter costs the database alone — the very statement `storeLetter` sends (src/channels/email/inbox.ts:
// the inbox row with the letter and its envelope, sealed by the columns' own encryption as the product seals them,
// the outbox event and its NOTIFY), one per letter, from as many concurrent senders as SMTP connections, straight
// through the driver. The rows it wrote are then read back and must be sealed as the server's are.
// Usage: npm run bench:email:stored -- [--n 1000] [--connections 4] [--engine pglite|postgres|both] [--profile DIR]
// --profile DIR writes the server's CPU profile (node --cpu-prof) into DIR, one file per engine.
import { parseArgs } from "node:util";
import { PgDialect } from "drizzle-orm/pg-core";
import nodemailer from "nodemailer";
import { storeLetterStatement } from "../src/channels/email/inbox.ts";
import { bytesKeyIdOf, isEncrypted, makeKeyring, parseDataKeys } from "../src/security/keys.ts";
import { installKeyring } from "../src/security/sealed.ts";
import { exited, freePort, startChild } from "../test/process.ts";
import { ENGINE_NAME, type Engine, enginesOf, load, ofRaw, quantile, quiet, scratchDatabase } from "./raw.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000" },
    connections: { type: "string", default: "4" },
    engine: { type: "string", default: "both" },
    profile: { type: "string" },
  },
  // The old form `email-stored.ts 1000` still works.
  allowPositionals: true,
});
const N = Number(values.n === "1000" && process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : values.n);
const CONNECTIONS = Number(values.connections);
/** The profiler's sampling costs some CPU of its own: a profiled server counts as quiet at a higher level. */
const IDLE_MS = values.profile ? 60 : 10;

/** Letters sent to warm the server up before the measured ones. */
const WARMUP = 300;

const letter = (i: number, k: number) => ({
  from: `applicant${i}@example.ru`,
  to: "support@otklik.local",
  subject: "Госуслуги - Вход",
  text: `Не приходит код подтверждения, письмо ${i} через соединение ${k}.`,
});

async function otklik(engine: Engine) {
  const scratch = await scratchDatabase(engine);
  await scratch.database.close();
  const smtpPort = await freePort();
  const child = await startChild(
    {
      ...scratch.env(),
      OTKLIK_SMTP_PORT: String(smtpPort),
      OTKLIK_EMAIL_ACK_LIMIT: "10000",
    },
    120_000,
    values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [],
  );
  const transports = Array.from({ length: CONNECTIONS }, () =>
    nodemailer.createTransport({
      host: "127.0.0.1",
      port: smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
    }),
  );
  const send = async (from: number, count: number) => {
    let next = from;
    let accepted = 0;
    await Promise.all(
      transports.map(async (t, k) => {
        while (next < from + count) {
          const i = next++;
          await t.sendMail(letter(i, k));
          accepted++;
        }
      }),
    );
    return accepted;
  };
  try {
    // Measured warm and on a quiet server (as bench:intake): its start-up work done, the hot code compiled by the JIT,
    // and the warm-up letters' own background work (their requests and acknowledgements) finished first.
    await quiet(child.proc.pid!, IDLE_MS);
    await send(N, WARMUP);
    await quiet(child.proc.pid!, IDLE_MS);
    const t0 = performance.now();
    const accepted = await send(0, N);
    const seconds = (performance.now() - t0) / 1000;
    return { scratch, accepted, rps: accepted / seconds, seconds };
  } finally {
    // The server stops whatever happened (a failed run must not leave it running under the next benchmark).
    for (const t of transports) t.close();
    child.proc.kill("SIGTERM");
    await exited(child.proc);
  }
}

async function raw(scratch: Awaited<ReturnType<typeof scratchDatabase>>) {
  const driver = await scratch.openRaw();
  const stored = Number((await driver.query("select count(*)::int as n from email_inbox"))[0]!.n);
  // The letters as the SMTP session receives them (nodemailer's own composition of the same letters).
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const raws = await Promise.all(
    Array.from(
      { length: N },
      async (_, i) => (await composer.sendMail(letter(i, i % CONNECTIONS))).message as unknown as Buffer,
    ),
  );
  // The keys the server was started with (the development keys unless OTKLIK_DATA_KEYS is set), so that the raw side
  // seals each letter as the server does, by the columns' own encoders.
  const dataKeys = process.env.OTKLIK_DATA_KEYS;
  installKeyring(makeKeyring(dataKeys ? parseDataKeys(dataKeys) : undefined, undefined));
  const dialect = new PgDialect();
  const store = async (i: number) => {
    const raw = raws[i % raws.length]!;
    const envelope = {
      mailFrom: `applicant${i}@example.ru`,
      rcptTo: ["support@otklik.local"],
      remoteAddress: "127.0.0.1",
      via: "smtp" as const,
    };
    const { sql, params } = dialect.sqlToQuery(storeLetterStatement(raw, envelope));
    await driver.query(sql, params);
  };
  // Warmed up as the server was, then measured from the next id on.
  for (let i = 0; i < WARMUP; i++) await store(N + i);
  const first = Number((await driver.query("select coalesce(max(id), 0)::int as n from email_inbox"))[0]!.n);
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < N) {
        const i = next++;
        const t = performance.now();
        await store(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  // The raw rows must be what the server writes: as many, and sealed like the server's own rows.
  const written = await driver.query(
    "select id, raw, envelope from email_inbox where id = $1 or id = (select max(id) from email_inbox)",
    [first],
  );
  const added = Number((await driver.query("select count(*)::int as n from email_inbox where id > $1", [first]))[0]!.n);
  await driver.close();
  if (added !== N) throw new Error(`bench/email-stored.ts: the raw side stored ${added} letters of ${N}`);
  for (const r of written) {
    const bytes = Buffer.from(r.raw as Uint8Array);
    if (bytesKeyIdOf(bytes) === null || !isEncrypted(String(r.envelope))) {
      throw new Error(`bench/email-stored.ts: inbox row ${r.id} is not sealed as the server seals a letter`);
    }
  }
  return { stored, rps: N / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

for (const engine of enginesOf(values.engine)) {
  console.log(
    `${ENGINE_NAME[engine]}: ${N} letters over ${CONNECTIONS} SMTP connections, load average at start ${load()}`,
  );
  const o = await otklik(engine);
  try {
    const r = await raw(o.scratch);
    console.log(
      `  Otklik: ${o.accepted} letters answered 250 in ${o.seconds.toFixed(1)} s = ${o.rps.toFixed(0)} letters/s; ${r.stored - WARMUP} stored in the inbox (besides the ${WARMUP} of the warm-up)`,
    );
    console.log(
      `  raw (storeLetter's statement per letter, sealed as the server seals it, through the driver, ${CONNECTIONS} at once): ${r.rps.toFixed(0)} letters/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
    console.log(`  ${ofRaw(o.rps, r.rps)}; load average at end ${load()}`);
  } finally {
    await o.scratch.drop();
  }
}
