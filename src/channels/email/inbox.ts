// Received letters: stored raw first (the SMTP 250 waits for that commit), then processed by an outbox job
// that parses the letter, decides what it is and hands it to the registry. Processing runs again from the
// stored row after a crash; the row is locked and checked in the registry's own transaction, so a letter
// becomes exactly one request or one message however often the job runs.
import { and, eq, inArray, isNotNull, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Queryable, Tx } from "../../db/client.ts";
import { EVENTS_CHANNEL_SQL, rowsOf } from "../../db/outbox.ts";
import { isAppError } from "../../http/errors.ts";
import { normalizeContact } from "../../requests/contact.ts";
import { SYSTEM, TEXT_MAX } from "../../requests/core/index.ts";
import type { StoredFile } from "../../requests/files.ts";
import { isValidRequestNumber } from "../../requests/number.ts";
import { mergedTarget, requestRowById, requestRowByNumber } from "../../requests/queries.ts";
import { blindIndex } from "../../security/sealed.ts";
import { emailInbox, emailOutbox, type InboxAttachment, type InboxEnvelope } from "./db-schema.ts";
import { decideInbound, type InboundDecision } from "./decide.ts";
import { composeAcknowledgement } from "./outbound.ts";
import { type InboundMessage, parseMessage } from "./parse.ts";
import { emailStateOf } from "./state.ts";

export const RECEIVED_TOPIC = "email.received";
/** After this many failed runs a letter is set aside as «failed»: kept, listed for staff, no longer retried. */
const MAX_ATTEMPTS = 5;

/**
 * Stores one raw letter durably and queues its processing: one statement (so one transaction, one round trip) writes
 * the inbox row, its outbox event and the event's NOTIFY. The letter and its envelope are sealed by their columns.
 */
export async function storeLetter(ctx: AppContext, raw: Buffer, envelope: InboxEnvelope): Promise<number> {
  const [row] = rowsOf<{ id: number | string }>(await ctx.db.execute(storeLetterStatement(raw, envelope)));
  return Number(row!.id);
}

/** The statement `storeLetter` sends (the e-mail benchmark's raw side sends the same one through the driver). */
export function storeLetterStatement(raw: Buffer, envelope: InboxEnvelope): SQL {
  return sql`with letter as (
      insert into ${emailInbox} (raw, size, envelope)
      values (${sql.param(raw, emailInbox.raw)}, ${raw.length}, ${sql.param(envelope, emailInbox.envelope)})
      returning id),
    e as (
      insert into events (topic, payload) select ${RECEIVED_TOPIC}, jsonb_build_object('inboxId', id) from letter
      returning id, topic, payload)
    select (select id from letter) as id,
      pg_notify(${sql.raw(EVENTS_CHANNEL_SQL)}, json_build_object('id', id, 'topic', topic, 'data', payload)::text)
    from e`;
}

class AlreadyProcessed extends Error {}

type Row = typeof emailInbox.$inferSelect;

export async function processLetter(ctx: AppContext, id: number): Promise<void> {
  const [row] = await ctx.db.select().from(emailInbox).where(eq(emailInbox.id, id));
  if (!row || row.processedAt) return;
  await ctx.db
    .update(emailInbox)
    .set({ attempts: sql`${emailInbox.attempts} + 1` })
    .where(eq(emailInbox.id, id));
  try {
    await handle(ctx, row);
  } catch (e) {
    if (e instanceof AlreadyProcessed) return;
    // Codes only: an error message may quote the letter's addresses.
    const code = errorCode(e);
    const giveUp = row.attempts + 1 >= MAX_ATTEMPTS;
    await ctx.db
      .update(emailInbox)
      .set(giveUp ? { lastError: code, processedAt: new Date(), outcome: "failed" } : { lastError: code })
      .where(and(eq(emailInbox.id, id), sql`${emailInbox.processedAt} is null`));
    if (!giveUp) throw new Error(`e-mail letter ${id} not processed: ${code}`);
  }
}

async function handle(ctx: AppContext, row: Row) {
  const state = emailStateOf(ctx);
  const message = await parseMessage(row.raw, {
    ownAddresses: [ctx.config.supportAddress],
    isValidNumber: isValidRequestNumber,
    ...(row.envelope.mailFrom ? { envelopeFrom: row.envelope.mailFrom } : {}),
    receivedAt: row.receivedAt,
  });
  const from = message.from.address.toLowerCase();
  const seen = {
    messageId: message.messageId,
    fromAddress: from,
    fromHash: blindIndex("email", from),
    subject: message.subject.slice(0, 500),
    threadIds: [...message.references, ...(message.inReplyTo ? [message.inReplyTo] : [])].slice(-30),
    flags: message.flags,
    processedAt: new Date(),
  };

  // A redelivery (the sender did not see our 250, or IMAP fetched twice) points at the first copy.
  const [first] = await ctx.db
    .select({ id: emailInbox.id, requestId: emailInbox.requestId })
    .from(emailInbox)
    .where(
      and(
        eq(emailInbox.messageId, message.messageId),
        eq(emailInbox.fromHash, blindIndex("email", from)!),
        ne(emailInbox.id, row.id),
      ),
    );
  if (first) {
    await ctx.db.transaction(async (tx) => {
      await lockUnprocessed(tx, row.id);
      await tx
        .update(emailInbox)
        .set({
          ...seen,
          messageId: null,
          outcome: "duplicate",
          duplicateOf: first.id,
          requestId: first.requestId,
          raw: Buffer.alloc(0),
        })
        .where(eq(emailInbox.id, row.id));
    });
    return;
  }

  let decision = await decideInbound(message, {
    domain: state.domain,
    isValidNumber: isValidRequestNumber,
    acknowledgements: state.acknowledgements,
    envelopeRecipients: row.envelope.rcptTo,
    findByMessageId: (ids) => requestNumberByMessageIds(ctx.db, ids),
    requestExists: async (n) => Boolean(await requestByNumber(ctx.db, n)),
    applicantAddress: async (n) => (await requestByNumber(ctx.db, n))?.contactEmail ?? undefined,
  });
  const target = decision.kind === "reply" ? await requestByNumber(ctx.db, decision.requestNumber) : undefined;
  if (decision.kind === "reply" && target?.status === "closed") {
    // A closed request takes no more messages: a person's letter opens a new one, a machine's is only kept.
    decision = decision.automatic ? { kind: "keep_only", reason: "closed_request" } : newDecision(message, state);
  }

  if (decision.kind === "keep_only") {
    const reason = decision.reason;
    await ctx.db.transaction(async (tx) => {
      await lockUnprocessed(tx, row.id);
      await tx
        .update(emailInbox)
        .set({ ...seen, outcome: "keep_only", reason: reason.slice(0, 200) })
        .where(eq(emailInbox.id, row.id));
    });
    return;
  }

  const { stored, listed } = await storeAttachments(ctx, message);
  try {
    if (decision.kind === "reply" && target) {
      // A letter that cannot be taken as the applicant's word (another sender, a machine) is kept as a note for staff:
      // it neither shows on the tracking page nor reopens the request.
      const trusted = !decision.automatic && decision.senderIsApplicant !== false;
      await ctx.db.transaction(async (tx) => {
        const added = await ctx.requests.appendMessage(tx, target.id, {
          author: { type: "applicant", trusted },
          visibility: "public",
          body: messageText(message, stored, trusted),
          channel: "email",
          files: stored,
        });
        await lockUnprocessed(tx, row.id);
        await tx
          .update(emailInbox)
          .set({
            ...seen,
            outcome: "reply",
            reason: decision.via,
            requestId: target.id,
            messageRowId: added.messageId,
            attachments: listed,
          })
          .where(eq(emailInbox.id, row.id));
        // A delivery report about one of our letters: that letter did not arrive, whatever the relay said.
        if (message.bounceOf) await markBounced(ctx, tx, target.id, message.bounceOf);
      });
      return;
    }
    if (decision.kind !== "new") return;
    const acknowledge = decision.acknowledge;
    const noAckBecause = decision.noAcknowledgementBecause;
    await ctx.requests.register({
      text: messageText(message, stored, true),
      subject: message.subject || undefined,
      category: message.categoryFromSubject,
      channel: "email",
      contact: contactOf(message),
      files: stored,
      inTransaction: async (tx, r) => {
        await lockUnprocessed(tx, row.id);
        await tx
          .update(emailInbox)
          .set({
            ...seen,
            outcome: "new",
            reason: noAckBecause ?? null,
            requestId: r.id,
            messageRowId: r.messageId,
            attachments: listed,
            trackingSealed: r.trackingToken,
          })
          .where(eq(emailInbox.id, row.id));
        if (acknowledge) {
          await composeAcknowledgement(ctx, tx, {
            inboxId: row.id,
            requestId: r.id,
            number: r.number,
            message,
            dueAt: r.firstResponseDueAt,
            trackingUrl: `${ctx.config.publicUrl}/track/${r.trackingToken}`,
          });
        }
      },
    });
  } catch (e) {
    await Promise.all(stored.map((f) => ctx.files.remove(f.id)));
    throw e;
  }
}

function newDecision(message: InboundMessage, state: ReturnType<typeof emailStateOf>): InboundDecision {
  if (!message.from.address) return { kind: "new", acknowledge: false, noAcknowledgementBecause: "no_sender" };
  if (message.flags.includes("auto_response_suppressed")) {
    return { kind: "new", acknowledge: false, noAcknowledgementBecause: "sender_declined" };
  }
  if (!state.acknowledgements.allow(message.from.address)) {
    return { kind: "new", acknowledge: false, noAcknowledgementBecause: "rate_limited" };
  }
  return { kind: "new", acknowledge: true };
}

async function markBounced(ctx: AppContext, tx: Tx, requestId: number, messageId: string) {
  const [letter] = await tx
    .update(emailOutbox)
    .set({ failedAt: new Date(), lastErrorCode: "bounced" })
    .where(
      and(eq(emailOutbox.messageId, messageId), eq(emailOutbox.requestId, requestId), isNull(emailOutbox.failedAt)),
    )
    .returning({ id: emailOutbox.id, kind: emailOutbox.kind });
  if (!letter) return;
  await ctx.requests.log(tx, requestId, SYSTEM, "email_failed", {
    outboxId: letter.id,
    kind: letter.kind,
    code: "bounced",
  });
}

async function lockUnprocessed(tx: Tx, id: number) {
  const [row] = await tx
    .select({ processedAt: emailInbox.processedAt })
    .from(emailInbox)
    .where(eq(emailInbox.id, id))
    .for("update");
  // Another run (a second process, or a job repeated after a lost lease) got there first: roll back ours.
  if (!row || row.processedAt) throw new AlreadyProcessed();
}

/** The text of the request's message: the new text, or a line saying why there is none. */
function messageText(message: InboundMessage, stored: StoredFile[], trusted: boolean): string {
  let text = message.text.trim();
  if (!text) {
    text = message.flags.includes("encrypted")
      ? "(Письмо зашифровано: текст прочитать нельзя. Исходное письмо сохранено.)"
      : stored.length || message.attachments.length
        ? "(Письмо без текста, только вложения.)"
        : "(Письмо без текста.)";
  }
  if (!trusted) {
    text = message.autoReply
      ? `[Автоматическое письмо] ${text}`
      : `[Письмо с адреса, не указанного в обращении: ${message.from.address || "без адреса"}] ${text}`;
  }
  return text.length > TEXT_MAX
    ? `${text.slice(0, TEXT_MAX - 60)}\n…(текст сокращён, полностью — в исходном письме)`
    : text;
}

function contactOf(message: InboundMessage) {
  const name = message.from.name?.trim().slice(0, 200);
  const email = message.from.address;
  try {
    return normalizeContact({ name, email });
  } catch {
    // An address the registry cannot use for answers (e.g. a local name): the request keeps only the name.
    return normalizeContact({ name });
  }
}

async function storeAttachments(ctx: AppContext, message: InboundMessage) {
  const stored: StoredFile[] = [];
  const listed: InboxAttachment[] = [];
  // Files the sender attached first, then pictures from the HTML body, within the per-message limit.
  const ordered = [...message.attachments].sort((a, b) => Number(a.inline) - Number(b.inline));
  try {
    for (const a of ordered) {
      const entry: InboxAttachment = { filename: a.filename, contentType: a.contentType, size: a.size };
      if (a.flagged) entry.flagged = a.flagged;
      if (!a.downloadable) entry.refused = a.flagged ?? "not_downloadable";
      else if (stored.length >= ctx.config.maxAttachments) entry.refused = "over_limit";
      else {
        try {
          const file = await ctx.files.put(a.filename, a.content);
          stored.push(file);
          entry.fileId = file.id;
        } catch (e) {
          // A type the registry does not serve, or too large: it stays in the raw letter, listed for staff.
          if (!isAppError(e) || e.code === "storage_unavailable") throw e;
          entry.refused = e.code;
        }
      }
      listed.push(entry);
    }
  } catch (e) {
    await Promise.all(stored.map((f) => ctx.files.remove(f.id)));
    throw e;
  }
  return { stored, listed };
}

async function requestByNumber(db: Queryable, number: string) {
  const row = await requestRowByNumber(db, number);
  // A reply quoting a merged duplicate's number belongs to the request it was merged into.
  return row?.mergedIntoId ? ((await mergedTarget(db, row)) ?? row) : row;
}

/** The request that already holds one of these letters (the applicant's own earlier letters). */
async function requestNumberByMessageIds(db: Queryable, ids: string[]): Promise<string | undefined> {
  const [row] = await db
    .select({ requestId: emailInbox.requestId })
    .from(emailInbox)
    .where(and(inArray(emailInbox.messageId, ids.slice(-30)), isNotNull(emailInbox.requestId)))
    .orderBy(sql`${emailInbox.id} desc`)
    .limit(1);
  return row?.requestId ? (await requestRowById(db, row.requestId))?.number : undefined;
}

function errorCode(e: unknown): string {
  if (isAppError(e)) return e.code;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") return code.slice(0, 40);
  return (e as Error)?.name ?? "error";
}
