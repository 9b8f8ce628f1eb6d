// The chat's rules: sessions, the applicant's messages (the first registers the request), the bot's turn,
// handing over, and what operators do. Every message is also written into the request's transcript.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { recommendNow } from "../../directory/routes-public.ts";
import { directoryOf } from "../../directory/state.ts";
import { errors } from "../../http/errors.ts";
import { searchKnowledge } from "../../knowledge/state.ts";
import { type Contact, normalizeContact } from "../../requests/contact.ts";
import { type Actor, isUniqueViolation, staffActor, TEXT_MAX } from "../../requests/core/index.ts";
import type { StoredFile } from "../../requests/files.ts";
import { requestRowById } from "../../requests/queries.ts";
import type { Status } from "../../requests/status.ts";
import { randomToken, sha256 } from "../../security/tokens.ts";
import type { StaffUser } from "../../staff/service.ts";
import { BOT_TEXT, botTurn } from "./bot.ts";
import { type ChatAttachment, type ChatPayload, type ChatState, chatConversations } from "./db-schema.ts";
import { chatHours, HOURS_TEXT, whenText } from "./hours.ts";
import { chatSettings } from "./settings.ts";
import {
  announceState,
  appendMessage,
  type Conversation,
  lockConversation,
  lockForMessage,
  messageByClientId,
  uploadedFiles,
} from "./store.ts";

export const BUTTONS = { helped: "Это помогло", operator: "Позвать оператора", leave: "Оставить обращение" } as const;
export type ButtonAction = keyof typeof BUTTONS;
export const CLIENT_ID = /^[A-Za-z0-9_-]{6,64}$/;
const MESSAGE_MAX = 4000;

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
  return { token, conversationId: row!.id, hours: chatHours(directoryOf(ctx).calendar, chatSettings(ctx).now()) };
}

export type Outgoing = {
  clientId: string;
  text: string;
  files?: string[] | undefined;
  action?: ButtonAction | undefined;
};
export type Sent = { seq: number; duplicate: boolean };

function checkOutgoing(m: Outgoing): string {
  if (!CLIENT_ID.test(m.clientId)) throw errors.validation("Неверный идентификатор сообщения.", { field: "id" });
  const text = (m.action ? BUTTONS[m.action] : m.text).trim();
  if (!text && !m.files?.length) throw errors.validation("Пустое сообщение.", { field: "text" });
  if (text.length > MESSAGE_MAX) {
    throw errors.validation(`Сообщение длиннее ${MESSAGE_MAX} символов: разделите его.`, { field: "text" });
  }
  return text || "Файл";
}

function attachmentsOf(files: StoredFile[]): ChatAttachment[] {
  return files.map((f) => ({ id: f.id, filename: f.filename, contentType: f.contentType, size: f.size }));
}

class AlreadyRegistered extends Error {}

class NotRegistered extends Error {}

/** The applicant's message (or button): stored once per client id, then the bot takes its turn if it has one. */
export async function applicantSend(ctx: AppContext, conversationId: number, m: Outgoing): Promise<Sent> {
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
  if (!sent.duplicate && sent.state === "bot") {
    await botResponds(ctx, (await loadConversation(ctx, conversationId))!, text, m.action);
  }
  return { seq: sent.seq, duplicate: sent.duplicate };
}

async function loadConversation(ctx: AppContext, id: number) {
  const [row] = await ctx.db.select().from(chatConversations).where(eq(chatConversations.id, id));
  if (!row) throw errors.notFound("Чат");
  return row;
}

/** One transaction: the conversation's lock, the duplicate check, the transcript row, the numbered message. */
async function appendApplicant(
  ctx: AppContext,
  conversationId: number,
  m: Outgoing,
  text: string,
  files: StoredFile[],
  payload: ChatPayload,
): Promise<Sent & { state: ChatState }> {
  return ctx.db.transaction(async (tx) => {
    const { conv, duplicateSeq } = await lockForMessage(tx, conversationId, m.clientId);
    if (duplicateSeq !== null) return { seq: duplicateSeq, duplicate: true, state: conv.state };
    if (conv.state === "closed") {
      throw errors.conflict("chat_closed", "Чат завершён. Чтобы задать новый вопрос, начните новый чат.");
    }
    if (m.action && conv.state !== "bot") throw errors.conflict("chat_not_bot", "Эта кнопка уже не действует.");
    if (!conv.requestId) throw new NotRegistered();
    // The request's transcript line first (the request core: a reply reopens a waiting or resolved request), then the
    // chat's numbered message pointing at it.
    const line = await ctx.requests.appendMessage(tx, conv.requestId, {
      author: { type: "applicant" },
      visibility: "public",
      body: text.slice(0, TEXT_MAX),
      channel: "chat",
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
    channel: "chat",
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
        body: `Ваше обращение зарегистрировано под номером ${reg.number}. Переписка сохраняется в нём; следить за ответом можно по ссылке ${ctx.config.publicUrl}/track/${reg.trackingToken}`,
      });
    },
  });
  return { seq, duplicate: false };
}

/** The bot's message, with its line in the request's own transcript (the articles it offered spelled out there). */
async function botSays(ctx: AppContext, tx: Tx, conv: Conversation, body: string, payload: ChatPayload = {}) {
  const articles = payload.articles?.map((a) => `— ${a.title}: /help/${a.slug}`).join("\n");
  const line = await ctx.requests.appendMessage(tx, conv.requestId!, {
    author: { type: "bot" },
    visibility: "public",
    body: (articles ? `${body}\n${articles}` : body).slice(0, TEXT_MAX),
    channel: "chat",
  });
  await appendMessage(tx, conv.id, { author: "bot", body, payload, messageId: line.messageId });
}

async function botResponds(ctx: AppContext, conv: Conversation, text: string, action: ButtonAction | undefined) {
  if (action === "operator") return handOver(ctx, conv.id);
  if (action === "leave") return leaveRequest(ctx, conv.id);
  if (action === "helped") return botHelped(ctx, conv.id);
  const turn = botTurn(text, conv.bot, (q) => searchKnowledge(ctx, q, { limit: 5 }));
  if (turn.kind === "handover") return handOver(ctx, conv.id);
  await ctx.db.transaction(async (tx) => {
    const locked = await lockConversation(tx, conv.id);
    if (locked.state !== "bot") return;
    await tx.update(chatConversations).set({ bot: turn.memory }).where(eq(chatConversations.id, conv.id));
    await botSays(ctx, tx, locked, turn.body, turn.payload);
  });
}

async function setRequestStatus(ctx: AppContext, tx: Tx, requestId: number, to: Status, actor: Actor) {
  await ctx.requests.transition(tx, requestId, to, actor, { channel: "chat", ifNeeded: true });
}

async function botHelped(ctx: AppContext, id: number) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    await botSays(ctx, tx, conv, BOT_TEXT.helped);
    const next = { state: "closed" as ChatState, result: "bot_helped", closedAt: new Date() };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await setRequestStatus(ctx, tx, conv.requestId!, "resolved", { type: "system" });
    await announceState(tx, { ...conv, ...next });
  });
}

/** To the operators' queue in their hours; outside them the offer to leave a request and the lines open now. */
export async function handOver(ctx: AppContext, id: number) {
  const now = chatSettings(ctx).now();
  const hours = chatHours(directoryOf(ctx).calendar, now);
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    if (hours.open) {
      const next = { state: "queued" as ChatState, queuedAt: now };
      await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
      await appendMessage(tx, id, {
        author: "system",
        body: "Подключаем оператора. Он увидит всю переписку — повторять вопрос не нужно.",
      });
      await announceState(tx, { ...conv, ...next });
      return;
    }
    const req = await requestRowById(tx, conv.requestId!);
    const lines = recommendNow(directoryOf(ctx), { topic: req?.category ?? "information" }, now)
      .filter((l) => l.open === true)
      .slice(0, 3)
      .map((l) => ({ number: l.number, title: l.title, hours: l.hours, open: l.open }));
    const where = conv.contactEmail ? "на почту" : "по телефону";
    await botSays(
      ctx,
      tx,
      conv,
      `Операторы чата работают ${HOURS_TEXT}${hours.opensAt ? `; следующий раз — ${whenText(hours.opensAt, now)}` : ""}. ` +
        `Можно оставить обращение: вся переписка войдёт в него, ответ придёт ${where}.` +
        (lines.length ? " Или позвоните на линию, которая работает сейчас:" : ""),
      { buttons: ["leave"], lines },
    );
  });
}

async function leaveRequest(ctx: AppContext, id: number) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    const req = await requestRowById(tx, conv.requestId!);
    await botSays(
      ctx,
      tx,
      conv,
      `Готово: обращение № ${req!.number} передано операторам вместе с перепиской. Можно дописать подробности здесь — они добавятся к обращению.`,
    );
    const next = { state: "left" as ChatState };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await announceState(tx, { ...conv, ...next });
  });
}

// ——— operators ———

export function canHandle(user: StaffUser, conv: Conversation, firstLineId: number | null): boolean {
  if (user.role === "supervisor" || user.role === "administrator") return true;
  if (conv.operatorId === user.id) return true;
  if (conv.state !== "queued") return false;
  if (user.departmentId !== null && conv.departmentId === user.departmentId) return true;
  return user.role === "operator" && (conv.departmentId === null || conv.departmentId === firstLineId);
}

async function activeChats(tx: Tx, operatorId: number) {
  const rows = await tx
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(and(eq(chatConversations.operatorId, operatorId), eq(chatConversations.state, "operator")));
  return rows.length;
}

async function takeInto(
  ctx: AppContext,
  tx: Tx,
  conv: Conversation,
  operator: { id: number; name: string },
  by: StaffUser,
) {
  if ((await activeChats(tx, operator.id)) >= chatSettings(ctx).maxChatsPerOperator) {
    throw errors.conflict(
      "chat_limit",
      `У оператора уже ${chatSettings(ctx).maxChatsPerOperator} чата: завершите один, чтобы принять новый.`,
    );
  }
  const next = { state: "operator" as ChatState, operatorId: operator.id, acceptedAt: new Date() };
  await tx.update(chatConversations).set(next).where(eq(chatConversations.id, conv.id));
  await ctx.requests.assign(tx, conv.requestId!, operator.id, staffActor(by), { takeIntoWork: true, channel: "chat" });
  await appendMessage(tx, conv.id, {
    author: "system",
    body: `Оператор ${firstName(operator.name)} подключился к чату.`,
  });
  await announceState(tx, { ...conv, ...next });
}

export const firstName = (name: string) => name.split(" ")[0] ?? name;

export async function accept(ctx: AppContext, user: StaffUser, id: number, firstLineId: number | null) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "queued") throw errors.conflict("chat_taken", "Этот чат уже принят или завершён.");
    if (!canHandle(user, conv, firstLineId)) throw errors.notFound("Чат");
    await takeInto(ctx, tx, conv, user, user);
  });
}

function mayWrite(user: StaffUser, conv: Conversation) {
  const supervisor = user.role === "supervisor" || user.role === "administrator";
  if (conv.state !== "operator" || (conv.operatorId !== user.id && !supervisor)) {
    throw errors.conflict("chat_not_yours", "Этот чат ведёт другой оператор или он уже завершён.");
  }
}

/** An employee may attach files to the chats they may write in: their own, or any one for a supervisor. */
export async function mayAttach(ctx: AppContext, user: StaffUser, id: number) {
  mayWrite(user, await loadConversation(ctx, id));
}

async function ownConversation(tx: Tx, user: StaffUser, id: number) {
  const conv = await lockConversation(tx, id);
  mayWrite(user, conv);
  return conv;
}

export async function staffSend(ctx: AppContext, user: StaffUser, id: number, m: Outgoing): Promise<Sent> {
  const text = checkOutgoing({ ...m, action: undefined });
  const files = (await uploadedFiles(ctx.db, id, m.files ?? [])) as StoredFile[];
  try {
    return await ctx.db.transaction(async (tx) => {
      const { conv, duplicateSeq } = await lockForMessage(tx, id, m.clientId);
      if (duplicateSeq !== null) return { seq: duplicateSeq, duplicate: true };
      mayWrite(user, conv);
      if (!conv.bot.answered) {
        await tx
          .update(chatConversations)
          .set({ bot: { ...conv.bot, answered: true } })
          .where(eq(chatConversations.id, id));
      }
      // An answer in the chat is an answer on the request, as from the request's page: the first response, taken
      // into work, in the history. The chat's own message points at it, so the delivery to this chat is not repeated.
      const line = await ctx.requests.appendMessage(tx, conv.requestId!, {
        author: { type: "staff", user },
        visibility: "public",
        body: text.slice(0, TEXT_MAX),
        channel: "chat",
        files,
      });
      const row = await appendMessage(tx, id, {
        clientId: m.clientId,
        author: "operator",
        authorId: user.id,
        body: text,
        payload: files.length ? { files: attachmentsOf(files) } : {},
        messageId: line.messageId,
      });
      return { seq: row.seq, duplicate: false };
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const again = await messageByClientId(ctx.db, id, m.clientId);
    if (!again) throw e;
    return { seq: again.seq, duplicate: true };
  }
}

/** To another operator (who takes it at once, within their limit) or back to a department's queue. */
export async function transfer(
  ctx: AppContext,
  user: StaffUser,
  id: number,
  to: { operatorId?: number | undefined; departmentId?: number | undefined },
  names: { operator?: { id: number; name: string }; department?: string },
) {
  await ctx.db.transaction(async (tx) => {
    const conv = await ownConversation(tx, user, id);
    if (names.operator) {
      if (names.operator.id === conv.operatorId)
        throw errors.validation("Чат уже у этого оператора.", { field: "operatorId" });
      await appendMessage(tx, id, { author: "system", body: "Чат передан другому оператору." });
      await takeInto(ctx, tx, { ...conv, state: "queued", operatorId: null }, names.operator, user);
      return;
    }
    const next = {
      state: "queued" as ChatState,
      operatorId: null,
      departmentId: to.departmentId ?? null,
      queuedAt: new Date(),
    };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await appendMessage(tx, id, {
      author: "system",
      body: `Чат передан специалистам: ${names.department ?? "первая линия"}. Подключаем следующего оператора.`,
    });
    await announceState(tx, { ...conv, ...next });
  });
}

export const RESULTS = {
  resolved: "Вопрос решён",
  follow_up: "Нужен ответ позже (обращение остаётся в работе)",
} as const;
export type CloseResult = keyof typeof RESULTS;

export async function close(ctx: AppContext, user: StaffUser, id: number, result: CloseResult) {
  await ctx.db.transaction(async (tx) => {
    const conv = await ownConversation(tx, user, id);
    const next = { state: "closed" as ChatState, result, closedAt: new Date() };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await appendMessage(tx, id, {
      author: "system",
      body:
        result === "resolved"
          ? "Оператор завершил чат. Спасибо за обращение! Оценить ответ можно по ссылке обращения."
          : "Оператор завершил чат. Ответ придёт в обращение, номер которого указан выше.",
    });
    if (result === "resolved") await setRequestStatus(ctx, tx, conv.requestId!, "resolved", staffActor(user));
    await announceState(tx, { ...conv, ...next });
  });
}
