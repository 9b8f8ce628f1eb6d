// The chat's SQL: conversations and their numbered messages. A message takes the next number of its conversation
// under the conversation's row lock, so numbers have no gaps and no two messages share one.
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import { users } from "../../staff/schema.ts";
import { type ChatPayload, chatConversations, chatFiles, chatMessages } from "./db-schema.ts";

export type Conversation = typeof chatConversations.$inferSelect;
export type ChatMessageRow = typeof chatMessages.$inferSelect;

export const MESSAGE_TOPIC = "chat.message";
export const STATE_TOPIC = "chat.state";

export async function conversationById(db: Queryable, id: number): Promise<Conversation | undefined> {
  const [row] = await db.select().from(chatConversations).where(eq(chatConversations.id, id));
  return row;
}

export async function conversationByTokenHash(db: Queryable, hash: string): Promise<Conversation | undefined> {
  const [row] = await db.select().from(chatConversations).where(eq(chatConversations.tokenHash, hash));
  return row;
}

export async function lockConversation(tx: Tx, id: number): Promise<Conversation> {
  const [row] = await tx.select().from(chatConversations).where(eq(chatConversations.id, id)).for("update");
  if (!row) throw errors.notFound("Чат");
  return row;
}

export async function messageByClientId(db: Queryable, conversationId: number, clientId: string) {
  const [row] = await db
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.clientId, clientId)));
  return row;
}

export type NewChatMessage = {
  clientId?: string;
  author: "applicant" | "bot" | "operator" | "system";
  authorId?: number | null;
  body: string;
  payload?: ChatPayload;
  messageId?: number | null;
};

/** Appends a message under the conversation's lock (the caller holds it) and announces it by ids. */
export async function appendMessage(tx: Tx, conversationId: number, m: NewChatMessage): Promise<ChatMessageRow> {
  const [c] = await tx
    .update(chatConversations)
    .set({ lastSeq: sql`${chatConversations.lastSeq} + 1` })
    .where(eq(chatConversations.id, conversationId))
    .returning({ seq: chatConversations.lastSeq });
  const seq = c!.seq;
  const [row] = await tx
    .insert(chatMessages)
    .values({
      conversationId,
      seq,
      clientId: m.clientId ?? `srv-${seq}`,
      author: m.author,
      authorId: m.authorId ?? null,
      body: m.body,
      payload: m.payload ?? {},
      messageId: m.messageId ?? null,
    })
    .returning();
  await emit(tx, MESSAGE_TOPIC, { conversationId, seq });
  return row!;
}

export async function announceState(tx: Tx, conv: Pick<Conversation, "id" | "state" | "departmentId" | "operatorId">) {
  await emit(tx, STATE_TOPIC, {
    conversationId: conv.id,
    state: conv.state,
    departmentId: conv.departmentId,
    operatorId: conv.operatorId,
  });
}

export type MessageWithName = ChatMessageRow & { authorName: string | null };

export async function messagesSince(db: Queryable, conversationId: number, since: number, limit = 500) {
  return (await db
    .select({
      id: chatMessages.id,
      conversationId: chatMessages.conversationId,
      seq: chatMessages.seq,
      clientId: chatMessages.clientId,
      author: chatMessages.author,
      authorId: chatMessages.authorId,
      body: chatMessages.body,
      payload: chatMessages.payload,
      messageId: chatMessages.messageId,
      createdAt: chatMessages.createdAt,
      authorName: users.name,
    })
    .from(chatMessages)
    .leftJoin(users, eq(users.id, chatMessages.authorId))
    .where(and(eq(chatMessages.conversationId, conversationId), gt(chatMessages.seq, since)))
    .orderBy(asc(chatMessages.seq))
    .limit(limit)) as MessageWithName[];
}

export async function uploadedFiles(db: Queryable, conversationId: number, ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(chatFiles)
    .where(and(eq(chatFiles.conversationId, conversationId), inArray(chatFiles.id, ids)));
  if (rows.length !== new Set(ids).size)
    throw errors.validation("Файл не найден: загрузите его снова.", { field: "files" });
  return ids.map((id) => rows.find((r) => r.id === id)!);
}
