// `npm run fuzz [-- --seconds 60] [--seed N] [--targets http-public,chat,…]`: random and malformed input against
// an in-process server listening on free ports — HTTP with every content type (every public route, staff routes
// with a valid token), chat WebSocket frames, SMTP dialogues, phone events, the mail parser — bounded in time.
// Failure: any 5xx (or its kin: SMTP 451 on a failed store, a chat frame answered `internal`, a failure the server's
// guard contained), an exception or rejection nobody caught (counted, so the run goes on), an error in the harness,
// or a server that stops answering.
// Prints cases, server errors, crashes and harness errors per target; exits 1 on any.
import { connect } from "node:net";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { parseMessage } from "../src/channels/email/index.ts";
import { onFault } from "../src/guard.ts";
import { chatFuzz } from "./fuzz/chat.ts";
import { httpCase, type Known, routesOf } from "./fuzz/http.ts";
import { phoneFuzz } from "./fuzz/phone.ts";
import { rng } from "./fuzz/random.ts";
import { smtpFuzz } from "./fuzz/smtp.ts";
import { newTally, note, type Tally, type Target, thrown } from "./fuzz/target.ts";
import { createTestServer } from "./harness.ts";
import { freePort, SUPPORT } from "./test-smtp.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, seed: { type: "string" }, targets: { type: "string" } },
});
const seconds = Number(values.seconds);
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
const SECRET = "fuzz-phone-secret-0123456789";

// A harness like the tests: the development keys' warning is for a server someone may deploy.
process.env.NODE_ENV ??= "test";
const smtpPort = await freePort();
const s = await createTestServer({
  port: 0,
  host: "127.0.0.1",
  smtpPort,
  phoneSecret: SECRET,
  supportAddress: SUPPORT,
});
const registered = await s.app.inject({
  method: "POST",
  url: "/api/v1/requests",
  payload: { text: "Не приходит СМС" },
});
const categories = (await s.app.inject({ method: "GET", url: "/api/v1/kb/categories" })).json() as {
  articles: { slug: string }[];
}[];
const known: Known = {
  number: registered.json().number,
  token: registered.json().trackingUrl.split("/").pop(),
  slug: categories[0]?.articles[0]?.slug ?? "x",
  lineId: "federal-main",
  admin: (await s.staff("administrator")).authorization,
};
const routes = routesOf(s);

async function freshAdminIfRefused() {
  const me = await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: known.admin } });
  if (me.statusCode === 401) known.admin = (await s.staff("administrator")).authorization;
}

// The server runs in this process: what it fails to catch would end it. Counted against the target being run.
const harness = newTally();
let current: Tally = harness;
const crash = (kind: string) => (e: unknown) => {
  current.crashes++;
  const frame = String((e as Error)?.stack ?? "")
    .split("\n")
    .find((l) => l.includes("/src/"));
  note(
    current,
    `${kind}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)} ${frame?.trim() ?? ""}`,
  );
};
process.on("uncaughtException", crash("uncaught exception"));
process.on("unhandledRejection", crash("unhandled rejection"));
// A failure the server's guard contained (a frame's or a session's handler threw) is a server error all the same.
onFault((fault) => {
  if (fault.outage) return;
  current.serverErrors++;
  note(
    current,
    `contained at ${fault.where}: ${fault.type}${fault.code ? ` ${fault.code}` : ""} ${fault.frames[0] ?? ""}`,
  );
});

const loop = async (until: number, step: () => Promise<void>) => {
  while (Date.now() < until) await step();
};
const r = rng(seed);
const targets: Target[] = [
  {
    name: "http-public",
    share: 0.3,
    run: (until, t) =>
      loop(until, () =>
        httpCase(
          s,
          r,
          routes.filter((x) => !x.staff),
          known,
          t,
        ),
      ),
  },
  {
    name: "http-staff",
    share: 0.2,
    run: async (until, t) => {
      const staffRoutes = routes.filter((x) => x.staff);
      while (Date.now() < until) {
        // A case may revoke the token or deactivate its employee (the routes exist to do it): then a new one.
        await freshAdminIfRefused();
        for (let i = 0; i < 50 && Date.now() < until; i++) await httpCase(s, r, staffRoutes, known, t);
      }
    },
  },
  {
    name: "chat",
    share: 0.15,
    run: async (until, t) => {
      await freshAdminIfRefused();
      await chatFuzz(s, r, known.admin, until, t);
    },
  },
  { name: "smtp", share: 0.1, run: (until, t) => smtpFuzz(smtpPort, r, until, t) },
  { name: "phone", share: 0.2, run: (until, t) => phoneFuzz(s, r, SECRET, until, t) },
  {
    name: "mail-parser",
    share: 0.05,
    run: async (until, t) => {
      const text = fc.string({ unit: "binary", maxLength: 300 });
      const letters = fc.oneof(
        fc.uint8Array({ maxLength: 4000 }),
        text.map((x) =>
          new TextEncoder().encode(
            `From: ${x}\r\nSubject: ${x}\r\nContent-Type: multipart/mixed; boundary="${x}"\r\n\r\n--${x}\r\n${x}\r\n`,
          ),
        ),
      );
      for (let round = 0; Date.now() < until; round++) {
        for (const m of fc.sample(letters, { numRuns: 20, seed: seed + round })) {
          t.cases++;
          try {
            await parseMessage(Buffer.from(m));
          } catch (e) {
            thrown(t, "parseMessage", e);
          }
        }
      }
    },
  },
];
const chosen = values.targets ? targets.filter((t) => values.targets!.split(",").includes(t.name)) : targets;
const shares = chosen.reduce((sum, t) => sum + t.share, 0);
const tallies = new Map<string, Tally>();
for (const t of chosen) {
  const tally = newTally();
  tallies.set(t.name, tally);
  current = tally;
  try {
    await t.run(Date.now() + (seconds * 1000 * t.share) / shares, tally);
  } catch (e) {
    thrown(tally, t.name, e);
  }
  // Late rejections of this target's work still land on it.
  await new Promise((res) => setTimeout(res, 200));
}
current = harness;

// Still alive: over the network, not only through inject.
try {
  const health = await fetch(`${s.url}/api/v1/health`);
  if (health.status !== 200) note(harness, `health answered ${health.status}`);
  const greeting = await new Promise<string>((resolve, reject) => {
    const socket = connect(smtpPort, "127.0.0.1");
    socket.once("data", (d) => {
      socket.end("QUIT\r\n");
      resolve(d.toString());
    });
    socket.once("error", reject);
    socket.setTimeout(5000, () => reject(new Error("no SMTP greeting")));
  });
  if (!greeting.startsWith("220")) note(harness, `SMTP greeted ${greeting.slice(0, 60)}`);
} catch (e) {
  thrown(harness, "liveness", e);
}
tallies.set("(after the run)", harness);

await Promise.race([s.close(), new Promise((res) => setTimeout(res, 10_000))]);

const rows = [...tallies].map(([name, t]) => [
  name,
  t.cases,
  t.serverErrors,
  t.crashes,
  t.thrown + (name === "(after the run)" ? t.failures.length : 0),
]);
const header = ["target", "cases", "server errors", "crashes", "harness errors"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells: unknown[]) =>
  cells.map((c, i) => (i ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!))).join("  ");
console.log(
  `fuzz: seed ${seed}, ${seconds} s (server errors: HTTP 5xx, SMTP 451 4.3.0, chat «internal» frames, contained failures)`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));
let failed = false;
for (const [name, t] of tallies) {
  if (t.serverErrors || t.crashes || t.thrown || t.failures.length) failed = true;
  for (const f of t.failures) console.log(`  ${name}: ${f}`);
}
process.exit(failed ? 1 : 0);
