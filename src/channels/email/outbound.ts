// Letters to applicants: composed into email_outbox in a transaction (the acknowledgement of a letter in the
// registration's own, answers and status letters by jobs on the request's events, one letter per change), then sent
// by the «email.send» job over the relay or into the outbox folder. A request that came by e-mail is a conversation:
// its letters answer the applicant's, threaded. A request from the form, the chat or the phone whose applicant gave
// an address gets the notification policy's letters (src/notifications/), each with an unsubscribe link. A temporary failure is retried with
// the outbox's back-off; a permanent one is written into the request's history for the operator to see.
import { and, desc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Queryable, Tx } from "../../db/client.ts";
import { emit, emitMany } from "../../db/outbox.ts";
import { type Admission, admitMany } from "../../notifications/gate.ts";
import { newsOf, sourceOf } from "../../notifications/policy.ts";
import { NOTICE_SUBJECT, noticeLetter } from "../../notifications/texts.ts";
import { unsubscribeUrl } from "../../notifications/unsubscribe.ts";
import { type Delivery, SYSTEM } from "../../requests/core/index.ts";
import {
  mergedTarget,
  messageAttachments,
  publicMessage,
  requestRowsByIds,
  splitOffAmong,
} from "../../requests/queries.ts";
import { openChatOf } from "../chat/deliver.ts";
import { acknowledgementMail } from "./acknowledge.ts";
import { emailInbox, emailOutbox } from "./db-schema.ts";
import { classifySendError } from "./mailer.ts";
import type { InboundMessage } from "./parse.ts";
import { emailStateOf, mailDomainOf } from "./state.ts";
import { formatSubject } from "./subject.ts";
import { makeMessageId, replyHeaders } from "./threading.ts";

export const SEND_TOPIC = "email.send";
/** With the outbox's doubling back-off (capped at an hour) this keeps trying for about half a day. */
const MAX_SEND_ATTEMPTS = 16;

type Letter = {
  source: string;
  /** ack, answer, status: a conversation's letters; notice: the notification policy's. */
  kind: "ack" | "answer" | "status" | "notice";
  requestId: number;
  number: string;
  to: string;
  subject: string;
  text: string;
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
  auto: boolean;
};

/** Queues a letter once per source; the Message-ID is fixed now, so a resend after a crash is recognisable. */
async function enqueue(ctx: AppContext, tx: Tx, letter: Letter) {
  await enqueueMany(ctx, tx, [letter]);
}

/** Queues letters in the given order (each once per source) with one insert, and their sending with one event each. */
async function enqueueMany(ctx: AppContext, tx: Tx, letters: Letter[]) {
  if (letters.length === 0) return;
  const rows = await tx
    .insert(emailOutbox)
    .values(
      letters.map((letter) => ({
        source: letter.source,
        kind: letter.kind,
        requestId: letter.requestId,
        messageId: makeMessageId(mailDomainOf(ctx), letter.number),
        to: letter.to,
        subject: letter.subject,
        text: letter.text,
        inReplyTo: letter.inReplyTo ?? null,
        references: letter.references ?? [],
        auto: letter.auto,
      })),
    )
    .onConflictDoNothing({ target: emailOutbox.source })
    .returning({ id: emailOutbox.id });
  // The letters go in the order they were queued.
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  if (ids.length === 1) await emit(tx, SEND_TOPIC, { outboxId: ids[0] });
  else
    await emitMany(
      tx,
      ids.map((outboxId) => ({ topic: SEND_TOPIC, data: { outboxId } })),
    );
}

export async function composeAcknowledgement(
  ctx: AppContext,
  tx: Tx,
  a: { inboxId: number; requestId: number; number: string; message: InboundMessage; dueAt: Date; trackingUrl: string },
) {
  const mail = acknowledgementMail(a.message, { number: a.number, dueAt: a.dueAt, trackingUrl: a.trackingUrl });
  await enqueue(ctx, tx, {
    source: `ack:${a.inboxId}`,
    kind: "ack",
    requestId: a.requestId,
    number: a.number,
    to: a.message.from.address,
    subject: mail.subject,
    text: mail.text,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    auto: true,
  });
}

/** In-Reply-To and References for our next letter: the applicant's latest letter on the request. */
async function threadOf(db: Queryable, requestId: number) {
  const [last] = await db
    .select({ messageId: emailInbox.messageId, threadIds: emailInbox.threadIds })
    .from(emailInbox)
    .where(
      and(
        eq(emailInbox.requestId, requestId),
        inArray(emailInbox.outcome, ["new", "reply"]),
        isNotNull(emailInbox.messageId),
      ),
    )
    .orderBy(desc(emailInbox.id))
    .limit(1);
  return last?.messageId ? replyHeaders({ messageId: last.messageId, references: last.threadIds }) : {};
}

/**
 * The e-mail channel's side of the request core's deliveries: a public answer becomes a letter, a resolution a letter
 * with the invitation to rate, a transfer to a department a letter saying so — for requests that came by e-mail. One
 * letter per message or history row, however often the delivery repeats.
 */
export async function deliverByEmail(ctx: AppContext, d: Delivery) {
  const failed = await deliverManyByEmail(ctx, [d]);
  if (failed.size > 0) throw failed.get(0);
}

/**
 * Several deliveries at once (a burst of registrations), as `deliverByEmail` for each in the given order would: one
 * read of the requests, and the notices of the form's, the chat's and the phone's applicants decided and queued in one
 * transaction. Answers the failures by the delivery's place in the list.
 */
export async function deliverManyByEmail(ctx: AppContext, list: Delivery[]): Promise<Map<number, unknown>> {
  const failed = new Map<number, unknown>();
  const rows = new Map(
    (await requestRowsByIds(ctx.db, [...new Set(list.map((d) => d.requestId))])).map((r) => [r.id, r]),
  );
  // A request that came by e-mail was acknowledged by its intake; one split off another came by no letter and is
  // announced as any other (see `answerByEmail`).
  const registeredByEmail = list
    .filter((d) => d.kind === "registered" && rows.get(d.requestId)?.channel === "email")
    .map((d) => d.requestId);
  const split = new Set(registeredByEmail.length > 0 ? await splitOffAmong(ctx.db, registeredByEmail) : []);
  const notices: { place: number; notice: Notice }[] = [];
  for (const [place, d] of list.entries()) {
    const row = rows.get(d.requestId);
    if (!row?.contactEmail) continue;
    const req = { ...row, contactEmail: row.contactEmail };
    try {
      if (req.channel === "email" && !(d.kind === "registered" && split.has(req.id))) {
        if (d.kind !== "registered") await answerByEmail(ctx, d, req);
        continue;
      }
      const notice = await noticeOf(ctx, d, req);
      if (notice) notices.push({ place, notice });
    } catch (e) {
      failed.set(place, e);
    }
  }
  try {
    await queueNotices(
      ctx,
      notices.map((n) => n.notice),
    );
  } catch {
    // One notice the database refuses must not hold back the others: each in a transaction of its own.
    for (const n of notices) {
      try {
        await queueNotices(ctx, [n.notice]);
      } catch (e) {
        failed.set(n.place, e);
      }
    }
  }
  return failed;
}

type EmailRequest = Awaited<ReturnType<typeof requestRowsByIds>>[number] & { contactEmail: string };

/** The conversation of a request that came by e-mail: answers and status letters, threaded to the applicant's. */
async function answerByEmail(ctx: AppContext, d: Exclude<Delivery, { kind: "registered" }>, req: EmailRequest) {
  // The intake acknowledged the letter in the registration's own transaction, with its loop protection. A request
  // split off another (an applicant's message made a request of its own) came by no letter: it is announced as the
  // policy announces any other (`deliverManyByEmail`).
  if (d.kind === "status.changed" && d.to !== "escalated") return;
  const thread = await threadOf(ctx.db, d.requestId);
  const subject = formatSubject(req.subject, req.number, { reply: true });
  if (d.kind === "message.public") {
    const message = await publicMessage(ctx.db, d.messageId);
    if (!message) return;
    await ctx.db.transaction((tx) =>
      enqueue(ctx, tx, {
        source: `message:${message.id}`,
        kind: "answer",
        requestId: req.id,
        number: req.number,
        to: req.contactEmail,
        subject,
        text: [
          message.body,
          "",
          "--",
          "Служба поддержки",
          `Обращение № ${req.number}. Чтобы дополнить его, ответьте на это письмо, сохранив номер в теме.`,
        ].join("\n"),
        ...thread,
        auto: false,
      }),
    );
    return;
  }
  const trackingUrl = await trackingUrlOf(ctx, d.requestId, req.trackingSealed);
  const into = d.kind === "merged" ? (await mergedTarget(ctx.db, req))?.number : undefined;
  // A merge whose target is gone (it was purged meanwhile) has no number to name: no letter rather than a broken one.
  if (d.kind === "merged" && !into) return;
  const text =
    d.kind === "merged"
      ? [
          "Здравствуйте!",
          "",
          `Ваше обращение № ${req.number} объединено с обращением № ${into}: они об одном и том же вопросе.`,
          `Ответ придёт на этот адрес по обращению № ${into}; чтобы дополнить его, ответьте на это письмо.`,
          ...(trackingUrl ? ["", `Ход рассмотрения: ${trackingUrl}`] : []),
          "",
          "Служба поддержки",
        ]
      : d.kind === "resolved"
        ? [
            "Здравствуйте!",
            "",
            `Ваше обращение № ${req.number} решено.`,
            "",
            trackingUrl
              ? `Пожалуйста, оцените работу службы поддержки (от 1 до 5) по ссылке: ${trackingUrl}`
              : "Пожалуйста, оцените работу службы поддержки по ссылке из письма о регистрации обращения.",
            "",
            "Если вопрос не решён, ответьте на это письмо: обращение откроется снова.",
            "",
            "Служба поддержки",
          ]
        : [
            "Здравствуйте!",
            "",
            `Ваше обращение № ${req.number} передано в профильное подразделение. Ответ придёт на этот адрес.`,
            ...(trackingUrl ? ["", `Ход рассмотрения: ${trackingUrl}`] : []),
            "",
            "Служба поддержки",
          ];
  await ctx.db.transaction((tx) =>
    enqueue(ctx, tx, {
      source: `history:${d.historyId}`,
      kind: "status",
      requestId: req.id,
      number: req.number,
      to: req.contactEmail,
      subject,
      text: text.join("\n"),
      ...thread,
      auto: true,
    }),
  );
}

/** A notice the policy may send: its letter and what the gate decides it by. */
type Notice = { letter: Letter; admission: Admission };

/**
 * The notification policy's letter to an applicant of the form, the chat or the phone who gave an address, for one
 * message or history row; undefined when there is no news for them.
 */
async function noticeOf(ctx: AppContext, d: Delivery, req: EmailRequest): Promise<Notice | undefined> {
  // A form filled in with the support mailbox's own address would write to ourselves.
  if (req.contactEmail.toLowerCase() === ctx.config.supportAddress.toLowerCase()) return undefined;
  const messageId = d.kind === "message.public" ? d.messageId : d.kind === "resolved" ? d.messageId : undefined;
  const message = messageId ? await publicMessage(ctx.db, messageId) : undefined;
  if (d.kind === "message.public" && !message) return undefined;
  const news = newsOf(d, { chatOpen: d.kind === "message.public" && Boolean(await openChatOf(ctx.db, req.id)) });
  if (!news) return undefined;
  const trackingUrl = await trackingUrlOf(ctx, req.id, req.trackingSealed);
  const into = d.kind === "merged" ? (await mergedTarget(ctx.db, req))?.number : undefined;
  const text = noticeLetter(
    news,
    { number: req.number, trackingUrl, dueAt: req.firstResponseDueAt, message: message?.body, into },
    unsubscribeUrl(ctx, "email", req.contactEmail),
  );
  const source = sourceOf(d);
  return {
    admission: { medium: "email", source, contact: req.contactEmail, requestId: req.id, news },
    letter: {
      source,
      kind: "notice",
      requestId: req.id,
      number: req.number,
      to: req.contactEmail,
      // The number in the subject threads the applicant's reply to the request.
      subject: formatSubject(NOTICE_SUBJECT[news], req.number),
      text,
      auto: true,
    },
  };
}

/** Notices through the policy's gate (an unsubscribe, the hourly limit) and into the outbox, in one transaction. */
async function queueNotices(ctx: AppContext, notices: Notice[]) {
  if (notices.length === 0) return;
  await ctx.db.transaction(async (tx) => {
    const verdicts = await admitMany(
      ctx,
      tx,
      notices.map((n) => n.admission),
    );
    await enqueueMany(
      ctx,
      tx,
      notices.filter((_, i) => verdicts[i] === "send").map((n) => n.letter),
    );
  });
}

async function trackingUrlOf(
  ctx: AppContext,
  requestId: number,
  sealed: string | null | undefined,
): Promise<string | undefined> {
  if (sealed) return `${ctx.config.publicUrl}/track/${sealed}`;
  // Requests registered before the registry kept the link: the e-mail intake's copy.
  const [row] = await ctx.db
    .select({ sealed: emailInbox.trackingSealed })
    .from(emailInbox)
    .where(and(eq(emailInbox.requestId, requestId), isNotNull(emailInbox.trackingSealed)))
    .limit(1);
  // Only a token's shape makes a link (a value sealed the old way by a process not yet upgraded does not).
  const token = row?.sealed && /^[A-Za-z0-9_-]{43}$/.test(row.sealed) ? row.sealed : undefined;
  return token ? `${ctx.config.publicUrl}/track/${token}` : undefined;
}

/** Sends one queued letter. Throws on a temporary failure, so that the outbox retries it later. */
export async function sendLetter(ctx: AppContext, outboxId: number) {
  const [row] = await ctx.db.select().from(emailOutbox).where(eq(emailOutbox.id, outboxId));
  if (!row || row.sentAt || row.failedAt) return;
  if (await sendRow(ctx, row)) await markSent(ctx, [row.id]);
}

/**
 * Sends queued letters in the order given, as `sendLetter` for each would, with one read and one write for all that
 * went (a burst of acknowledgements). Answers the temporary failures by outbox id: the outbox retries those later.
 */
export async function sendLetters(ctx: AppContext, outboxIds: number[]): Promise<Map<number, unknown>> {
  const rows = new Map(
    (await ctx.db.select().from(emailOutbox).where(inArray(emailOutbox.id, outboxIds))).map((r) => [r.id, r]),
  );
  const sent: number[] = [];
  const failed = new Map<number, unknown>();
  for (const id of outboxIds) {
    const row = rows.get(id);
    if (!row || row.sentAt || row.failedAt || sent.includes(id)) continue;
    try {
      if (await sendRow(ctx, row)) sent.push(id);
    } catch (e) {
      failed.set(id, e);
    }
  }
  // A crash before this write sends these letters again (at least once, as one by one): their Message-IDs are fixed.
  await markSent(ctx, sent);
  return failed;
}

type OutboxRow = typeof emailOutbox.$inferSelect;

/**
 * Hands one letter to the relay or the outbox folder: true once it went. A failure is written on its row: a permanent
 * one answers false (the request's history tells the operator), a temporary one throws.
 */
async function sendRow(ctx: AppContext, row: OutboxRow): Promise<boolean> {
  const attempts = row.attempts + 1;
  try {
    await emailStateOf(ctx).mailer.send({
      to: row.to,
      subject: row.subject,
      text: row.text ?? "",
      messageId: row.messageId,
      ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
      references: row.references,
      auto: row.auto,
      // One-click unsubscribe (RFC 8058) for the policy's notices; a conversation's letters have none.
      ...(row.kind === "notice" ? { listUnsubscribe: listUnsubscribe(ctx, row.to) } : {}),
      attachments: await filesOf(ctx, row.source),
    });
  } catch (e) {
    const code = sendErrorCode(e);
    if (classifySendError(e) === "permanent" || attempts >= MAX_SEND_ATTEMPTS) {
      await ctx.db.transaction(async (tx) => {
        await tx
          .update(emailOutbox)
          .set({ attempts, failedAt: new Date(), lastErrorCode: code })
          .where(eq(emailOutbox.id, row.id));
        if (row.requestId) {
          await ctx.requests.log(tx, row.requestId, SYSTEM, "email_failed", { outboxId: row.id, kind: row.kind, code });
        }
      });
      return false;
    }
    await ctx.db
      .update(emailOutbox)
      .set({ attempts, lastErrorCode: code, nextAttemptAt: new Date(Date.now() + 5000 * 2 ** Math.min(attempts, 10)) })
      .where(eq(emailOutbox.id, row.id));
    throw new Error(`outbound letter ${row.id} not sent: ${code}`);
  }
  return true;
}

/** What was said is in the request's messages; a sent letter's body is not kept twice. */
async function markSent(ctx: AppContext, ids: number[]) {
  if (ids.length === 0) return;
  await ctx.db
    .update(emailOutbox)
    .set({ attempts: sql`${emailOutbox.attempts} + 1`, sentAt: new Date(), text: null, lastErrorCode: null })
    .where(inArray(emailOutbox.id, ids));
}

/** The files an operator attached to the answer this letter carries. */
async function filesOf(ctx: AppContext, source: string) {
  const messageId = /^message:(\d+)$/.exec(source)?.[1];
  if (!messageId) return [];
  const files = await messageAttachments(ctx.db, Number(messageId));
  const out: { filename: string; content: Buffer; contentType: string }[] = [];
  for (const f of files) {
    const chunks: Buffer[] = [];
    for await (const chunk of await ctx.files.open(f.id)) chunks.push(chunk as Buffer);
    out.push({ filename: f.filename, content: Buffer.concat(chunks), contentType: f.contentType });
  }
  return out;
}

/** «550», «ECONNECTION»: what went wrong, without the addresses a server's message may quote. */
function sendErrorCode(e: unknown): string {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err?.responseCode === "number") return String(err.responseCode);
  return typeof err?.code === "string" ? err.code.slice(0, 40) : "error";
}

function listUnsubscribe(ctx: AppContext, to: string) {
  const token = unsubscribeUrl(ctx, "email", to).split("/").at(-1)!;
  return `${ctx.config.publicUrl}/api/v1/notifications/unsubscribe/${token}`;
}
