// E-mail intake into the real server: letters per second answered 250 (each one stored in the inbox table before
// the answer), over 4 SMTP connections, on the embedded database and on PostgreSQL. In the same run, «raw»: what
// storing a letter costs the database alone — the inbox row with the letter and its envelope, the outbox event and
// its NOTIFY, one transaction per letter (src/channels/email/inbox.ts, storeLetter), from 4 concurrent senders
// straight through the driver.
// Usage: npm run bench:email:stored -- [--n 1000] [--connections 4] [--engine pglite|postgres|both]
import { parseArgs } from "node:util";
import nodemailer from "nodemailer";
import { exited, freePort, startChild } from "../test/process.ts";
import { ENGINE_NAME, type Engine, enginesOf, load, ofRaw, type Query, quantile, scratchDatabase } from "./raw.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000" },
    connections: { type: "string", default: "4" },
    engine: { type: "string", default: "both" },
  },
  // The old form `email-stored.ts 1000` still works.
  allowPositionals: true,
});
const N = Number(values.n === "1000" && process.argv[2] && /^\d+$/.test(process.argv[2]) ? process.argv[2] : values.n);
const CONNECTIONS = Number(values.connections);

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
    { ...scratch.env(), OTKLIK_SMTP_PORT: String(smtpPort), OTKLIK_EMAIL_ACK_LIMIT: "10000" },
    120_000,
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
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    transports.map(async (t, k) => {
      while (next < N) {
        const i = next++;
        await t.sendMail(letter(i, k));
        accepted++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const t of transports) t.close();
  child.proc.kill("SIGTERM");
  await exited(child.proc);
  return { scratch, accepted, rps: accepted / seconds, seconds };
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
  const store = (i: number) =>
    driver.transaction(async (q: Query) => {
      const raw = raws[i % raws.length]!;
      const envelope = { mailFrom: `applicant${i}@example.ru`, rcptTo: ["support@otklik.local"], via: "smtp" };
      const [row] = await q("insert into email_inbox (raw, size, envelope) values ($1, $2, $3) returning id", [
        raw,
        raw.length,
        JSON.stringify({ ...envelope, remoteAddress: "127.0.0.1" }),
      ]);
      const [event] = await q("insert into events (topic, payload) values ($1, $2) returning id", [
        "email.received",
        JSON.stringify({ inboxId: Number(row!.id) }),
      ]);
      await q("select pg_notify($1, $2)", [
        "otklik_events",
        JSON.stringify({ id: Number(event!.id), topic: "email.received", data: { inboxId: Number(row!.id) } }),
      ]);
    });
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
  await driver.close();
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
      `  Otklik: ${o.accepted} letters answered 250 in ${o.seconds.toFixed(1)} s = ${o.rps.toFixed(0)} letters/s; ${r.stored} stored in the inbox`,
    );
    console.log(
      `  raw (inbox row + event + NOTIFY per letter through the driver, ${CONNECTIONS} at once): ${r.rps.toFixed(0)} letters/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
    console.log(`  ${ofRaw(o.rps, r.rps)}; load average at end ${load()}`);
  } finally {
    await o.scratch.drop();
  }
}
