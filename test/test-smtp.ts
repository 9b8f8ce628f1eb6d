// Mail on loopback for tests: a free port, a relay sink that keeps what it receives, raw letters in the
// encodings Russian mail still uses, and a sender that speaks real SMTP.
import { createServer } from "node:net";
import iconv from "iconv-lite";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";

export const SUPPORT = "support@gosuslugi.test";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export type SinkLetter = {
  to: string[];
  raw: string;
  text: string;
  subject: string;
  attachments: { filename: string; size: number }[];
};

/**
 * A relay that accepts everything (except addresses named «refused…», answered 550, and «deferred…», answered 451 as a
 * mailbox that is over its rate for now) and keeps what it got.
 */
export async function startSink() {
  const letters: SinkLetter[] = [];
  /** Connections opened to the sink so far. */
  const counted = { connections: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onConnect(_session, cb) {
      counted.connections++;
      cb();
    },
    onRcptTo(address, _s, cb) {
      if (address.address.startsWith("refused")) {
        const e = new Error("5.1.1 No such user") as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      if (address.address.startsWith("deferred")) {
        const e = new Error("4.7.1 Try again later") as Error & { responseCode: number };
        e.responseCode = 451;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        letters.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: raw.toString(),
          text: parsed.text ?? "",
          subject: parsed.subject ?? "",
          attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? "", size: a.size })),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    letters,
    port,
    connections: () => counted.connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends raw bytes over SMTP; resolves with the server's answer, rejects with its refusal. */
export async function sendRaw(port: number, raw: Buffer, from: string, to = [SUPPORT]) {
  const client = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
  try {
    return await client.sendMail({ envelope: { from, to }, raw });
  } finally {
    client.close();
  }
}

const b64 = (charset: string, s: string) => `=?${charset}?B?${iconv.encode(s, charset).toString("base64")}?=`;

/** A letter written the way old Russian mailers write it: 8-bit body in the given charset. */
export function letter(o: {
  charset?: string;
  from: string;
  subject: string;
  body: string;
  messageId: string;
  headers?: string[];
}): Buffer {
  const charset = o.charset ?? "utf-8";
  const head = [
    `From: ${b64(charset, "Иван Петров")} <${o.from}>`,
    `To: ${SUPPORT}`,
    `Subject: ${b64(charset, o.subject)}`,
    `Message-ID: ${o.messageId}`,
    "Date: Wed, 25 Nov 2026 10:00:00 +0300",
    "MIME-Version: 1.0",
    `Content-Type: text/plain; charset=${charset}`,
    "Content-Transfer-Encoding: 8bit",
    ...(o.headers ?? []),
  ].join("\r\n");
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), iconv.encode(`${o.body}\r\n`, charset)]);
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}
