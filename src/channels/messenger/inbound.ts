// The conversation in a messenger, whatever the messenger: the applicant's chat is a contact (its id encrypted, on the
// applicant record as a «messenger» contact), each of its conversations a chat conversation of channel `telegram` (or
// another messenger) — so the chatbot answers first, the first message registers the request through the request
// core, operators take it in the chat inbox and answer it there or on the request's page. A message is taken once per
// the provider's event id; an edit is added as a new line marked as one; files pass the web form's checks.
import { randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { linkContacts } from "../../applicants/store.ts";
import type { AppContext } from "../../context.ts";
import { isAppError } from "../../http/errors.ts";
import { contactHashOf } from "../../notifications/gate.ts";
import { SYSTEM } from "../../requests/core/index.ts";
import { sha256 } from "../../security/tokens.ts";
import { applicantSend } from "../chat/applicant.ts";
import { chatConversations, chatFiles } from "../chat/db-schema.ts";
import { type ButtonAction, CLIENT_ID } from "../chat/outgoing.ts";
import { messengerContacts, messengerOutbox, messengerThreads } from "./db-schema.ts";
import { MESSENGER_TEXT, queueText, relayConversation } from "./outbound.ts";
import type { Inbound, MessengerDriver } from "./port.ts";
import { MessengerError } from "./port.ts";
import { splitText } from "./split.ts";

/** The chat's own limit of one message; a longer messenger text becomes several lines, nothing is cut off. */
const LINE_MAX = 4000;
const ACTIONS = new Set<string>(["helped", "operator", "leave"]);

export type Received = {
  /** What to show on a pressed button (Telegram's answerCallbackQuery). */
  notice?: string | undefined;
  requestId?: number | undefined;
};

type Contact = typeof messengerContacts.$inferSelect;

/** The contact of a messenger chat, made on its first message; writing again makes a blocked chat deliverable. */
export async function contactOf(ctx: AppContext, channel: string, chatId: string, name?: string): Promise<Contact> {
  const chatHash = chatHashOf(channel, chatId);
  const [known] = await ctx.db
    .select()
    .from(messengerContacts)
    .where(and(eq(messengerContacts.channel, channel), eq(messengerContacts.chatHash, chatHash)));
  if (known) {
    if (!known.undeliverableAt) return known;
    const [again] = await ctx.db
      .update(messengerContacts)
      .set({ undeliverableAt: null })
      .where(eq(messengerContacts.id, known.id))
      .returning();
    return again!;
  }
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(messengerContacts)
      .values({ channel, chatHash, chatId, name: name?.slice(0, 200) ?? null })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [other] = await tx
        .select()
        .from(messengerContacts)
        .where(and(eq(messengerContacts.channel, channel), eq(messengerContacts.chatHash, chatHash)));
      return other!;
    }
    await linkContacts(tx, [{ kind: "messenger", hash: chatHash }]);
    return row;
  });
}

const chatHashOf = (channel: string, chatId: string) => contactHashOf("messenger", `${channel}:${chatId}`);

/**
 * The user forbade the bot's messages (VK's message_deny, MAX's bot_stopped): nothing more is sent (what waits fails),
 * and each of the chat's requests says so in its history, as for a Telegram chat that blocked the bot. Writing again,
 * or allowing, undoes it.
 */
export async function markUndeliverable(ctx: AppContext, channel: string, chatId: string, code: string) {
  await ctx.db.transaction(async (tx) => {
    const [contact] = await tx
      .update(messengerContacts)
      .set({ undeliverableAt: new Date() })
      .where(
        and(
          eq(messengerContacts.channel, channel),
          eq(messengerContacts.chatHash, chatHashOf(channel, chatId)),
          isNull(messengerContacts.undeliverableAt),
        ),
      )
      .returning({ id: messengerContacts.id });
    if (!contact) return;
    await tx
      .update(messengerOutbox)
      .set({ failedAt: new Date(), lastErrorCode: code })
      .where(
        and(
          eq(messengerOutbox.contactId, contact.id),
          isNull(messengerOutbox.sentAt),
          isNull(messengerOutbox.failedAt),
        ),
      );
    const requests = await tx
      .selectDistinct({ id: chatConversations.requestId })
      .from(messengerThreads)
      .innerJoin(chatConversations, eq(chatConversations.id, messengerThreads.conversationId))
      .where(and(eq(messengerThreads.contactId, contact.id), sql`${chatConversations.requestId} is not null`));
    for (const r of requests) {
      await ctx.requests.log(tx, r.id!, SYSTEM, "messenger_undeliverable", { channel, code });
    }
  });
}

/** The user allowed the bot's messages again (VK's message_allow): the chat is deliverable. */
export async function markDeliverable(ctx: AppContext, channel: string, chatId: string) {
  await ctx.db
    .update(messengerContacts)
    .set({ undeliverableAt: null })
    .where(and(eq(messengerContacts.channel, channel), eq(messengerContacts.chatHash, chatHashOf(channel, chatId))));
}

/** The conversation a new message goes to: the current one, or a new one when there is none or it was closed. */
async function conversationOf(ctx: AppContext, channel: string, contact: Contact): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const [locked] = await tx
      .select()
      .from(messengerContacts)
      .where(eq(messengerContacts.id, contact.id))
      .for("update");
    if (locked?.conversationId) {
      const [conv] = await tx
        .select({ state: chatConversations.state })
        .from(chatConversations)
        .where(eq(chatConversations.id, locked.conversationId));
      if (conv && conv.state !== "closed") return locked.conversationId;
    }
    const [conv] = await tx
      .insert(chatConversations)
      .values({
        // A messenger conversation has no browser session: its token is never given out.
        tokenHash: sha256(randomBytes(32).toString("base64url")),
        channel,
        contactName: locked?.name ?? null,
      })
      .returning({ id: chatConversations.id });
    await tx.insert(messengerThreads).values({ conversationId: conv!.id, contactId: contact.id });
    await tx.update(messengerContacts).set({ conversationId: conv!.id }).where(eq(messengerContacts.id, contact.id));
    return conv!.id;
  });
}

/** A request of this contact's conversations (the rating keyboard names one), or nothing for someone else's. */
async function ownRequest(ctx: AppContext, contactId: number, requestId: number): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: messengerThreads.conversationId })
    .from(messengerThreads)
    .innerJoin(chatConversations, eq(chatConversations.id, messengerThreads.conversationId))
    .where(and(eq(messengerThreads.contactId, contactId), eq(chatConversations.requestId, requestId)))
    .limit(1);
  return Boolean(row);
}

export async function receive(ctx: AppContext, driver: MessengerDriver, m: Inbound): Promise<Received> {
  const contact = await contactOf(ctx, driver.channel, m.chatId, m.name);
  const rating = m.button ? /^rate:(\d{1,15}):([1-5])$/.exec(m.button) : null;
  if (rating) {
    const requestId = Number(rating[1]);
    if (!(await ownRequest(ctx, contact.id, requestId))) return { notice: MESSENGER_TEXT.staleButton };
    try {
      await ctx.db.transaction((tx) =>
        ctx.requests.rate(tx, requestId, Number(rating[2]), undefined, { replace: true }),
      );
    } catch (e) {
      if (isAppError(e) && e.status === 409) return { notice: e.message };
      throw e;
    }
    return { notice: MESSENGER_TEXT.rated, requestId };
  }
  if (m.button && !ACTIONS.has(m.button)) return { notice: MESSENGER_TEXT.staleButton };

  const conversationId = await conversationOf(ctx, driver.channel, contact);
  const fileIds: string[] = [];
  for (const [i, f] of (m.files ?? []).slice(0, ctx.config.maxAttachments).entries()) {
    const stored = await takeFile(ctx, driver, contact.id, m.eventId, i, f);
    if (stored) {
      await ctx.db.insert(chatFiles).values({ ...stored, conversationId });
      fileIds.push(stored.id);
    }
  }
  const body = m.edited ? `${MESSENGER_TEXT.edited}\n${m.text}` : m.text;
  const parts = m.button ? [""] : splitText(body, LINE_MAX);
  if (parts.length === 0 && fileIds.length === 0) return {};
  if (parts.length === 0) parts.push("");
  let notice: string | undefined;
  for (const [i, text] of parts.entries()) {
    const last = i === parts.length - 1;
    try {
      await applicantSend(
        ctx,
        conversationId,
        {
          clientId: clientIdOf(driver.channel, m.eventId, i),
          text,
          files: i === 0 ? fileIds : [],
          action: m.button as ButtonAction | undefined,
        },
        // A long message is stored in parts; the bot answers it once, after the last, as one message.
        { botText: last ? (m.button ? undefined : body) : false },
      );
    } catch (e) {
      // A button of an earlier turn (the bot has handed over since): said on the button, nothing stored.
      if (isAppError(e) && e.code === "chat_not_bot") notice = MESSENGER_TEXT.staleButton;
      else throw e;
    }
  }
  await relayConversation(ctx, conversationId);
  const [conv] = await ctx.db
    .select({ requestId: chatConversations.requestId })
    .from(chatConversations)
    .where(eq(chatConversations.id, conversationId));
  return { notice, requestId: conv?.requestId ?? undefined };
}

/**
 * The chat's id of one part of a provider's event: the channel, the event's id and the part's number, as long as that
 * is an id the chat takes (6 to 64 letters, digits, «-» and «_»); otherwise a hash of it. A provider's ids are its own
 * (a short or long `event_id`, other characters): cut or refused, a message would be lost, or its parts taken for
 * repeats of the first.
 */
function clientIdOf(channel: string, eventId: string, part: number): string {
  const plain = `${channel}-${eventId}${part ? `-${part}` : ""}`;
  return CLIENT_ID.test(plain) ? plain : `${channel}-${sha256(plain).slice(0, 40)}`;
}

/** A file the applicant sent, stored after the web form's checks; a refused one is explained in the chat. */
async function takeFile(
  ctx: AppContext,
  driver: MessengerDriver,
  contactId: number,
  eventId: string,
  index: number,
  f: { fileId: string; filename: string },
) {
  const maxMb = Math.floor(ctx.config.maxAttachmentBytes / 1024 / 1024);
  let refusal: string;
  try {
    const bytes = await driver.fetchFile(f.fileId, ctx.config.maxAttachmentBytes);
    return await ctx.files.put(f.filename, bytes);
  } catch (e) {
    if (e instanceof MessengerError && e.code === "file_too_large") {
      refusal = `Файл «${f.filename}» больше ${maxMb} МБ и не принят.`;
    } else if (isAppError(e) && e.status < 500) {
      refusal = e.message;
    } else throw e;
  }
  await queueText(ctx, contactId, `refused:${eventId}:${index}`, refusal);
  return null;
}
