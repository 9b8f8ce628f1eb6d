// The e-mail room: the SMTP intake (and IMAP polling, when a mailbox is configured) stores each letter before
// answering 250; outbox jobs process stored letters into the registry and send the letters it composes.
import path from "node:path";
import { pino } from "pino";
import type { AppContext } from "../../context.ts";
import type { EventMessage } from "../../db/outbox.ts";
import { loggerOptions } from "../../http/logging.ts";
import { saidInChat } from "../../notifications/policy.ts";
import type { Room } from "../../room.ts";
import { SenderRateLimiter } from "./autoreply.ts";
import { startImapPolling } from "./imap-poll.ts";
import { processLetter, RECEIVED_TOPIC, storeLetter } from "./inbox.ts";
import { errorCode } from "./log.ts";
import { createMailer } from "./mailer.ts";
import { deliverByEmail, deliverManyByEmail, SEND_TOPIC, sendLetter, sendLetters } from "./outbound.ts";
import { emailRoutes } from "./routes.ts";
import { startSmtpIntake } from "./smtp-intake.ts";
import { emailStateOf, mailDomainOf, maybeEmailState, setEmailState } from "./state.ts";

const IMAP_INTERVAL_MS = 60_000;

async function start(ctx: AppContext) {
  const { config } = ctx;
  const state = {
    domain: mailDomainOf(ctx),
    mailer: createMailer({
      ...(config.smtpRelay ? { relayUrl: config.smtpRelay } : {}),
      outboxDir: path.join(config.dataDir, "outbox"),
      from: `Служба поддержки <${config.supportAddress}>`,
      domain: mailDomainOf(ctx),
    }),
    acknowledgements: new SenderRateLimiter({ limit: config.emailAckLimit, windowMs: 60 * 60_000 }),
  };
  setEmailState(ctx, state);
  // The request core's news for applicants who wrote by e-mail: answers, resolutions, transfers, as letters.
  // An applicant of another channel who gave an address gets the notification policy's letters the same way.
  ctx.requests.addChannel({
    channel: "email",
    // A request that came by e-mail hears every answer by letter, even one typed in a chat on it.
    reaches: (d, r) => r.hasEmail && (r.channel === "email" || !saidInChat(d)),
    deliver: (d) => deliverByEmail(ctx, d),
    deliverMany: (list) =>
      deliverManyByEmail(
        ctx,
        list.map((i) => i.delivery),
      ),
  });
  if (config.smtpPort) {
    emailStateOf(ctx).intake = await startSmtpIntake({
      host: config.host,
      port: config.smtpPort,
      supportAddresses: [config.supportAddress],
      maxSize: config.smtpMaxBytes,
      maxSessions: config.smtpMaxSessions,
      maxSessionsPerAddress: config.smtpMaxSessionsPerAddress,
      idleMs: config.smtpIdleMinutes * 60_000,
      // 250 goes to the sender only after this transaction committed. A burst of letters, as one of HTTP requests,
      // has the background jobs give way for a moment (src/http/pressure.ts).
      store: async (raw, envelope) => {
        ctx.pressure.hit();
        await storeLetter(ctx, raw, {
          mailFrom: envelope.mailFrom,
          rcptTo: envelope.rcptTo,
          remoteAddress: envelope.remoteAddress,
          via: "smtp",
        });
      },
    });
  }
  if (config.imapUrl) {
    const url = new URL(config.imapUrl);
    // Codes and counts only: never the login, the password or anything of a letter.
    // The server's own logger settings (level, redaction), writing where the request log goes.
    const log = pino({ ...loggerOptions(config.logLevel), name: "email" }, process.stdout);
    emailStateOf(ctx).stopImap = startImapPolling({
      host: url.hostname,
      port: Number(url.port) || (url.protocol === "imaps:" ? 993 : 143),
      secure: url.protocol === "imaps:",
      user: decodeURIComponent(url.username),
      pass: decodeURIComponent(url.password),
      mailbox: decodeURIComponent(url.pathname.slice(1)) || "INBOX",
      intervalMs: IMAP_INTERVAL_MS,
      retryMs: 5_000,
      onLetterError: (uid, error) =>
        log.warn({ uid, code: errorCode(error) }, "IMAP: letter left unseen, the next pass takes it again"),
      onResult: (r, nextInMs) => {
        const next = Math.round(nextInMs / 1000);
        if (r instanceof Error) log.error({ code: errorCode(r), retryInSeconds: next }, "IMAP: pass failed");
        else if (r.failed) log.warn({ ...r, retryInSeconds: next }, "IMAP: pass left letters unseen");
        else if (r.stored) log.info({ ...r }, "IMAP: letters stored");
      },
      store: async (raw) => {
        await storeLetter(ctx, raw, { mailFrom: "", rcptTo: [], remoteAddress: url.hostname, via: "imap" });
      },
    });
  }
}

async function stop(ctx: AppContext) {
  const state = maybeEmailState(ctx);
  if (!state) return;
  await state.stopImap?.();
  // Senders in the middle of a letter get what is left of the process's grace period.
  const deadline = ctx.phase.deadline;
  await state.intake?.close(deadline === undefined ? undefined : Math.max(1_000, deadline - Date.now()));
  state.mailer.close();
}

export const emailRoom: Room = {
  name: "email",
  provides: ["email"],
  async start(ctx) {
    await start(ctx);
    return () => stop(ctx);
  },
  routes: emailRoutes,
  jobs: (ctx) => ({
    [RECEIVED_TOPIC]: (e) => processLetter(ctx, Number(e.data.inboxId)),
    [SEND_TOPIC]: Object.assign((e: EventMessage) => sendLetter(ctx, Number(e.data.outboxId)), {
      // A burst of letters (a burst of registrations' acknowledgements): one read and one write for all of them.
      many: async (events: EventMessage[]) => {
        const failed = await sendLetters(
          ctx,
          events.map((e) => Number(e.data.outboxId)),
        );
        return new Map(
          events
            .filter((e) => failed.has(Number(e.data.outboxId)))
            .map((e) => [e.id, failed.get(Number(e.data.outboxId))]),
        );
      },
    }),
  }),
};

/** The port the SMTP intake listens on (tests start it on a free port). */
export function smtpIntakePort(ctx: AppContext): number | undefined {
  return maybeEmailState(ctx)?.intake?.port;
}
