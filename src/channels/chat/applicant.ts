// The applicant's side of the chat: a session with contacts, then messages — each stored once per client id, the
// first registering the request (the rest go into its transcript through the request core), then the bot's turn.
import { eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/errors.ts";
import { type Contact, normalizeContact } from "../../requests/contact.ts";
import { CHANNELS, isUniqueViolation, TEXT_MAX } from "../../requests/core/index.ts";
import type { StoredFile } from "../../requests/files.ts";
import { randomToken, sha256 } from "../../security/tokens.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { botResponds } from "./bot-turn.ts";
import { type ChatPayload, type ChatState, chatConversations } from "./db-schema.ts";
import { currentChatHours } from "./hours-setting.ts";
import { attachmentsOf, checkOutgoing, loadConversation, type Outgoing, type Sent } from "./outgoing.ts";
import {
  appendMessage,
  type Conversation,
  lockConversation,
  lockForMessage,
  messageByClientId,
  uploadedFiles,
} from "./store.ts";
import { ChatRefusal, writeMessage } from "./writer.ts";

export async function startSession(ctx: AppContext, input: Contact) {
  const contact = normalizeContact(input);
  if (!contact.email && !contact.phone) {
    throw errors.validation("Укажите почту или телефон: на них придёт ответ, если чат прервётся.", {
      field: "contact.email",
    });
  }
  const token = randomToken(32);
  const [row] = await ctx.db
    .insert(chatConversations)
    .values({
      tokenHash: sha256(token),
      contactName: contact.name?.slice(0, 200) ?? null,
      contactEmail: contact.email ?? null,
      contactPhone: contact.phone ?? null,
    })
    .returning({ id: chatConversations.id });
  return { token, conversationId: row!.id, hours: await currentChatHours(ctx) };
}

class AlreadyRegistered extends Error {}

class NotRegistered extends ChatRefusal {}

/**
 * The applicant's message (or button): stored once per client id, then the bot takes its turn if it has one — on
 * `botText` when given (a messenger's long message stored in parts answers once, on the whole), not at all when false.
 */
export async function applicantSend(
  ctx: AppContext,
  conversationId: number,
  m: Outgoing,
  opts: { botText?: string | false } = {},
): Promise<Sent> {
  const text = checkOutgoing(m);
  const files = (await uploadedFiles(ctx.db, conversationId, m.files ?? [])) as StoredFile[];
  const payload: ChatPayload = {
    ...(files.length ? { files: attachmentsOf(files) } : {}),
    ...(m.action ? { action: m.action } : {}),
  };
  let sent: Sent & { state: ChatState };
  try {
    sent = await appendApplicant(ctx, conversationId, m, text, files, payload);
  } catch (e) {
    if (isUniqueViolation(e)) {
      // The same message raced itself (a resend on a second connection): answer with the stored one.
      const again = await messageByClientId(ctx.db, conversationId, m.clientId);
      if (!again) throw e;
      return { seq: again.seq, duplicate: true };
    }
    if (!(e instanceof NotRegistered)) throw e;
    // The first message registers the request; two first messages racing: the loser appends to the winner's.
    const conv = (await loadConversation(ctx, conversationId))!;
    try {
      sent = { ...(await registerWithFirst(ctx, conv, m.clientId, text, files, payload)), state: conv.state };
    } catch (again) {
      if (!(again instanceof AlreadyRegistered)) throw again;
      sent = await appendApplicant(ctx, conversationId, m, text, files, payload);
    }
  }
  if (!sent.duplicate && sent.state === "bot" && opts.botText !== false) {
    await botResponds(ctx, (await loadConversation(ctx, conversationId))!, opts.botText ?? text, m.action);
  }
  return { seq: sent.seq, duplicate: sent.duplicate };
}

/**
 * One transaction (shared with other messages by group commit): the conversation's lock, the duplicate check, the
 * transcript row, the numbered message.
 */
function appendApplicant(
  ctx: AppContext,
  conversationId: number,
  m: Outgoing,
  text: string,
  files: StoredFile[],
  payload: ChatPayload,
): Promise<Sent & { state: ChatState }> {
  return writeMessage(ctx, {
    conversationId,
    async check(tx) {
      const { conv, duplicateSeq } = await lockForMessage(tx, conversationId, m.clientId);
      if (duplicateSeq !== null) return { conv, duplicateSeq };
      if (conv.state === "closed") {
        throw errors.conflict("chat_closed", "Чат завершён. Чтобы задать новый вопрос, начните новый чат.");
      }
      if (m.action && conv.state !== "bot") throw errors.conflict("chat_not_bot", "Эта кнопка уже не действует.");
      if (!conv.requestId) throw new NotRegistered();
      return { conv, duplicateSeq };
    },
    async write(tx, { conv, duplicateSeq }) {
      if (duplicateSeq !== null) return { seq: duplicateSeq, duplicate: true, state: conv.state };
      // The request's transcript line first (the request core: a reply reopens a waiting or resolved request), then
      // the chat's numbered message pointing at it.
      const line = await ctx.requests.appendMessage(tx, conv.requestId!, {
        author: { type: "applicant" },
        visibility: "public",
        body: text.slice(0, TEXT_MAX),
        channel: conv.channel,
        files,
      });
      const row = await appendMessage(tx, conversationId, {
        clientId: m.clientId,
        author: "applicant",
        body: text,
        payload,
        messageId: line.messageId,
      });
      return { seq: row.seq, duplicate: false, state: conv.state };
    },
  });
}

async function registerWithFirst(
  ctx: AppContext,
  conv: Conversation,
  clientId: string,
  text: string,
  files: StoredFile[],
  payload: ChatPayload,
): Promise<Sent> {
  let seq = 0;
  await ctx.requests.register({
    text,
    channel: CHANNELS.find((c) => c === conv.channel) ?? "chat",
    contact: {
      name: conv.contactName ?? undefined,
      email: conv.contactEmail ?? undefined,
      phone: conv.contactPhone ?? undefined,
    },
    files,
    inTransaction: async (tx, reg) => {
      const locked = await lockConversation(tx, conv.id);
      if (locked.requestId) throw new AlreadyRegistered();
      await tx.update(chatConversations).set({ requestId: reg.id }).where(eq(chatConversations.id, conv.id));
      const row = await appendMessage(tx, conv.id, {
        clientId,
        author: "applicant",
        body: text,
        payload,
        messageId: reg.messageId,
      });
      seq = row.seq;
      await appendMessage(tx, conv.id, {
        author: "system",
        body: `Ваше обращение зарегистрировано под номером ${displayRequestNumber(reg.number)}. Переписка сохраняется в нём; следить за ответом можно на странице обращения: ${ctx.config.publicUrl}/track/${reg.trackingToken}`,
      });
    },
  });
  return { seq, duplicate: false };
}
