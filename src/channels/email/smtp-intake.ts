// The SMTP intake: the last hop of delivery for our support addresses. It is not a relay and does not
// authenticate anyone (it listens on loopback behind the organisation's MTA). A letter is answered 250
// only once the caller has stored it durably; if storing fails the sender gets 451 and retries later,
// so a crash, a full disk or a lost database never loses a letter that the sender believes was delivered.
// Sessions are bounded (per client address, overall, and by time without a letter) so idle clients cannot lock
// everyone out, and every handler runs under the guard.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
import { contain, every, report } from "../../guard.ts";

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
  | { type: "busy"; code: 451 }
  | { type: "refused"; code: 421; reason: "too_many_sessions" | "idle" };

export type SmtpIntakeOptions = {
  host: string;
  /** 0 picks a free port; read it back from `port`. */
  port: number;
  supportAddresses: string[];
  /** Bytes; larger letters are refused with 552 (announced in EHLO SIZE, checked again on DATA). */
  maxSize: number;
  /**
   * Must resolve only once the raw letter is durable. `raw` starts with a Return-Path header we add (and, for a letter
   * that came without any header, the blank line that ends the header section, so its text stays its text).
   */
  store(raw: Buffer, envelope: IntakeEnvelope): Promise<void>;
  /** Name in the greeting. */
  serverName?: string;
  maxRecipients?: number;
  /** Letters held in memory by all sessions together; past it new letters get 451 (default 256 MB). */
  maxBufferedBytes?: number;
  storeTimeoutMs?: number;
  /** Sessions at once, all clients together; past it new ones get 421 (default 200). */
  maxSessions?: number;
  /** Sessions at once from one client address; past it new ones get 421 (default 20). */
  maxSessionsPerAddress?: number;
  /** A session that delivers no letter for this long is closed with 421, whatever else it sends (default 5 min). */
  idleMs?: number;
  onEvent?(event: IntakeEvent): void;
};

export type SmtpIntake = {
  port: number;
  /** Bytes of letters held in memory right now (for metrics). */
  bufferedBytes(): number;
  /**
   * Stops taking connections; sessions still open get `graceMs` (default 5 s) to finish their letter, then 421 and
   * the end of the connection.
   */
  close(graceMs?: number): Promise<void>;
};

export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  const accepted = new Set(options.supportAddresses.map((a) => a.trim().toLowerCase()));
  const storeTimeoutMs = options.storeTimeoutMs ?? 60_000;
  // A listener that fails (metrics) must never change what the sender is answered.
  const emit = (event: IntakeEvent) => void contain("smtp.event", () => options.onEvent?.(event));
  const budget: Budget = { used: 0, limit: options.maxBufferedBytes ?? 256 * 1024 * 1024 };
  const perAddressLimit = options.maxSessionsPerAddress ?? 20;
  const idleMs = options.idleMs ?? 5 * 60_000;
  const sessions = new Map<string, Session>();
  const perAddress = new Map<string, number>();

  const server = new SMTPServer({
    name: options.serverName ?? "otklik",
    banner: "Otklik support intake",
    secure: false,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    authOptional: true,
    size: options.maxSize,
    maxRecipients: options.maxRecipients ?? 20,
    maxClients: options.maxSessions ?? 200,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,

    onConnect: guardedHandler("smtp.connect", (session, callback) => {
      const address = session.remoteAddress;
      const open = perAddress.get(address) ?? 0;
      if (open >= perAddressLimit) {
        emit({ type: "refused", code: 421, reason: "too_many_sessions" });
        return callback(smtpError(421, "4.7.0 Too many sessions from your address, try again later"));
      }
      perAddress.set(address, open + 1);
      sessions.set(session.id, { address, lastLetterAt: Date.now(), receiving: false });
      callback();
    }),

    onClose(session) {
      const s = sessions.get(session.id);
      if (!s) return;
      sessions.delete(session.id);
      const left = (perAddress.get(s.address) ?? 1) - 1;
      if (left > 0) perAddress.set(s.address, left);
      else perAddress.delete(s.address);
    },

    onRcptTo: guardedHandler("smtp.rcpt", (address, _session, callback) => {
      if (isSupportAddress(address.address, accepted)) return callback();
      emit({ type: "rejected", code: 550, reason: "unknown_recipient" });
      callback(smtpError(550, "5.1.1 No such mailbox here; this server does not relay"));
    }),

    onData: guardedHandler("smtp.data", (stream, session, done) => {
      const s = sessions.get(session.id);
      if (s) s.receiving = true;
      const callback = (error: Error | null, message?: string) => {
        if (s) {
          s.receiving = false;
          s.lastLetterAt = Date.now();
        }
        done(error, message);
      };
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
          // A letter that came with no header at all gets the blank line that ends our one header: without it its
          // first lines would be read as headers and the trace line (the sender's address) as its text and subject.
          const end = hasHeaderSection(body) ? "" : "\r\n";
          const raw = Buffer.concat([Buffer.from(`Return-Path: <${returnPath}>\r\n${end}`), body]);
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
        .catch((e: unknown) => {
          report("smtp.data", e);
          callback(smtpError(451, "4.3.0 Temporary failure reading the message"));
        });
    }),
  });
  // Client resets and timeouts are routine for an SMTP server; they must not crash the process.
  server.on("error", () => {});
  // smtp-server's own timeout restarts with every command, so NOOP would hold a session for ever: the time that
  // counts is the time since the session's last letter (or its start).
  const sweep = every("smtp.idle", Math.max(50, Math.min(idleMs / 4, 10_000)), () => {
    const now = Date.now();
    for (const connection of server.connections as Set<Connection>) {
      const s = sessions.get(connection.id);
      if (!s || s.receiving || now - s.lastLetterAt < idleMs) continue;
      s.lastLetterAt = now;
      emit({ type: "refused", code: 421, reason: "idle" });
      connection.send(421, "4.4.2 No letter for too long, closing connection");
    }
  });
  sweep.unref();

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
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        clearInterval(sweep);
        // smtp-server reads its grace period when it is asked to close.
        if (graceMs !== undefined) (server.options as { closeTimeout?: number }).closeTimeout = Math.max(1, graceMs);
        server.close(() => resolve());
      }),
  };
}

type Session = { address: string; lastLetterAt: number; receiving: boolean };
/** The part of smtp-server's connection the idle sweep uses. */
type Connection = { id: string; send(code: number, message: string): void };

/**
 * An SMTP handler under the guard: if it throws, the failure is logged and the sender told to try later (once: a
 * handler that already answered is not answered twice).
 */
function guardedHandler<A extends unknown[]>(
  where: string,
  handler: (...args: [...A, (error?: Error | null, message?: string) => void]) => void,
) {
  return (...args: [...A, (error?: Error | null, message?: string) => void]) => {
    const callback = args.at(-1) as (error?: Error | null, message?: string) => void;
    let answered = false;
    const once = (error?: Error | null, message?: string) => {
      if (answered) return;
      answered = true;
      callback(error, message);
    };
    try {
      handler(...([...args.slice(0, -1), once] as [...A, typeof once]));
    } catch (e) {
      report(where, e);
      once(smtpError(451, "4.3.0 Temporary failure, try again later"));
    }
  };
}

// RFC 5322: a header field is a name of printable US-ASCII other than the colon, then a colon. A letter whose first
// line is neither one nor blank (an empty header section, already ended) came without headers.
function hasHeaderSection(body: Buffer): boolean {
  const end = body.indexOf(10);
  const first = body.subarray(0, end < 0 ? body.length : end).toString("latin1");
  return first === "" || first === "\r" || /^[\x21-\x39\x3b-\x7e]+:/.test(first);
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
