// The SMTP intake: the last hop of delivery for our support addresses. It is not a relay and does not
// authenticate anyone (it listens on loopback behind the organisation's MTA). A letter is answered 250
// only once the caller has stored it durably; if storing fails the sender gets 451 and retries later,
// so a crash or a full disk never loses a letter that the sender believes was delivered.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

export type IntakeEnvelope = {
  /** MAIL FROM; "" for the null sender «<>» of bounces. */
  mailFrom: string;
  rcptTo: string[];
  remoteAddress: string;
  receivedAt: Date;
};

/** Counters for metrics; never carries addresses or content. */
export type IntakeEvent =
  | { type: "accepted"; size: number }
  | { type: "rejected"; code: 550 | 552; reason: "unknown_recipient" | "too_big" }
  | { type: "store_failed"; code: 451 }
  | { type: "busy"; code: 451 };

export type SmtpIntakeOptions = {
  host: string;
  /** 0 picks a free port; read it back from `port`. */
  port: number;
  supportAddresses: string[];
  /** Bytes; larger letters are refused with 552 (announced in EHLO SIZE, checked again on DATA). */
  maxSize: number;
  /** Must resolve only once the raw letter is durable. `raw` starts with a Return-Path header we add. */
  store(raw: Buffer, envelope: IntakeEnvelope): Promise<void>;
  /** Name in the greeting. */
  serverName?: string;
  maxRecipients?: number;
  /** Letters held in memory by all sessions together; past it new letters get 451 (default 256 MB). */
  maxBufferedBytes?: number;
  storeTimeoutMs?: number;
  onEvent?(event: IntakeEvent): void;
};

export type SmtpIntake = {
  port: number;
  /** Bytes of letters held in memory right now (for metrics). */
  bufferedBytes(): number;
  close(): Promise<void>;
};

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const accepted = new Set(options.supportAddresses.map((a) => a.trim().toLowerCase()));
  const storeTimeoutMs = options.storeTimeoutMs ?? 60_000;
  const emit = (event: IntakeEvent) => options.onEvent?.(event);
  const budget: Budget = { used: 0, limit: options.maxBufferedBytes ?? 256 * 1024 * 1024 };

  const server = new SMTPServer({
    name: options.serverName ?? "otklik",
    banner: "Otklik support intake",
    secure: false,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    authOptional: true,
    size: options.maxSize,
    maxRecipients: options.maxRecipients ?? 20,
    maxClients: 200,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,

    onRcptTo(address, _session, callback) {
      if (isSupportAddress(address.address, accepted)) return callback();
      emit({ type: "rejected", code: 550, reason: "unknown_recipient" });
      callback(smtpError(550, "5.1.1 No such mailbox here; this server does not relay"));
    },

    onData(stream, session, callback) {
      collect(stream, options.maxSize, budget)
        .then(async (collected) => {
          if (collected.kind === "too_big") {
            emit({ type: "rejected", code: 552, reason: "too_big" });
            return callback(smtpError(552, `5.3.4 Message exceeds the size limit of ${options.maxSize} bytes`));
          }
          if (collected.kind === "busy") {
            emit({ type: "busy", code: 451 });
            return callback(smtpError(451, "4.3.1 Too much mail in progress, try again later"));
          }
          const body = collected.body;
          const envelope = toEnvelope(session);
          // The envelope address goes into a header: nothing in it may end the line or the brackets.
          const returnPath = envelope.mailFrom.replace(/[\r\n<>]/g, "");
          const raw = Buffer.concat([Buffer.from(`Return-Path: <${returnPath}>\r\n`), body]);
          try {
            await withTimeout(options.store(raw, envelope), storeTimeoutMs);
          } catch {
            emit({ type: "store_failed", code: 451 });
            return callback(smtpError(451, "4.3.0 Temporary failure storing the message, try again later"));
          } finally {
            budget.used -= body.length;
          }
          emit({ type: "accepted", size: body.length });
          callback(null, "Message accepted");
        })
        .catch(() => callback(smtpError(451, "4.3.0 Temporary failure reading the message")));
    },
  });
  // Client resets and timeouts are routine for an SMTP server; they must not crash the process.
  server.on("error", () => {});

  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    bufferedBytes: () => budget.used,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// «support+12345674@…» reaches «support@…»: plus-addressing lets a reply carry its request in the address.
function isSupportAddress(address: string, accepted: Set<string>): boolean {
  const lower = address.trim().toLowerCase();
  if (accepted.has(lower)) return true;
  const at = lower.lastIndexOf("@");
  const local = lower.slice(0, at);
  const plus = local.indexOf("+");
  return at > 0 && plus > 0 && accepted.has(`${local.slice(0, plus)}${lower.slice(at)}`);
}

type Collected = { kind: "ok"; body: Buffer } | { kind: "too_big" } | { kind: "busy" };

// Bytes held in memory by all sessions at once: 200 clients × 25 MB would otherwise be 5 GB.
type Budget = { used: number; readonly limit: number };

// Reads the whole letter, or drains it (without buffering the rest) once it passes the size limit or
// the shared memory budget. The caller returns the body's bytes to the budget when done with them.
function collect(stream: SMTPServerDataStream, maxSize: number, budget: Budget): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let outcome: Collected["kind"] = "ok";
    const drop = () => {
      budget.used -= size;
      chunks.length = 0;
    };
    stream.on("data", (chunk: Buffer) => {
      if (outcome !== "ok") return;
      if (size + chunk.length > maxSize) outcome = "too_big";
      else if (budget.used + chunk.length > budget.limit) outcome = "busy";
      if (outcome !== "ok") return drop();
      size += chunk.length;
      budget.used += chunk.length;
      chunks.push(chunk);
    });
    stream.once("error", (error) => {
      if (outcome === "ok") drop();
      reject(error);
    });
    stream.once("end", () => {
      if (outcome === "ok" && stream.sizeExceeded) {
        drop();
        outcome = "too_big";
      }
      resolve(outcome === "ok" ? { kind: "ok", body: Buffer.concat(chunks, size) } : { kind: outcome });
    });
  });
}

function toEnvelope(session: SMTPServerSession): IntakeEnvelope {
  const from = session.envelope.mailFrom;
  return {
    mailFrom: from ? from.address.toLowerCase() : "",
    rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    remoteAddress: session.remoteAddress,
    receivedAt: new Date(),
  };
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("store timed out")), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
