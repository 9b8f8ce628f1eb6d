// Messages per second accepted over SMTP (real sessions on loopback, store() into memory) and parsed.
// `npm run bench:email [-- --count 2000 --connections 4]`
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import nodemailer from "nodemailer";
import { parseMessage, startSmtpIntake } from "../src/channels/email/index.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const count = Number(args.get("--count") ?? 2000);
const connections = Number(args.get("--connections") ?? 4);

// The everyday letters of the corpus; the hostile ones (zip bomb, 500 parts) are measured apart.
const dir = join(import.meta.dirname, "../test/fixtures/mail");
const everyday = readdirSync(dir)
  .filter((n) => n.endsWith(".eml") && !n.startsWith("bad-"))
  .map((n) => readFileSync(join(dir, n)));
const hostile = ["bad-zip-bomb.eml", "bad-500-parts.eml"].map((n) => readFileSync(join(dir, n)));

const stored: Buffer[] = [];
const intake = await startSmtpIntake({
  host: "127.0.0.1",
  port: 0,
  supportAddresses: ["support@gosuslugi.example"],
  maxSize: 25 * 1024 * 1024,
  store: async (raw) => {
    stored.push(raw);
  },
});
const client = nodemailer.createTransport({
  host: "127.0.0.1",
  port: intake.port,
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: connections,
  maxMessages: Number.POSITIVE_INFINITY,
});

const envelope = { from: "citizen@mail.example.ru", to: ["support@gosuslugi.example"] };
const started = performance.now();
await Promise.all(
  Array.from({ length: count }, (_, i) => client.sendMail({ envelope, raw: everyday[i % everyday.length] as Buffer })),
);
const smtpSeconds = (performance.now() - started) / 1000;
client.close();
await intake.close();

const parseStarted = performance.now();
let flagged = 0;
for (const raw of stored) if ((await parseMessage(raw)).flags.length) flagged++;
const parseSeconds = (performance.now() - parseStarted) / 1000;

const hostileTimes = [];
for (const raw of hostile) {
  const t = performance.now();
  await parseMessage(raw);
  hostileTimes.push(Math.round(performance.now() - t));
}

const bytes = stored.reduce((s, r) => s + r.length, 0);
console.log(
  `letters: ${stored.length} of ${count} (${everyday.length} kinds, mean ${Math.round(bytes / stored.length)} bytes), ${connections} SMTP connections`,
);
console.log(`SMTP accepted: ${(stored.length / smtpSeconds).toFixed(0)} messages/s (${smtpSeconds.toFixed(2)} s)`);
console.log(
  `parsed:        ${(stored.length / parseSeconds).toFixed(0)} messages/s (${parseSeconds.toFixed(2)} s, ${flagged} with flags)`,
);
console.log(`end to end:    ${(stored.length / (smtpSeconds + parseSeconds)).toFixed(0)} messages/s`);
console.log(`hostile letters parsed in: zip bomb ${hostileTimes[0]} ms, 500 parts ${hostileTimes[1]} ms`);
