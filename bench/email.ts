// Messages per second accepted over SMTP (real sessions on loopback, store() into memory) and parsed.
// `npm run bench:email -- --count 2000 --connections 4 --rounds 3`; the median round is the figure.
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import nodemailer from "nodemailer";
import { parseMessage, startSmtpIntake } from "../src/channels/email/index.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const count = Number(args.get("--count") ?? 2000);
const connections = Number(args.get("--connections") ?? 4);
const rounds = Number(args.get("--rounds") ?? 3);

// The everyday letters of the corpus; the hostile ones (zip bomb, 500 parts) are measured apart.
const dir = join(import.meta.dirname, "../test/fixtures/mail");
const everyday = readdirSync(dir)
  .filter((n) => n.endsWith(".eml") && !n.startsWith("bad-"))
  .map((n) => readFileSync(join(dir, n)));
const hostile = ["bad-zip-bomb.eml", "bad-500-parts.eml"].map((n) => readFileSync(join(dir, n)));
const meanSize = Math.round(everyday.reduce((s, r) => s + r.length, 0) / everyday.length);

let stored: Buffer[] = [];
const intake = await startSmtpIntake({
  host: "127.0.0.1",
  port: 0,
  supportAddresses: ["support@gosuslugi.example"],
  maxSize: 25 * 1024 * 1024,
  store: async (raw) => {
    stored.push(raw);
  },
});
const envelope = { from: "citizen@mail.example.ru", to: ["support@gosuslugi.example"] };

type Round = { smtp: number; parse: number; total: number };
const results: Round[] = [];
for (let round = 0; round < rounds; round++) {
  stored = [];
  const client = nodemailer.createTransport({
    host: "127.0.0.1",
    port: intake.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: connections,
    maxMessages: Number.POSITIVE_INFINITY,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.sendMail({ envelope, raw: everyday[i % everyday.length] as Buffer }),
    ),
  );
  const smtpSeconds = (performance.now() - started) / 1000;
  client.close();
  if (stored.length !== count) throw new Error(`stored ${stored.length} of ${count}`);
  const parseStarted = performance.now();
  for (const raw of stored) await parseMessage(raw);
  const parseSeconds = (performance.now() - parseStarted) / 1000;
  results.push({ smtp: count / smtpSeconds, parse: count / parseSeconds, total: count / (smtpSeconds + parseSeconds) });
  const r = results.at(-1) as Round;
  console.log(
    `round ${round + 1}: SMTP ${r.smtp.toFixed(0)}/s, parse ${r.parse.toFixed(0)}/s, end to end ${r.total.toFixed(0)}/s`,
  );
}
await intake.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
// A letter with a 10 MB scan, the size citizens really send.
const scan = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(10 * 1024 * 1024, 7)]);
const big = Buffer.from(
  [
    "From: citizen@mail.example.ru",
    "Message-ID: <big@mail.example.ru>",
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Скан паспорта во вложении.",
    "--b",
    'Content-Type: application/pdf; name="scan.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
    (scan.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n"),
    "--b--",
    "",
  ].join("\r\n"),
);
const bigStarted = performance.now();
await parseMessage(big);
const bigMs = Math.round(performance.now() - bigStarted);

const hostileTimes: number[] = [];
for (const raw of hostile) {
  const t = performance.now();
  await parseMessage(raw);
  hostileTimes.push(Math.round(performance.now() - t));
}
console.log(
  `\n${count} letters × ${rounds} rounds (${everyday.length} kinds, mean ${meanSize} bytes), ${connections} SMTP connections, load ${loadavg()[0]?.toFixed(1)}`,
);
console.log(`SMTP accepted (stored in memory): ${median(results.map((r) => r.smtp)).toFixed(0)} messages/s (median)`);
console.log(`parsed:                           ${median(results.map((r) => r.parse)).toFixed(0)} messages/s (median)`);
console.log(`end to end:                       ${median(results.map((r) => r.total)).toFixed(0)} messages/s (median)`);
console.log(`hostile letters parsed in: zip bomb ${hostileTimes[0]} ms, 500 parts ${hostileTimes[1]} ms`);
console.log(
  "the database is not on this path (letters kept in memory): bench:email:stored measures the intake that stores each letter, with its raw limit",
);
console.log(`a letter with a 10 MB attachment (${(big.length / 1048576).toFixed(1)} MB raw) parsed in ${bigMs} ms`);
