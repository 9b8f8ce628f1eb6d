// The messengers' tables: the applicant's chat in a messenger (its id encrypted, found by a blind index), the chat
// conversations it had with Otklik, what waits to be sent to it, and where each messenger's update stream stands.
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "../../requests/schema.ts";
import { sealedText } from "../../security/sealed.ts";
import { chatConversations } from "../chat/db-schema.ts";
import type { Button } from "./port.ts";

export const messengerContacts = pgTable(
  "messenger_contacts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // telegram, vk or max
    channel: text("channel").notNull(),
    // The blind index of «<channel>:<chat id>», also the applicant record's «messenger» contact.
    chatHash: text("chat_hash").notNull(),
    chatId: sealedText("messenger_contacts", "chat_id").notNull(),
    name: sealedText("messenger_contacts", "name"),
    // The chat conversation a new message goes to.
    conversationId: bigint("conversation_id", { mode: "number" }).references(() => chatConversations.id, {
      onDelete: "set null",
    }),
    // The user blocked the bot: nothing is sent until they write again.
    undeliverableAt: timestamp("undeliverable_at", { withTimezone: true }),
    // One process sends to a chat at a time, in order: it holds this lease while it sends.
    sendingUntil: timestamp("sending_until", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("messenger_contacts_chat_idx").on(t.channel, t.chatHash)],
);

/** Which messenger chat a chat conversation (and so its request) belongs to. */
export const messengerThreads = pgTable(
  "messenger_threads",
  {
    conversationId: bigint("conversation_id", { mode: "number" })
      .primaryKey()
      .references(() => chatConversations.id, { onDelete: "cascade" }),
    contactId: bigint("contact_id", { mode: "number" })
      .notNull()
      .references(() => messengerContacts.id, { onDelete: "cascade" }),
    // The conversation's lines up to this number went to the messenger (or were the applicant's own).
    relayedSeq: integer("relayed_seq").notNull().default(0),
  },
  (t) => [index("messenger_threads_contact_idx").on(t.contactId)],
);

export type OutboxFile = { id: string; filename: string; contentType: string };

/** Every message to send to a messenger chat, in order, once per source (a message, a history row, a notice). */
export const messengerOutbox = pgTable(
  "messenger_outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    contactId: bigint("contact_id", { mode: "number" })
      .notNull()
      .references(() => messengerContacts.id, { onDelete: "cascade" }),
    source: text("source").notNull(),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    text: text("text"),
    buttons: jsonb("buttons").$type<Button[][]>(),
    files: jsonb("files").$type<OutboxFile[]>().notNull().default([]),
    // How many of the message's parts (texts cut at the limit, then files) went already.
    partsSent: integer("parts_sent").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    lastErrorCode: text("last_error_code"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("messenger_outbox_source_idx").on(t.contactId, t.source),
    index("messenger_outbox_pending_idx").on(t.contactId, t.id),
  ],
);

/** Where a messenger's update stream stands (Telegram's getUpdates offset), so a restart reads on from there. */
export const messengerCursors = pgTable("messenger_cursors", {
  channel: text("channel").primaryKey(),
  position: bigint("position", { mode: "number" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
