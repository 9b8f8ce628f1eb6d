// The chat channel's tables: one conversation per chat session (its request is registered with the first message)
// and its messages, numbered per conversation, each carrying the id its client gave it so a resend is recognised.
import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { messages, requests } from "../../requests/schema.ts";
import { sealedText } from "../../security/sealed.ts";
import { departments, users } from "../../staff/schema.ts";

/** bot → queued → operator → closed; bot → left (outside hours the transcript stays a request) or closed. */
export type ChatState = "bot" | "queued" | "operator" | "closed" | "left";

/** What the bot remembers between messages; `answered` once an operator has written in this chat. */
export type BotMemory = {
  clarified?: boolean;
  pending?: string;
  answered?: boolean;
  /** The bot has answered once: the outages going on then were told in that answer. */
  greeted?: boolean;
};

export const chatConversations = pgTable(
  "chat_conversations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // The applicant's session token; only its SHA-256 is kept.
    tokenHash: text("token_hash").notNull(),
    // The request's channel: «chat» for the web widget, or the messenger the conversation is held in (telegram).
    channel: text("channel").notNull().default("chat"),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "set null" }),
    state: text("state").$type<ChatState>().notNull().default("bot"),
    // Contact details given before the first message (encrypted); the request keeps them from then on.
    contactName: sealedText("chat_conversations", "contact_name"),
    contactEmail: sealedText("chat_conversations", "contact_email"),
    contactPhone: sealedText("chat_conversations", "contact_phone"),
    departmentId: integer("department_id").references(() => departments.id),
    operatorId: integer("operator_id").references(() => users.id),
    lastSeq: integer("last_seq").notNull().default(0),
    bot: jsonb("bot").$type<BotMemory>().notNull().default({}),
    result: text("result"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    queuedAt: timestamp("queued_at", { withTimezone: true }),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("chat_conversations_token_idx").on(t.tokenHash),
    index("chat_conversations_queue_idx").on(t.queuedAt).where(sql`state = 'queued'`),
    index("chat_conversations_operator_idx").on(t.operatorId).where(sql`state = 'operator'`),
    // A request's chat: every answer's delivery and the notification policy ask whether it is still open. A chat
    // registers a request of its own with its first message, so a request has one chat at most: an answer typed in
    // it needs no delivery to another.
    uniqueIndex("chat_conversations_request_idx").on(t.requestId),
  ],
);

export type ChatAttachment = { id: string; filename: string; contentType: string; size: number };
export type ChatArticle = { slug: string; title: string; snippet: string };
export type ChatPayload = {
  articles?: ChatArticle[];
  buttons?: ("helped" | "operator" | "leave")[];
  files?: ChatAttachment[];
  lines?: { number: string; title: string; hours: string; open: boolean | null }[];
  action?: string;
};

export const chatMessages = pgTable(
  "chat_messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: bigint("conversation_id", { mode: "number" })
      .notNull()
      .references(() => chatConversations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    // Given by the sending client (applicant or operator); the server's own messages get «srv-<seq>».
    clientId: text("client_id").notNull(),
    // applicant | bot | operator | system
    author: text("author").notNull(),
    authorId: integer("author_id").references(() => users.id),
    body: text("body").notNull(),
    payload: jsonb("payload").$type<ChatPayload>().notNull().default({}),
    // The same message in the request's transcript.
    messageId: bigint("message_id", { mode: "number" }).references(() => messages.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("chat_messages_seq_idx").on(t.conversationId, t.seq),
    uniqueIndex("chat_messages_client_idx").on(t.conversationId, t.clientId),
  ],
);

/** Files uploaded into a conversation, waiting to be referenced by a message. */
export const chatFiles = pgTable(
  "chat_files",
  {
    id: uuid("id").primaryKey(),
    conversationId: bigint("conversation_id", { mode: "number" })
      .notNull()
      .references(() => chatConversations.id, { onDelete: "cascade" }),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("chat_files_conversation_idx").on(t.conversationId)],
);
