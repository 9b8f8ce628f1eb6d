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

const targets: { name: string; run: (v: unknown, t: string) => Promise<{ statusCode: number; body: string }> }[] = [
  {
    name: "POST /requests",
    run: (v) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: JSON.stringify(v) ?? "null",
        headers: { "content-type": "application/json" },
      }),
  },
  {
    name: "POST /requests raw",
    run: (_v, t) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: t,
        headers: { "content-type": "application/json" },
      }),
  },
  {
    name: "POST /classify",
    run: (v) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/classify",
        payload: JSON.stringify(v) ?? "null",
        headers: { "content-type": "application/json" },
      }),
  },
  {
    name: "GET /kb/search",
    run: (_v, t) => s.app.inject({ method: "GET", url: `/api/v1/kb/search?q=${encodeURIComponent(t)}` }),
  },
  {
    name: "GET /directory/recommend",
    run: (_v, t) =>
      s.app.inject({
        method: "GET",
        url: `/api/v1/directory/recommend?topic=${encodeURIComponent(t)}&region=${encodeURIComponent(t)}&at=${encodeURIComponent(t)}`,
      }),
  },
  {
    name: "GET /track",
    run: (_v, t) => s.app.inject({ method: "GET", url: `/api/v1/track/${encodeURIComponent(t)}` }),
  },
  {
    name: "POST /track/messages",
    run: (v, t) =>
      s.app.inject({
        method: "POST",
        url: `/api/v1/track/${encodeURIComponent(t || "x".repeat(43))}/messages`,
        payload: JSON.stringify(v) ?? "null",
        headers: { "content-type": "application/json" },
      }),
  },
  {
    name: "POST /phone/events",
    run: (v) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/phone/events",
        payload: JSON.stringify(v) ?? "null",
        headers: { "content-type": "application/json" },
      }),
  },
  {
    name: "POST /phone/ivr",
    run: (_v, t) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/phone/ivr",
        payload: `Digits=${encodeURIComponent(t)}&From=${encodeURIComponent(t)}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
  },
  {
    name: "POST /auth/login",
    run: (v) =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: JSON.stringify(v) ?? "null",
        headers: { "content-type": "application/json" },
      }),
  },
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
