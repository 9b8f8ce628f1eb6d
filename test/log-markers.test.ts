// No personal data reaches the log, even when things fail: a unique marker goes into every field of every public
// input (web form as JSON and as multipart with a file, tracking follow-up and rating, chat session, frame and file,
// sign-in, knowledge-base search and feedback, phone events, an SMTP letter), each sent as it should be, with NUL,
// oversized, and once more while every table refuses writes (a database error quotes the statement's parameters).
// The whole log at debug level, and anything else the process prints meanwhile, holds none of the markers.
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/http/app.ts";
import { loggerOptions } from "../src/http/logging.ts";
import { ChatClient } from "./chat-test-client.ts";
import { createTestServer, type TestServer } from "./harness.ts";
import { multipartBody } from "./multipart-body.ts";
import { freePort, SUPPORT, sendRaw } from "./test-smtp.ts";

const SECRET = "phone-secret-for-log-test";
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let s: TestServer;
let app: Awaited<ReturnType<typeof buildApp>>;
let base: string;
let smtpPort: number;
const logged: string[] = [];
const printed: string[] = [];
const markers: string[] = [];
const restore: (() => void)[] = [];

beforeAll(async () => {
  smtpPort = await freePort();
  s = await createTestServer({ smtpPort, phoneSecret: SECRET, supportAddress: SUPPORT, publicRateLimit: 0 });
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logged.push(String(chunk));
      cb();
    },
  });
  app = await buildApp(s.ctx, { logger: { ...loggerOptions("debug"), stream: sink } as never });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  // Whatever else the process prints meanwhile (a library's console, a stray stack trace).
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return write(chunk as never, ...(rest as []));
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
});
afterAll(async () => {
  for (const r of restore) r();
  await app?.close();
  await s?.close();
});

/** A fresh marker: letters and digits only, so it passes for a name, a word, a file name or an e-mail's local part. */
function mark(kind: string) {
  const m = `mk${kind}${randomBytes(5).toString("hex")}`;
  markers.push(m);
  return m;
}
/** A fresh phone number; its ten digits are the marker. */
function phone() {
  const digits = `916${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  markers.push(digits);
  return `+7${digits}`;
}
/** A passport number inside a text; its ten digits are the marker. */
function passport() {
  const digits = String(Math.floor(1e9 + Math.random() * 8e9));
  markers.push(digits);
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}

type Variant = "plain" | "nul" | "oversized";
const shape = (v: Variant, x: string) => (v === "nul" ? `${x}\u0000` : v === "oversized" ? x.padEnd(300_000, "ж") : x);

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: "POST", url: `/api/v1${url}`, payload: payload as never, headers });

/** Every public input once, with markers in every field; answers a tracking token and a chat token for the next. */
async function everyInput(v: Variant, known: { track?: string; chat?: string }) {
  const f = (kind: string) => shape(v, mark(kind));
  const contact = () => ({ name: f("name"), email: `${f("email")}@example.ru`, phone: shape(v, phone()) });
  const request = () => ({
    text: `Паспорт ${passport()} ${f("text")}`,
    subject: f("subj"),
    region: f("reg"),
    contact: contact(),
  });
  const statuses: number[] = [];
  const note = <T extends { statusCode: number }>(res: T) => {
    statuses.push(res.statusCode);
    return res;
  };

  // The web form, as JSON and as multipart with a file.
  const json = note(await post("/requests", request()));
  const track = json.statusCode === 201 ? (json.json().trackingUrl as string).split("/").pop() : known.track;
  const form = multipartBody([
    { name: "data", value: JSON.stringify(request()) },
    { name: "files", value: `${f("file")}`, filename: `${f("fname")}.txt`, type: "text/plain" },
  ]);
  note(await post("/requests", form.payload, form.headers));

  // The tracking page: a follow-up as JSON and as multipart, a rating with a comment.
  if (track) {
    note(await post(`/track/${track}/messages`, { text: f("reply") }));
    const reply = multipartBody([
      { name: "text", value: f("reply") },
      { name: "files", value: PNG, filename: `${f("fname")}.png`, type: "image/png" },
    ]);
    note(await post(`/track/${track}/messages`, reply.payload, reply.headers));
    note(await post(`/track/${track}/rating`, { score: 5, comment: f("comment") }));
  }

  // The chat: a session as JSON and as a form, a frame, a file.
  const chat = note(await post("/chat/sessions", contact()));
  const chatToken = chat.statusCode === 201 ? (chat.json().token as string) : known.chat;
  const c = contact();
  note(
    await post("/chat/sessions", new URLSearchParams(c).toString(), {
      "content-type": "application/x-www-form-urlencoded",
    }),
  );
  if (chatToken) {
    const client = await ChatClient.open(`${base.replace("http", "ws")}/api/v1/chat/ws?token=${chatToken}`);
    await client.waitFor((fr) => fr.t === "ready");
    const id = randomUUID();
    client.send({ t: "msg", id, text: `${f("chat")} ${phone()}` });
    // An answer, or the socket closed (a frame past the size limit closes it with 1009).
    const closed = new Promise<void>((resolve) => client.socket.once("close", () => resolve()));
    const answered = client.waitFor((fr) => (fr.t === "ack" || fr.t === "error") && fr.id === id);
    await Promise.race([answered, closed]).catch(() => undefined);
    client.close();
    const file = multipartBody([{ name: "file", value: PNG, filename: `${f("fname")}.png`, type: "image/png" }]);
    note(await post("/chat/files", file.payload, { ...file.headers, "x-chat-token": chatToken }));
  }

  // Sign-in, the knowledge base.
  note(await post("/auth/login", { email: `${f("login")}@example.ru`, password: f("pass") }));
  note(await app.inject({ method: "GET", url: `/api/v1/kb/search?q=${encodeURIComponent(f("search"))}` }));
  note(await post(`/kb/articles/${mark("slug")}/feedback`, { helpful: true }));
  note(await post("/kb/suggestions/events", { visit: f("visit"), kind: "shown", slugs: [f("slug")] }));

  // Phone events: a call rings, is answered and ends.
  const callId = f("call");
  const from = shape(v, phone());
  for (const event of [
    { event: "newCall", callId, from, to: "88005553535", queue: f("queue") },
    { event: "answer", callId, user: `${f("user")}@example.ru`, answeringNumber: f("ext") },
    { event: "hangup", callId, cause: f("cause") },
  ]) {
    note(await post(`/phone/events/${SECRET}`, event));
  }

  // An SMTP letter, with an attachment.
  const sender = `${mark("from")}@example.ru`;
  const raw = Buffer.from(
    [
      `From: ${mark("sender")} <${sender}>`,
      `To: ${SUPPORT}`,
      `Subject: ${f("subject")}`,
      `Message-ID: <${mark("mid")}@example.ru>`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "",
      `Паспорт ${passport()}, телефон ${phone()}, ${f("letter")}`,
      "--b",
      `Content-Type: text/plain; name="${mark("att")}.txt"`,
      `Content-Disposition: attachment; filename="${mark("att")}.txt"`,
      "",
      f("attbody"),
      "--b--",
      "",
    ].join("\r\n"),
  );
  await sendRaw(smtpPort, raw, sender).catch(() => undefined);
  return { statuses, track, chat: chatToken };
}

/** Every table refuses every write: each input fails inside the database, with its parameters in the error. */
async function refuseWrites(on: boolean) {
  const tables = await s.ctx.db.execute<{ t: string }>(
    sql`select table_name as t from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  const rows = (tables as unknown as { rows?: { t: string }[] }).rows ?? (tables as unknown as { t: string }[]);
  for (const { t } of rows) {
    const statement = on
      ? `alter table "${t}" add constraint log_test_refused check (false) not valid`
      : `alter table "${t}" drop constraint if exists log_test_refused`;
    await s.ctx.db.execute(sql.raw(statement)).catch(() => undefined);
  }
}

describe("no personal data reaches the log", () => {
  it("whatever the input and however it fails", async () => {
    const known = await everyInput("plain", {});
    expect(known.statuses.filter((x) => x >= 500)).toEqual([]);
    await everyInput("nul", known);
    await everyInput("oversized", known);
    await refuseWrites(true);
    let failed: number[];
    try {
      failed = (await everyInput("plain", known)).statuses.filter((x) => x >= 500);
    } finally {
      await refuseWrites(false);
    }
    const log = logged.join("");
    const everything = log + printed.join("");
    const found = markers.filter((m) => everything.includes(m));
    expect(markers.length).toBeGreaterThan(100);
    expect(found).toEqual([]);
    // The database did refuse, and the refusals were logged with what helps: codes, the constraint, the frames.
    expect(failed.length).toBeGreaterThan(5);
    expect(log).toMatch(/"msg":"unhandled error"/);
    expect(log).toMatch(/"code":"23514"/);
    expect(log).toMatch(/"constraint":"log_test_refused"/);
    expect(log).toMatch(/"stack":"at /);
  });
});
