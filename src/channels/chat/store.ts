// The chat's SQL: conversations and their numbered messages. A message takes the next number of its conversation
// under the conversation's row lock, so numbers have no gaps and no two messages share one.
import { and, asc, eq, getTableColumns, gt, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../../db/client.ts";
import { EVENTS_CHANNEL, emit, rowsOf } from "../../db/outbox.ts";
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

/**
 * The conversation's row lock and, in the same statement, the number of a message it already holds under this
 * client id (a resend), or null.
 */
export async function lockForMessage(tx: Tx, id: number, clientId: string) {
  const [row] = await tx
    .select({
      ...getTableColumns(chatConversations),
      duplicateSeq: sql<number | null>`(select m.seq from ${chatMessages} m
        where m.conversation_id = ${chatConversations.id} and m.client_id = ${clientId})`,
    })
    .from(chatConversations)
    .where(eq(chatConversations.id, id))
    .for("update");
  if (!row) throw errors.notFound("Чат");
  const { duplicateSeq, ...conv } = row;
  return { conv: conv as Conversation, duplicateSeq: duplicateSeq === null ? null : Number(duplicateSeq) };
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

/**
 * Appends a message under the conversation's lock (the caller holds it) and announces it by ids, in one statement: the
 * next number of the conversation, the row (pointing at its line among the request's messages, written first by the
 * request core), and the NOTIFY, sent at commit. The push has no outbox row: the numbered message is the durable
 * record, and a client that missed a push catches up by `since`.
 */
export async function appendMessage(tx: Tx, conversationId: number, m: NewChatMessage): Promise<ChatMessageRow> {
  const inserted = await tx.execute<ChatMessageRow & { created_at: Date }>(sql`
    with s as (
      update ${chatConversations} set last_seq = last_seq + 1 where id = ${conversationId} returning last_seq
    ), i as (
      insert into ${chatMessages} (conversation_id, seq, client_id, author, author_id, body, payload, message_id)
      select ${conversationId}, s.last_seq, coalesce(${m.clientId ?? null}::text, 'srv-' || s.last_seq), ${m.author},
        ${m.authorId ?? null}::int, ${m.body}, ${JSON.stringify(m.payload ?? {})}::jsonb, ${m.messageId ?? null}::bigint
      from s
      returning id, seq, client_id, created_at, message_id
    )
    select i.id, i.seq, i.client_id as "clientId", i.created_at, i.message_id as "messageId",
      pg_notify(${EVENTS_CHANNEL}, json_build_object('id', 0, 'topic', ${MESSAGE_TOPIC}::text,
        'data', json_build_object('conversationId', ${conversationId}::int, 'seq', i.seq))::text) as notified
    from i`);
  const row = rowsOf<{ id: number; seq: number; clientId: string; created_at: Date; messageId: unknown }>(inserted)[0]!;
  return {
    id: Number(row.id),
    conversationId,
    seq: row.seq,
    clientId: row.clientId,
    author: m.author,
    authorId: m.authorId ?? null,
    body: m.body,
    payload: m.payload ?? {},
    messageId: row.messageId === null ? null : Number(row.messageId),
    createdAt: new Date(row.created_at),
  };
}

/** Whether the conversation already shows this message of its request (a delivery repeated by the outbox). */
export async function showsMessage(db: Queryable, conversationId: number, messageId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: chatMessages.id })
    .from(chatMessages)
    .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.messageId, messageId)))
    .limit(1);
  return Boolean(row);
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
