// What goes to an applicant's messenger chat, and how. Two sources feed one outbox per chat, in order: the chat
// conversation's own lines (the bot's answers with their buttons, the system's «an operator is connecting»), relayed
// as they appear; and the request core's deliveries through the notification policy (an operator's answer from the
// chat inbox or the request page, a transfer, the resolution with the rating keyboard), never an internal note. The
// «messenger.send» job sends a chat's queue in order through the driver, within its flood limits; a provider that
// asks to wait is waited for, a user who blocked the bot makes the chat undeliverable and the request's history says
// so for the operator.
import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { admit } from "../../notifications/gate.ts";
import { newsOf, POLICY, sourceOf } from "../../notifications/policy.ts";
import { type Delivery, SYSTEM } from "../../requests/core/index.ts";
import { mergedTarget, messageAttachments, publicMessage, requestRowById } from "../../requests/queries.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { type ChatPayload, chatConversations, chatMessages } from "../chat/db-schema.ts";
import { messengerContacts, messengerOutbox, messengerThreads, type OutboxFile } from "./db-schema.ts";
import { Pacer } from "./pacer.ts";
import { type Button, type MessengerDriver, MessengerError } from "./port.ts";
import { splitText } from "./split.ts";

export const MESSENGER_SEND_TOPIC = "messenger.send";
const MAX_SEND_ATTEMPTS = 16;
/** A provider's wait up to this long is waited out in the job; a longer one comes back through the outbox. */
const WAIT_IN_JOB_SECONDS = 5;
const LEASE_MS = 120_000;

export const BUTTON_TEXT = {
  helped: "Это помогло",
  operator: "Связаться с оператором",
  leave: "Оставить обращение",
} as const;

export const MESSENGER_TEXT = {
  rated: "Спасибо за оценку!",
  staleButton: "Эта кнопка уже не действует.",
  ratePrompt: "Пожалуйста, оцените ответ от 1 до 5:",
  edited: "Исправленное сообщение:",
};

/** The keyboard of the invitation to rate: 1 to 5, each carrying the request it rates. */
export function ratingButtons(requestId: number): Button[][] {
  return [[1, 2, 3, 4, 5].map((n) => ({ text: String(n), data: `rate:${requestId}:${n}` }))];
}

/** The bot's buttons as a messenger shows them: «it helped» when offered, then the operator and a request. */
export function botButtons(payload: ChatPayload): Button[][] | undefined {
  const offered = payload.buttons ?? [];
  if (offered.length === 0) return undefined;
  const rows: Button[][] = [];
  if (offered.includes("helped")) rows.push([{ text: BUTTON_TEXT.helped, data: "helped" }]);
  rows.push([{ text: BUTTON_TEXT.operator, data: "operator" }]);
  rows.push([{ text: BUTTON_TEXT.leave, data: "leave" }]);
  return rows;
}

type Thread = { conversationId: number; contactId: number; channel: string; chatId: string; undeliverable: boolean };

async function threadOfRequest(db: AppContext["db"], requestId: number): Promise<Thread | undefined> {
  const [row] = await db
    .select({
      conversationId: messengerThreads.conversationId,
      contactId: messengerThreads.contactId,
      channel: messengerContacts.channel,
      chatId: messengerContacts.chatId,
      undeliverableAt: messengerContacts.undeliverableAt,
    })
    .from(messengerThreads)
    .innerJoin(chatConversations, eq(chatConversations.id, messengerThreads.conversationId))
    .innerJoin(messengerContacts, eq(messengerContacts.id, messengerThreads.contactId))
    .where(eq(chatConversations.requestId, requestId))
    .orderBy(asc(messengerThreads.conversationId))
    .limit(1);
  return row && { ...row, undeliverable: row.undeliverableAt !== null };
}

type Queued = {
  source: string;
  requestId: number | null;
  text: string | null;
  buttons?: Button[][] | undefined;
  files?: OutboxFile[];
};

async function enqueue(tx: Tx, contactId: number, items: Queued[]) {
  if (items.length === 0) return;
  const rows = await tx
    .insert(messengerOutbox)
    .values(items.map((i) => ({ ...i, contactId, buttons: i.buttons ?? null, files: i.files ?? [] })))
    .onConflictDoNothing({ target: [messengerOutbox.contactId, messengerOutbox.source] })
    .returning({ id: messengerOutbox.id });
  if (rows.length) await emit(tx, MESSENGER_SEND_TOPIC, { contactId });
}

/**
 * The chat conversation's bot and system lines not yet sent to the messenger, queued in order. The applicant's own
 * lines came from there; an operator's answer goes as the request's message (the core's delivery), once.
 */
export async function relayConversation(ctx: AppContext, conversationId: number) {
  await ctx.db.transaction(async (tx) => {
    const [thread] = await tx
      .select()
      .from(messengerThreads)
      .where(eq(messengerThreads.conversationId, conversationId))
      .for("update");
    if (!thread) return;
    const [conv] = await tx
      .select({ requestId: chatConversations.requestId })
      .from(chatConversations)
      .where(eq(chatConversations.id, conversationId));
    const lines = await tx
      .select()
      .from(chatMessages)
      .where(
        and(
          eq(chatMessages.conversationId, conversationId),
          gt(chatMessages.seq, thread.relayedSeq),
          inArray(chatMessages.author, ["bot", "system"]),
        ),
      )
      .orderBy(asc(chatMessages.seq));
    if (lines.length === 0) return;
    await enqueue(
      tx,
      thread.contactId,
      lines.map((l) => ({
        source: `chat:${l.id}`,
        requestId: conv?.requestId ?? null,
        text: withArticles(ctx, l.body, l.payload),
        buttons: l.author === "bot" ? botButtons(l.payload) : undefined,
      })),
    );
    await tx
      .update(messengerThreads)
      .set({ relayedSeq: lines[lines.length - 1]!.seq })
      .where(eq(messengerThreads.conversationId, conversationId));
  });
}

function withArticles(ctx: AppContext, body: string, payload: ChatPayload): string {
  const articles = payload.articles?.map((a) => `— ${a.title}: ${ctx.config.publicUrl}/help/${a.slug}`) ?? [];
  const lines = payload.lines?.map((l) => `— ${l.title}: ${l.number} (${l.hours})`) ?? [];
  return [body, ...articles, ...lines].join("\n");
}

/** The channel adapter's delivery: the conversation's pending lines, then the news the policy lets through. */
export async function deliverToMessenger(ctx: AppContext, d: Delivery) {
  const thread = await threadOfRequest(ctx.db, d.requestId);
  if (!thread) return;
  await relayConversation(ctx, thread.conversationId);
  // The conversation itself said the number and the tracking link when it registered the request.
  const news = newsOf(d);
  if (!news || news === "registered" || !POLICY[news].messenger) return;
  const req = await requestRowById(ctx.db, d.requestId);
  if (!req) return;
  const number = displayRequestNumber(req.number);
  let text: string;
  let buttons: Button[][] | undefined;
  let files: OutboxFile[] = [];
  const said = async (messageId: number | undefined) => {
    if (messageId === undefined) return undefined;
    const m = await publicMessage(ctx.db, messageId);
    if (!m || m.authorType === "applicant") return undefined;
    files = await filesOf(ctx, messageId);
    return m.body;
  };
  switch (news) {
    case "resolved": {
      const body = await said(d.kind === "resolved" ? d.messageId : undefined);
      text = [body, `Ваше обращение № ${number} решено.`, MESSENGER_TEXT.ratePrompt].filter(Boolean).join("\n\n");
      buttons = ratingButtons(req.id);
      break;
    }
    case "escalated":
      text = `Ваше обращение № ${number} передано в профильное подразделение. Ответ придёт сюда.`;
      break;
    case "merged": {
      const into = await mergedTarget(ctx.db, req);
      if (!into) return;
      const target = displayRequestNumber(into.number);
      text = `Ваше обращение № ${number} объединено с обращением № ${target}: они об одном и том же вопросе. Ответ придёт по обращению № ${target}.`;
      break;
    }
    default: {
      const body = await said(d.kind === "message.public" ? d.messageId : undefined);
      if (body === undefined) return;
      text = body;
    }
  }
  const source = sourceOf(d);
  await ctx.db.transaction(async (tx) => {
    const verdict = await admit(ctx, tx, {
      medium: "messenger",
      source,
      contact: `${thread.channel}:${thread.chatId}`,
      requestId: req.id,
      news,
    });
    if (verdict !== "send") return;
    await enqueue(tx, thread.contactId, [{ source, requestId: req.id, text, buttons, files }]);
  });
}

async function filesOf(ctx: AppContext, messageId: number): Promise<OutboxFile[]> {
  const files = await messageAttachments(ctx.db, messageId);
  return files
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
    .map((f) => ({ id: f.id, filename: f.filename, contentType: f.contentType }));
}

/** A text for the chat at once (a refused file, an edit noted), in the chat's queue. */
export async function queueText(ctx: AppContext, contactId: number, source: string, text: string) {
  await ctx.db.transaction((tx) => enqueue(tx, contactId, [{ source, requestId: null, text }]));
}

const pacers = new WeakMap<MessengerDriver, Pacer>();
const pacerOf = (d: MessengerDriver) => {
  const known = pacers.get(d);
  if (known) return known;
  const p = new Pacer(d.limits.perSecond, d.limits.perChatPerSecond);
  pacers.set(d, p);
  return p;
};

class Waiting extends Error {}

/**
 * Sends a chat's queue in order. One process at a time per chat (a lease on the contact); throws when the queue must
 * wait (the provider asked, or another process is sending), so that the outbox comes back later.
 */
export async function sendQueue(ctx: AppContext, drivers: ReadonlyMap<string, MessengerDriver>, contactId: number) {
  const now = new Date();
  const [contact] = await ctx.db
    .update(messengerContacts)
    .set({ sendingUntil: new Date(now.getTime() + LEASE_MS) })
    .where(
      and(
        eq(messengerContacts.id, contactId),
        or(isNull(messengerContacts.sendingUntil), lt(messengerContacts.sendingUntil, now)),
      ),
    )
    .returning();
  if (!contact) {
    const [exists] = await ctx.db
      .select({ id: messengerContacts.id })
      .from(messengerContacts)
      .where(eq(messengerContacts.id, contactId));
    if (!exists) return;
    throw new Waiting(`messenger chat ${contactId} is being sent to`);
  }
  // A messenger turned off since: its queue waits for it to be on again.
  const driver = drivers.get(contact.channel);
  try {
    if (!driver) return;
    for (;;) {
      const [row] = await ctx.db
        .select()
        .from(messengerOutbox)
        .where(
          and(
            eq(messengerOutbox.contactId, contactId),
            isNull(messengerOutbox.sentAt),
            isNull(messengerOutbox.failedAt),
          ),
        )
        .orderBy(asc(messengerOutbox.id))
        .limit(1);
      if (!row) return;
      if (contact.undeliverableAt) {
        await ctx.db
          .update(messengerOutbox)
          .set({ failedAt: new Date(), lastErrorCode: "blocked" })
          .where(and(eq(messengerOutbox.contactId, contactId), isNull(messengerOutbox.sentAt)));
        return;
      }
      if (row.nextAttemptAt && row.nextAttemptAt > new Date()) throw new Waiting(`messenger ${row.id} waits`);
      await sendRow(ctx, driver, contact, row);
    }
  } finally {
    await ctx.db.update(messengerContacts).set({ sendingUntil: null }).where(eq(messengerContacts.id, contactId));
  }
}

type Contact = typeof messengerContacts.$inferSelect;
type Row = typeof messengerOutbox.$inferSelect;

async function sendRow(ctx: AppContext, driver: MessengerDriver, contact: Contact, row: Row) {
  const pacer = pacerOf(driver);
  const texts = row.text ? splitText(row.text, driver.limits.textMax) : [];
  const parts = texts.length + row.files.length;
  let done = row.partsSent;
  const attempts = row.attempts + 1;
  let waits = 0;
  while (done < parts) {
    try {
      await pacer.slot(contact.chatId);
      if (done < texts.length) {
        // The buttons go under the last part of the text.
        const last = done === texts.length - 1;
        await driver.sendText({
          chatId: contact.chatId,
          text: texts[done]!,
          buttons: last ? (row.buttons ?? undefined) : undefined,
          key: `${row.id}:${done}`,
        });
      } else {
        const f = row.files[done - texts.length]!;
        const bytes = await readAll(await ctx.files.open(f.id));
        await driver.sendFile({
          chatId: contact.chatId,
          filename: f.filename,
          contentType: f.contentType,
          bytes,
          key: `${row.id}:${done}`,
        });
      }
      done++;
      await ctx.db.update(messengerOutbox).set({ partsSent: done }).where(eq(messengerOutbox.id, row.id));
    } catch (e) {
      const err = e instanceof MessengerError ? e : new MessengerError("error", true);
      if (err.retryable && err.retryAfter !== undefined) {
        pacer.pause(err.retryAfter);
        // A short wait is waited out here (the pacer holds the next slot back); a long one goes back to the outbox.
        if (err.retryAfter <= WAIT_IN_JOB_SECONDS && ++waits <= 10) continue;
      }
      await failed(ctx, contact, row, attempts, err);
      return;
    }
  }
  await ctx.db
    .update(messengerOutbox)
    .set({ attempts, sentAt: new Date(), text: null, lastErrorCode: null })
    .where(eq(messengerOutbox.id, row.id));
}

async function failed(ctx: AppContext, contact: Contact, row: Row, attempts: number, err: MessengerError) {
  if (err.undeliverable) {
    await ctx.db.transaction(async (tx) => {
      const at = new Date();
      await tx.update(messengerContacts).set({ undeliverableAt: at }).where(eq(messengerContacts.id, contact.id));
      await tx
        .update(messengerOutbox)
        .set({ failedAt: at, lastErrorCode: err.code })
        .where(and(eq(messengerOutbox.contactId, contact.id), isNull(messengerOutbox.sentAt)));
      // The operator reads it in the request's history (and its live feed): the applicant will not see answers here.
      const requests = await tx
        .selectDistinct({ id: chatConversations.requestId })
        .from(messengerThreads)
        .innerJoin(chatConversations, eq(chatConversations.id, messengerThreads.conversationId))
        .where(and(eq(messengerThreads.contactId, contact.id), sql`${chatConversations.requestId} is not null`));
      for (const r of requests) {
        await ctx.requests.log(tx, r.id!, SYSTEM, "messenger_undeliverable", {
          channel: contact.channel,
          code: err.code,
        });
      }
    });
    return;
  }
  if (!err.retryable || attempts >= MAX_SEND_ATTEMPTS) {
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(messengerOutbox)
        .set({ attempts, failedAt: new Date(), lastErrorCode: err.code })
        .where(eq(messengerOutbox.id, row.id));
      if (row.requestId) {
        await ctx.requests.log(tx, row.requestId, SYSTEM, "messenger_failed", {
          channel: contact.channel,
          code: err.code,
        });
      }
    });
    return;
  }
  const waitMs = Math.max((err.retryAfter ?? 0) * 1000, 5000 * 2 ** Math.min(attempts - 1, 10));
  await ctx.db
    .update(messengerOutbox)
    .set({ attempts, lastErrorCode: err.code, nextAttemptAt: new Date(Date.now() + waitMs) })
    .where(eq(messengerOutbox.id, row.id));
  throw new Waiting(`messenger ${row.id} not sent: ${err.code}`);
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
