// The e-mail channel's tables: every raw letter received (kept before anything else happens to it) and every
// letter to send (composed in the transaction of the change it announces).
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { messages, requests } from "../../requests/schema.ts";
import { sealedBytes, sealedJson, sealedText } from "../../security/sealed.ts";

export type InboxEnvelope = { mailFrom: string; rcptTo: string[]; remoteAddress: string; via: "smtp" | "imap" };

/** What became of one attachment: stored as a request file, or kept only inside the raw letter. */
export type InboxAttachment = {
  filename: string;
  contentType: string;
  size: number;
  /** The request file, when it was stored and may be downloaded. */
  fileId?: string;
  flagged?: string;
  /** Why the file was not stored as a request file (too large, a type the registry does not serve). */
  refused?: string;
};

export const emailInbox = pgTable(
  "email_inbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // The letter as received and its SMTP envelope, both encrypted: they name the sender.
    raw: sealedBytes("email_inbox", "raw").notNull(),
    size: integer("size").notNull(),
    envelope: sealedJson<InboxEnvelope>("email_inbox", "envelope").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    // Filled by processing. A redelivered letter (same Message-ID, same sender) keeps neither: it points
    // at the first copy through duplicate_of, so the unique index below holds one row per letter.
    messageId: text("message_id"),
    // Encrypted; a redelivery is recognised by the blind index of the sender.
    fromAddress: sealedText("email_inbox", "from_address", { column: "from_hash", kind: "email" }),
    fromHash: text("from_hash"),
    subject: text("subject"),
    threadIds: jsonb("thread_ids").$type<string[]>().notNull().default([]),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    // new | reply | keep_only | duplicate | failed
    outcome: text("outcome"),
    reason: text("reason"),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "set null" }),
    messageRowId: bigint("message_row_id", { mode: "number" }).references(() => messages.id, {
      onDelete: "set null",
    }),
    duplicateOf: bigint("duplicate_of", { mode: "number" }),
    flags: text("flags").array().notNull().default(sql`'{}'::text[]`),
    attachments: jsonb("attachments").$type<InboxAttachment[]>().notNull().default([]),
    // The tracking token of the request this letter opened, encrypted under the data keys: the registry keeps
    // only its hash, and the resolution letter must carry the link again.
    trackingSealed: sealedText("email_inbox", "tracking_sealed"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [
    uniqueIndex("email_inbox_message_sender_idx").on(t.messageId, t.fromHash),
    index("email_inbox_request_idx").on(t.requestId, t.id),
    index("email_inbox_pending_idx").on(t.id).where(sql`processed_at is null`),
  ],
);

export const emailOutbox = pgTable(
  "email_outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // What the letter announces («ack:<inbox id>», «message:<id>», «history:<id>»): one letter per change.
    source: text("source").notNull(),
    kind: text("kind").notNull(),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    // Made before sending, so a retry after a crash sends the same Message-ID.
    messageId: text("message_id").notNull(),
    to: sealedText("email_outbox", "to").notNull(),
    subject: text("subject").notNull(),
    // Dropped once the letter is sent: the request's own messages hold what was said.
    text: text("text"),
    inReplyTo: text("in_reply_to"),
    references: jsonb("references").$type<string[]>().notNull().default([]),
    auto: boolean("auto").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    lastErrorCode: text("last_error_code"),
  },
  (t) => [
    uniqueIndex("email_outbox_source_idx").on(t.source),
    uniqueIndex("email_outbox_message_idx").on(t.messageId),
    index("email_outbox_request_idx").on(t.requestId, t.id),
  ],
);
