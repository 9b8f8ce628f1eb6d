// `npm run fuzz [-- --seconds 60]`: random and malformed input against the public endpoints and the mail parser,
// bounded in time, on an in-process server. Any 5xx answer or thrown error is a failure (exit 1).
import { parseArgs } from "node:util";
import fc from "fast-check";
import { parseMessage } from "../src/channels/email/index.ts";
import { createTestServer } from "./harness.ts";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "60" }, seed: { type: "string" } } });
const deadline = Date.now() + Number(values.seconds) * 1000;
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;

const s = await createTestServer();
const failures: string[] = [];
let cases = 0;

const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "' or 1=1 --",
    "../../etc/passwd",
    "gfhjkm",
    "\u202e",
    "𝕏".repeat(50),
    "8 800 555-35-35",
  ),
);
const jsonish = fc.oneof(
  fc.anything({ maxDepth: 3 }),
  fc.record({ text, subject: text, category: text, contact: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }),
);

// A body sent as JSON exactly as generated (undefined becomes the literal null).
const postJson = (url: string, body: string) =>
  s.app.inject({ method: "POST", url, payload: body, headers: { "content-type": "application/json" } });
const json = (v: unknown) => JSON.stringify(v) ?? "null";
const q = encodeURIComponent;

const targets: { name: string; run: (v: unknown, t: string) => Promise<{ statusCode: number; body: string }> }[] = [
  { name: "POST /requests", run: (v) => postJson("/api/v1/requests", json(v)) },
  { name: "POST /requests raw", run: (_v, t) => postJson("/api/v1/requests", t) },
  { name: "POST /classify", run: (v) => postJson("/api/v1/classify", json(v)) },
  { name: "GET /kb/search", run: (_v, t) => s.app.inject({ method: "GET", url: `/api/v1/kb/search?q=${q(t)}` }) },
  {
    name: "GET /directory/recommend",
    run: (_v, t) =>
      s.app.inject({ method: "GET", url: `/api/v1/directory/recommend?topic=${q(t)}&region=${q(t)}&at=${q(t)}` }),
  },
  { name: "GET /track", run: (_v, t) => s.app.inject({ method: "GET", url: `/api/v1/track/${q(t)}` }) },
  {
    name: "POST /track/messages",
    run: (v, t) => postJson(`/api/v1/track/${q(t || "x".repeat(43))}/messages`, json(v)),
  },
  { name: "POST /phone/events", run: (v) => postJson("/api/v1/phone/events", json(v)) },
  {
    name: "POST /phone/ivr",
    run: (_v, t) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/phone/ivr",
        payload: `Digits=${q(t)}&From=${q(t)}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
  },
  { name: "POST /auth/login", run: (v) => postJson("/api/v1/auth/login", json(v)) },
];

let round = 0;
while (Date.now() < deadline) {
  const batch = fc.sample(fc.tuple(jsonish, text, fc.nat(targets.length - 1)), { numRuns: 50, seed: seed + round++ });
  for (const [v, t, i] of batch) {
    const target = targets[i]!;
    cases++;
    try {
      const res = await target.run(v, t);
      if (res.statusCode >= 500)
        failures.push(
          `${target.name} → ${res.statusCode}: ${JSON.stringify(v)?.slice(0, 200)} | ${JSON.stringify(t).slice(0, 100)}`,
        );
    } catch (e) {
      failures.push(`${target.name} threw ${(e as Error).name}`);
    }
  }
  const mails = fc.sample(
    fc.oneof(
      fc.uint8Array({ maxLength: 4000 }),
      text.map((x) =>
        new TextEncoder().encode(
          `From: ${x}\r\nSubject: ${x}\r\nContent-Type: multipart/mixed; boundary="${x}"\r\n\r\n--${x}\r\n${x}\r\n`,
        ),
      ),
    ),
    { numRuns: 20, seed: seed + round },
  );
  for (const m of mails) {
    cases++;
    try {
      await parseMessage(Buffer.from(m));
    } catch (e) {
      failures.push(`parseMessage threw ${(e as Error).name}`);
    }
  }
}
await s.close();
console.log(`fuzz: seed ${seed}, ${cases} cases, ${failures.length} failures`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
process.exit(failures.length ? 1 : 0);
