// Real SMTP sessions on 127.0.0.1: nodemailer is the sending MTA, our intake the receiving one.
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterEach, describe, expect, it } from "vitest";
import { configureGuard } from "../../guard.ts";
import { parseMessage } from "./parse.ts";
import {
  type IntakeEnvelope,
  type IntakeEvent,
  type SmtpIntake,
  type SmtpIntakeOptions,
  startSmtpIntake,
} from "./smtp-intake.ts";

const SUPPORT = "support@gosuslugi.example";
configureGuard("silent");
let intake: SmtpIntake | undefined;

afterEach(async () => {
  await intake?.close();
  intake = undefined;
});

async function start(overrides: Partial<SmtpIntakeOptions> = {}) {
  const stored: Array<{ raw: Buffer; envelope: IntakeEnvelope }> = [];
  const events: IntakeEvent[] = [];
  intake = await startSmtpIntake({
    host: "127.0.0.1",
    port: 0,
    supportAddresses: [SUPPORT],
    maxSize: 10 * 1024 * 1024,
    store: async (raw, envelope) => {
      stored.push({ raw, envelope });
    },
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  const client = nodemailer.createTransport({
    host: "127.0.0.1",
    port: intake.port,
    secure: false,
    ignoreTLS: true,
  });
  return { stored, events, client, port: intake.port };
}

const letter = {
  from: "Иван Петров <ivan@mail.example.ru>",
  to: SUPPORT,
  subject: "Госуслуги - [Электронная подпись]",
  text: "Не могу подписать заявление.",
  attachments: [{ filename: "Скан паспорта.pdf", content: Buffer.from("%PDF-1.4\n%%EOF\n") }],
};

describe("SMTP intake", () => {
  it("accepts a letter for a support address, stores it raw, and the letter parses back whole", async () => {
    const { stored, events, client } = await start();
    const info = await client.sendMail(letter);
    expect(info.accepted).toEqual([SUPPORT]);
    expect(info.response).toMatch(/^250 /);
    expect(stored).toHaveLength(1);
    const { raw, envelope } = stored[0] ?? { raw: Buffer.alloc(0), envelope: undefined };
    expect(envelope).toMatchObject({
      mailFrom: "ivan@mail.example.ru",
      rcptTo: [SUPPORT],
      remoteAddress: "127.0.0.1",
    });
    expect(raw.toString("latin1").startsWith("Return-Path: <ivan@mail.example.ru>\r\n")).toBe(true);
    const m = await parseMessage(raw);
    expect(m).toMatchObject({
      subject: letter.subject,
      text: letter.text,
      categoryFromSubject: "e_signature",
    });
    expect(m.from).toEqual({ name: "Иван Петров", address: "ivan@mail.example.ru" });
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([["Скан паспорта.pdf", "application/pdf"]]);
    expect(events).toEqual([{ type: "accepted", size: raw.length - "Return-Path: <ivan@mail.example.ru>\r\n".length }]);
    client.close();
  });

  it("carries every letter of the corpus byte-exact, 8-bit bytes and leading dots included", async () => {
    const { stored, client } = await start();
    const dir = join(import.meta.dirname, "../../../test/fixtures/mail");
    const letters = readdirSync(dir)
      .filter((n) => n.endsWith(".eml"))
      .map((n) => readFileSync(join(dir, n)));
    letters.push(Buffer.from("From: a@mail.example.ru\r\nSubject: dots\r\n\r\n.\r\n..two\r\n.one\r\nend\r\n"));
    for (const raw of letters) {
      await client.sendMail({ envelope: { from: "a@mail.example.ru", to: [SUPPORT] }, raw });
    }
    expect(stored).toHaveLength(letters.length);
    const prefix = "Return-Path: <a@mail.example.ru>\r\n".length;
    for (const [i, raw] of letters.entries()) {
      const body = stored[i]?.raw.subarray(prefix);
      // A letter's last line always ends in CRLF on the wire; the corpus letters already do.
      expect(body?.equals(raw.at(-1) === 10 ? raw : Buffer.concat([raw, Buffer.from("\r\n")])), `letter ${i}`).toBe(
        true,
      );
    }
    client.close();
  });

  it("is not an open relay: 550 for any other address, plus-addressing of ours accepted", async () => {
    const { stored, events, client } = await start();
    const refused = await client.sendMail({ ...letter, to: "someone@elsewhere.example" }).catch((e) => e);
    expect(refused.responseCode).toBe(550);
    expect(stored).toHaveLength(0);
    const partly = await client.sendMail({
      ...letter,
      to: ["someone@elsewhere.example", "Support+12345674@GosUslugi.example"],
    });
    expect(partly.accepted).toEqual(["Support+12345674@gosuslugi.example"]);
    expect(partly.rejected).toEqual(["someone@elsewhere.example"]);
    expect(stored[0]?.envelope.rcptTo).toEqual(["support+12345674@gosuslugi.example"]);
    expect(events.filter((e) => e.type === "rejected")).toEqual([
      { type: "rejected", code: 550, reason: "unknown_recipient" },
      { type: "rejected", code: 550, reason: "unknown_recipient" },
    ]);
    client.close();
  });

  it("refuses a 30 MB letter with 552 and stores nothing", async () => {
    const { stored, client } = await start({ maxSize: 25 * 1024 * 1024 });
    const big = Buffer.alloc(30 * 1024 * 1024, "a");
    const error = await client
      .sendMail({ ...letter, attachments: [{ filename: "big.bin", content: big }] })
      .catch((e) => e);
    expect(error.responseCode).toBe(552);
    expect(stored).toHaveLength(0);
    // The connection stays usable for the next letter, and nothing stays held in memory.
    await expect(client.sendMail(letter)).resolves.toMatchObject({ accepted: [SUPPORT] });
    expect(intake?.bufferedBytes()).toBe(0);
    client.close();
  });

  it("refuses with 552 at DATA when the client did not announce the size", async () => {
    const { stored, port } = await start({ maxSize: 1000 });
    const smtp = await rawSession(port);
    await smtp.say("EHLO test", /^250 /m);
    await smtp.say("MAIL FROM:<ivan@mail.example.ru>", /^250 /m);
    await smtp.say(`RCPT TO:<${SUPPORT}>`, /^250 /m);
    await smtp.say("DATA", /^354 /m);
    const reply = await smtp.say(`Subject: x\r\n\r\n${"x".repeat(5000)}\r\n.`, /^\d{3} /m);
    expect(reply).toMatch(/^552 /);
    expect(stored).toHaveLength(0);
    smtp.end();
  });

  it("answers 250 only after store() resolved", async () => {
    let release: () => void = () => {};
    let storeCalled = false;
    const { client } = await start({
      store: () => {
        storeCalled = true;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    let answered = false;
    const sending = client.sendMail(letter).then((info) => {
      answered = true;
      return info;
    });
    await waitFor(() => storeCalled);
    await new Promise((r) => setTimeout(r, 150));
    expect(answered).toBe(false);
    release();
    await expect(sending).resolves.toMatchObject({ accepted: [SUPPORT] });
    client.close();
  });

  it("answers 451 when store() fails, so the sender retries; the retry succeeds", async () => {
    let failures = 1;
    const stored: Buffer[] = [];
    const { client, events } = await start({
      store: async (raw) => {
        if (failures-- > 0) throw new Error("disk full");
        stored.push(raw);
      },
    });
    const error = await client.sendMail(letter).catch((e) => e);
    expect(error.responseCode).toBe(451);
    expect(events).toContainEqual({ type: "store_failed", code: 451 });
    expect(intake?.bufferedBytes()).toBe(0);
    await client.sendMail(letter);
    expect(stored).toHaveLength(1);
    client.close();
  });

  it("answers 451 when letters in progress would pass the memory budget, and takes the retry later", async () => {
    let release: () => void = () => {};
    let held = 0;
    const { client, events } = await start({
      maxBufferedBytes: 3000,
      store: () => {
        held++;
        return held === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
    });
    const second = nodemailer.createTransport({
      host: "127.0.0.1",
      port: intake?.port,
      secure: false,
      ignoreTLS: true,
    });
    const big = { ...letter, attachments: [], text: "д".repeat(900) }; // ≈ 2.5 KB on the wire
    const first = client.sendMail(big);
    await waitFor(() => held === 1);
    const refused = await second.sendMail(big).catch((e) => e);
    expect(refused.responseCode).toBe(451);
    expect(events).toContainEqual({ type: "busy", code: 451 });
    release();
    await first;
    await expect(second.sendMail(big)).resolves.toMatchObject({ accepted: [SUPPORT] });
    expect(intake?.bufferedBytes()).toBe(0);
    client.close();
    second.close();
  });

  it("answers 451 when store() hangs past its timeout", async () => {
    const { client } = await start({ store: () => new Promise(() => {}), storeTimeoutMs: 200 });
    const error = await client.sendMail(letter).catch((e) => e);
    expect(error.responseCode).toBe(451);
    client.close();
  });

  it("offers neither AUTH nor STARTTLS, and announces the size limit", async () => {
    const { port } = await start({ maxSize: 5_000_000 });
    const smtp = await rawSession(port);
    const ehlo = await smtp.say("EHLO test", /^250 /m);
    expect(ehlo).toContain("SIZE 5000000");
    expect(ehlo).not.toMatch(/STARTTLS|AUTH/);
    expect(await smtp.say("AUTH PLAIN AGl2YW4AeA==", /^\d{3} /m)).toMatch(/^5\d\d /);
    expect(await smtp.say("STARTTLS", /^\d{3} /m)).toMatch(/^5\d\d /);
    smtp.end();
  });

  it("accepts a bounce from the null sender", async () => {
    const { stored, port } = await start();
    const smtp = await rawSession(port);
    await smtp.say("EHLO test", /^250 /m);
    await smtp.say("MAIL FROM:<>", /^250 /m);
    await smtp.say(`RCPT TO:<${SUPPORT}>`, /^250 /m);
    await smtp.say("DATA", /^354 /m);
    expect(
      await smtp.say("From: MAILER-DAEMON@mx.example\r\nSubject: failure\r\n\r\nbounced\r\n.", /^\d{3} /m),
    ).toMatch(/^250 /);
    expect(stored[0]?.envelope.mailFrom).toBe("");
    expect((await parseMessage(stored[0]?.raw ?? Buffer.alloc(0))).autoReplyReason).toBe("Return-Path <>");
    smtp.end();
  });
});

describe("SMTP sessions are bounded", () => {
  it("refuses an address's sessions past its limit with 421, serves other addresses, and takes it back later", async () => {
    const { port } = await start({ maxSessionsPerAddress: 3, maxSessions: 50 });
    const held = await Promise.all([1, 2, 3].map(() => greeting(port)));
    expect(held.map((h) => h.line)).toEqual([
      expect.stringMatching(/^220 /),
      expect.stringMatching(/^220 /),
      expect.stringMatching(/^220 /),
    ]);
    const refused = await greeting(port);
    expect(refused.line).toMatch(/^421 4\.7\.0 /);
    await refused.closed;
    // Another client address (loopback has many) is not locked out by the first one's sessions.
    const other = await greeting(port, "127.0.0.2");
    expect(other.line).toMatch(/^220 /);
    held[0]!.end();
    await held[0]!.closed;
    await waitFor(() => false, 300).catch(() => {}); // let the server see the close
    const again = await greeting(port);
    expect(again.line).toMatch(/^220 /);
    for (const h of [...held, other, again]) h.end();
  });

  it("refuses sessions past the overall limit with 421", async () => {
    const { port } = await start({ maxSessionsPerAddress: 100, maxSessions: 4 });
    const held = await Promise.all([1, 2, 3, 4].map((i) => greeting(port, `127.0.0.${i}`)));
    expect(held.every((h) => /^220 /.test(h.line))).toBe(true);
    expect((await greeting(port, "127.0.0.9")).line).toMatch(/^421 /);
    for (const h of held) h.end();
  });

  it("closes a session that delivers no letter within the idle time with 421, NOOP and RSET notwithstanding", async () => {
    const { port } = await start({ idleMs: 400 });
    const smtp = await rawSession(port);
    await smtp.say("EHLO test", /^250 /m);
    let last = "";
    for (let i = 0; i < 100 && !/^421 /m.test(last); i++) {
      last = await smtp.say(i % 2 ? "NOOP" : "RSET", /^\d{3} /m).catch(() => "closed");
      if (last === "closed") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(last).toMatch(/^421 4\.4\.2 /m);
    smtp.end();
  });

  it("answers a letter as stored even when the metrics listener throws", async () => {
    const { stored, client } = await start({
      onEvent: () => {
        throw new TypeError("metrics broke");
      },
    });
    await expect(client.sendMail(letter)).resolves.toMatchObject({ accepted: [SUPPORT] });
    expect(stored).toHaveLength(1);
    client.close();
  });
});

describe("a letter without headers", () => {
  it("is stored so that it parses to no subject, and its text carries nothing of the envelope", async () => {
    const { stored, port } = await start();
    const smtp = await rawSession(port);
    await smtp.say("EHLO test", /^250 /m);
    await smtp.say("MAIL FROM:<ivan.petrov@mail.example.ru>", /^250 /m);
    await smtp.say(`RCPT TO:<${SUPPORT}>`, /^250 /m);
    await smtp.say("DATA", /^354 /m);
    expect(await smtp.say("Здравствуйте, не могу войти в кабинет.\r\nИван\r\n.", /^\d{3} /m)).toMatch(/^250 /);
    smtp.end();
    const m = await parseMessage(stored[0]!.raw, { envelopeFrom: stored[0]!.envelope.mailFrom });
    expect(m.subject).toBe("");
    expect(m.text).toBe("Здравствуйте, не могу войти в кабинет.\nИван");
    expect(m.from.address).toBe("ivan.petrov@mail.example.ru");
    // Letters stored before the fix (the trace header glued to the text) read the same.
    const old = Buffer.from("Return-Path: <ivan.petrov@mail.example.ru>\r\nЗдравствуйте!\r\n");
    expect((await parseMessage(old)).text).toBe("Здравствуйте!");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A bare SMTP conversation, for what a polite client like nodemailer would never send.
async function rawSession(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
  });
  await once(socket, "connect");
  const read = async (pattern: RegExp) => {
    await waitFor(() => pattern.test(buffer));
    const out = buffer;
    buffer = "";
    return out;
  };
  await read(/^220 /m);
  return {
    say: (line: string, until: RegExp) => {
      socket.write(`${line}\r\n`);
      return read(until);
    },
    end: () => socket.destroy(),
  };
}

// Connects and reads the server's first line: a 220 greeting, or a refusal.
async function greeting(port: number, localAddress = "127.0.0.1") {
  const socket: Socket = connect({ port, host: "127.0.0.1", localAddress });
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
  });
  socket.on("error", () => {});
  const closed = once(socket, "close");
  await waitFor(() => /\r\n/.test(buffer));
  return { line: buffer.split("\r\n")[0]!, end: () => socket.destroy(), closed };
}
