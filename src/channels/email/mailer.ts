// Outbound mail: over SMTP to the organisation's relay, or, with no relay configured, into an outbox
// folder as .eml files that an administrator can read (each written to a temporary name, then renamed,
// so a reader never sees half a letter).
import { randomUUID } from "node:crypto";
import { mkdir, open, rename } from "node:fs/promises";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { makeMessageId } from "./threading.ts";

export type OutboundMail = {
  to: string | string[];
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** The request this letter is about: written into the Message-ID for threading. */
  requestNumber?: string;
  /** An automatic letter (acknowledgement): marked per RFC 3834 so other robots do not answer it. */
  auto?: boolean;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
  /** The URL a mail program posts to for a one-click unsubscribe (RFC 8058). */
  listUnsubscribe?: string;
};

export type MailerOptions = { relayUrl?: string; outboxDir: string; from: string; domain: string };

export type Mailer = {
  /** Resolves with the Message-ID once the relay accepted the letter or the outbox file is in place. */
  send(mail: OutboundMail): Promise<string>;
  close(): void;
};

/**
 * Connections kept open to the relay. A letter over an open connection skips the connect, greeting, EHLO and TLS
 * handshake; the outbox sends one letter at a time, so one connection carries a burst, and a relay that closed it
 * is reconnected. The relay's URL may set its own (`?pool=false`, `&maxConnections=…`): the URL's settings win.
 */
const RELAY_POOL = { pool: true, maxConnections: 2, maxMessages: 500 } as const;

export function createMailer(options: MailerOptions): Mailer {
  const transport = options.relayUrl
    ? nodemailer.createTransport({ url: options.relayUrl, ...RELAY_POOL })
    : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });

  return {
    async send(mail) {
      const messageId = mail.messageId ?? makeMessageId(options.domain, mail.requestNumber);
      const headers: Record<string, string> = {};
      if (mail.auto) {
        headers["Auto-Submitted"] = "auto-replied";
        headers["X-Auto-Response-Suppress"] = "All";
      }
      if (mail.listUnsubscribe) {
        headers["List-Unsubscribe"] = `<${mail.listUnsubscribe}>`;
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
      }
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references?.length ? { references: mail.references } : {}),
        headers,
        ...(mail.attachments ? { attachments: mail.attachments } : {}),
      });
      if (!options.relayUrl) {
        const message = (info as { message?: unknown }).message;
        if (!Buffer.isBuffer(message)) throw new Error("mail composer returned no message");
        await writeAtomically(options.outboxDir, message);
      }
      return messageId;
    },
    close() {
      transport.close();
    },
  };
}

async function writeAtomically(dir: string, content: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomUUID().slice(0, 8)}.eml`;
  const temp = join(dir, `.${name}.tmp`);
  const file = await open(temp, "wx");
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  const target = join(dir, name);
  await rename(temp, target);
  return target;
}

export type SendFailure = "temporary" | "permanent";

/**
 * What a failed send means for the outbox: try again later (4xx replies, network trouble, a relay that is
 * down) or give up and tell an operator (5xx: the address does not exist, the letter is refused).
 */
export function classifySendError(error: unknown): SendFailure {
  const e = error as { responseCode?: number; code?: string } | undefined;
  if (typeof e?.responseCode === "number") return e.responseCode >= 500 ? "permanent" : "temporary";
  // EENVELOPE without a reply code: nodemailer refused the addresses itself (e.g. none given).
  if (e?.code === "EENVELOPE") return "permanent";
  return "temporary";
}
