// What operators do in a chat: who may take it, accepting within the limit, answering (an answer on the request, as
// from its page), transferring to another operator or department, closing with a result.

import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { errors } from "../../http/errors.ts";
import { isUniqueViolation, staffActor, TEXT_MAX } from "../../requests/core/index.ts";
import type { StoredFile } from "../../requests/files.ts";
import type { StaffUser } from "../../staff/service.ts";
import { count, WORDS } from "../../text/plural.ts";
import { type ChatState, chatConversations } from "./db-schema.ts";
import {
  attachmentsOf,
  checkOutgoing,
  loadConversation,
  type Outgoing,
  type Sent,
  setRequestStatus,
} from "./outgoing.ts";
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
import { writeMessage } from "./writer.ts";

export function canHandle(
  user: StaffUser,
  conv: Pick<Conversation, "operatorId" | "state" | "departmentId">,
  firstLineId: number | null,
): boolean {
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
      `У оператора уже ${count(chatSettings(ctx).maxChatsPerOperator, ...WORDS.chat)}: завершите один, чтобы принять новый.`,
    );
  }
  const next = { state: "operator" as ChatState, operatorId: operator.id, acceptedAt: new Date() };
  await tx.update(chatConversations).set(next).where(eq(chatConversations.id, conv.id));
  await ctx.requests.assign(tx, conv.requestId!, operator.id, staffActor(by), { takeIntoWork: true, channel: "chat" });
  await appendMessage(tx, conv.id, {
    author: "system",
    body: `Оператор ${firstName(operator.name)} на связи.`,
  });
  await announceState(tx, { ...conv, ...next });
}

export const firstName = (name: string) => name.split(" ")[0] ?? name;

export async function accept(ctx: AppContext, user: StaffUser, id: number, firstLineId: number | null) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "queued") throw errors.conflict("chat_taken", "Этот чат уже принят или завершён.");
    if (!canHandle(user, conv, firstLineId)) throw errors.notFound("chat");
    await takeInto(ctx, tx, conv, user, user);
  });
}

function mayWrite(user: StaffUser, conv: Pick<Conversation, "state" | "operatorId">) {
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
    // One transaction, shared with other messages by group commit.
    return await writeMessage(ctx, {
      conversationId: id,
      async check(tx) {
        const { conv, duplicateSeq } = await lockForMessage(tx, id, m.clientId);
        if (duplicateSeq === null) mayWrite(user, conv);
        return { conv, duplicateSeq };
      },
      async write(tx, { conv, duplicateSeq }): Promise<Sent> {
        if (duplicateSeq !== null) return { seq: duplicateSeq, duplicate: true };
        if (!conv.bot.answered) {
          await tx
            .update(chatConversations)
            .set({ bot: { ...conv.bot, answered: true } })
            .where(eq(chatConversations.id, id));
        }
        // An answer in the chat is an answer on the request, as from the request's page: the first response, taken
        // into work, in the history. The chat's own message points at it, so the delivery to this chat is not
        // repeated.
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
      },
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
          ? "Оператор завершил чат. Спасибо за обращение! Оценить ответ можно на странице обращения."
          : "Оператор завершил чат. Ответ придёт в обращение, номер которого указан выше.",
    });
    if (result === "resolved") await setRequestStatus(ctx, tx, conv.requestId!, "resolved", staffActor(user));
    await announceState(tx, { ...conv, ...next });
  });
}
