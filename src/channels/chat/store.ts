// The chat's SQL: conversations and their numbered messages. A message takes the next number of its conversation
// under the conversation's row lock, so numbers have no gaps and no two messages share one.
import { and, asc, eq, getTableColumns, gt, inArray, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../../db/client.ts";
import { driverColumns, driverQuery } from "../../db/driver.ts";
import { EVENTS_CHANNEL_SQL, emit, rowsOf } from "../../db/outbox.ts";
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

/**
 * What a message, a handshake and the hub need of a conversation: everything but the applicant's contacts, which are
 * stored encrypted and would cost a decryption each on the hottest paths.
 */
export type ConversationState = Omit<Conversation, "contactName" | "contactEmail" | "contactPhone">;
const {
  contactName: _name,
  contactEmail: _email,
  contactPhone: _phone,
  ...stateColumns
} = getTableColumns(chatConversations);

/** The conversation a chat token opens (its id only). */
export async function conversationIdByTokenHash(db: Queryable, hash: string): Promise<number | undefined> {
  const [row] = await db
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(eq(chatConversations.tokenHash, hash));
  return row?.id;
}

/** Conversations without their contacts, with the operator's name, by id: one statement for many. */
export async function conversationStates(db: Queryable, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ ...stateColumns, operatorName: users.name })
    .from(chatConversations)
    .leftJoin(users, eq(users.id, chatConversations.operatorId))
    .where(inArray(chatConversations.id, ids));
}

export async function lockConversation(tx: Tx, id: number): Promise<Conversation> {
  const [row] = await tx.select().from(chatConversations).where(eq(chatConversations.id, id)).for("update");
  if (!row) throw errors.notFound("chat");
  return row;
}

/**
 * The conversation's row lock and, in the same statement, the number of a message it already holds under this
 * client id (a resend), or null.
 */
export async function lockForMessage(tx: Tx, id: number, clientId: string) {
  const [row] = await driverQuery<Record<string, unknown>>(tx, LOCK_FOR_MESSAGE, [id, clientId], "otklik_chat_lock");
  if (!row) throw errors.notFound("chat");
  const duplicateSeq = row.duplicate_seq;
  return {
    conv: conversationState.map(row),
    duplicateSeq: duplicateSeq === null || duplicateSeq === undefined ? null : Number(duplicateSeq),
  };
}

const conversationState = driverColumns<ConversationState>(stateColumns);
/** The lock with the resend check, its text written once (every chat message's first statement). */
export const LOCK_FOR_MESSAGE = `select ${conversationState.list},
    (select m.seq from chat_messages m where m.conversation_id = c.id and m.client_id = $2::text) as duplicate_seq
  from chat_conversations c where c.id = $1::int for update`;

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
 * The largest NOTIFY text that carries the message itself (PostgreSQL refuses 8,000 bytes and more): a longer one —
 * a long line in Cyrillic, a bot's answer with its articles — is announced by ids, and the hub reads it back.
 */
export const NOTICE_MAX_BYTES = 7900;

/**
 * Appends a message under the conversation's lock (the caller holds it) and announces it, in one statement: the next
 * number of the conversation, the row (pointing at its line among the request's messages, written first by the request
 * core), and the NOTIFY, sent at commit. The NOTIFY carries the message as stored when it fits in `NOTICE_MAX_BYTES`
 * (every process pushes it without reading it back), its ids otherwise. The push has no outbox row: the numbered
 * message is the durable record, and a client that missed a push catches up by `since`.
 */
export async function appendMessage(tx: Tx, conversationId: number, m: NewChatMessage): Promise<ChatMessageRow> {
  const authorId = m.authorId ?? null;
  const [row] = await driverQuery<{ id: number; seq: number; clientId: string; created_at: Date; messageId: unknown }>(
    tx,
    APPEND_CHAT_MESSAGE,
    [
      conversationId,
      m.clientId ?? null,
      m.author,
      authorId,
      m.body,
      JSON.stringify(m.payload ?? {}),
      m.messageId ?? null,
    ],
    "otklik_chat_append",
  );
  if (!row) throw new Error("chat: the append returned no row");
  return {
    id: Number(row.id),
    conversationId,
    seq: row.seq,
    clientId: row.clientId,
    author: m.author,
    authorId,
    body: m.body,
    payload: m.payload ?? {},
    messageId: row.messageId === null ? null : Number(row.messageId),
    createdAt: new Date(row.created_at),
  };
}

/**
 * The append's statement, its text written once: $1 the conversation, $2 the client's id (null: the server numbers
 * it), $3 the author, $4 the employee, $5 the text, $6 the payload, $7 the request's message it shows. Exported for
 * the chat benchmark's raw side, which sends it straight to the driver.
 */
export const APPEND_CHAT_MESSAGE = `with s as (
    update chat_conversations set last_seq = last_seq + 1 where id = $1::int returning last_seq
  ), i as (
    insert into chat_messages (conversation_id, seq, client_id, author, author_id, body, payload, message_id)
    select $1::int, s.last_seq, coalesce($2::text, 'srv-' || s.last_seq), $3::text, $4::int, $5::text, $6::jsonb,
      $7::bigint
    from s
    returning id, seq, client_id, created_at, message_id
  ), n as (
    select i.*, json_build_object('id', 0, 'topic', '${MESSAGE_TOPIC}'::text, 'data', json_build_object(
      'conversationId', $1::int, 'seq', i.seq, 'message', json_build_object(
        'id', i.id, 'clientId', i.client_id, 'author', $3::text, 'authorId', $4::int,
        'authorName', (select u.name from users u where u.id = $4::int), 'body', $5::text,
        'payload', $6::jsonb, 'messageId', i.message_id, 'createdAt', i.created_at)))::text as notice
    from i
  )
  select n.id, n.seq, n.client_id as "clientId", n.created_at, n.message_id as "messageId",
    pg_notify(${EVENTS_CHANNEL_SQL}, case when octet_length(n.notice) < ${NOTICE_MAX_BYTES}
      then n.notice
      else json_build_object('id', 0, 'topic', '${MESSAGE_TOPIC}'::text,
        'data', json_build_object('conversationId', $1::int, 'seq', n.seq))::text end) as notified
  from n`;

/** The message a `chat.message` notification carries, or null when it carries ids only (or something unexpected). */
export function messageOfNotice(conversationId: number, data: Record<string, unknown>): MessageWithName | null {
  const m = data.message as Record<string, unknown> | undefined;
  if (!m || typeof m !== "object" || typeof data.seq !== "number" || typeof m.body !== "string") return null;
  const createdAt = new Date(String(m.createdAt));
  if (Number.isNaN(createdAt.getTime())) return null;
  return {
    id: Number(m.id),
    conversationId,
    seq: data.seq,
    clientId: String(m.clientId),
    author: String(m.author),
    authorId: m.authorId === null || m.authorId === undefined ? null : Number(m.authorId),
    body: m.body,
    payload: (m.payload ?? {}) as ChatPayload,
    messageId: m.messageId === null || m.messageId === undefined ? null : Number(m.messageId),
    createdAt,
    authorName: typeof m.authorName === "string" ? m.authorName : null,
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

/**
 * The messages after `since` of several conversations in one statement (at most `limit` each), in each conversation's
 * order: the catch-up reads of many clients connecting at once cost one round trip, not one each.
 */
export async function messagesSinceMany(
  db: Queryable,
  wants: { conversationId: number; since: number }[],
  limit = 500,
): Promise<Map<number, MessageWithName[]>> {
  const out = new Map<number, MessageWithName[]>(wants.map((w) => [w.conversationId, []]));
  if (wants.length === 0) return out;
  const rows = rowsOf<{
    id: unknown;
    conversation_id: unknown;
    seq: number;
    client_id: string;
    author: string;
    author_id: number | null;
    body: string;
    payload: ChatPayload;
    message_id: unknown;
    created_at: Date | string;
    author_name: string | null;
  }>(
    await db.execute(sql`
      select m.id, m.conversation_id, m.seq, m.client_id, m.author, m.author_id, m.body, m.payload, m.message_id,
        m.created_at, u.name as author_name
      from unnest(${`{${wants.map((w) => w.conversationId).join(",")}}`}::bigint[],
        ${`{${wants.map((w) => w.since).join(",")}}`}::int[]) as f(id, since)
      cross join lateral (
        select * from ${chatMessages} c where c.conversation_id = f.id and c.seq > f.since order by c.seq limit ${limit}
      ) m
      left join ${users} u on u.id = m.author_id
      order by m.conversation_id, m.seq`),
  );
  for (const r of rows) {
    const conversationId = Number(r.conversation_id);
    out.get(conversationId)?.push({
      id: Number(r.id),
      conversationId,
      seq: Number(r.seq),
      clientId: r.client_id,
      author: r.author,
      authorId: r.author_id === null ? null : Number(r.author_id),
      body: r.body,
      payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as ChatPayload) : r.payload,
      messageId: r.message_id === null ? null : Number(r.message_id),
      createdAt: new Date(r.created_at),
      authorName: r.author_name,
    });
  }
  return out;
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
