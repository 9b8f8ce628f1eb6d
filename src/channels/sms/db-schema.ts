// The SMS room's table: every text to send, composed in the transaction of the notification it carries, then sent by
// the «sms.send» job through the gateway. The number is encrypted; the text is dropped once the provider took it.
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "../../requests/schema.ts";
import { sealedText } from "../../security/sealed.ts";

export const smsOutbox = pgTable(
  "sms_outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // What the text announces («registered:<request>», «message:<id>», «history:<id>»): one SMS per change. Also the
    // idempotency key the provider receives, so a send repeated after a crash is one SMS.
    source: text("source").notNull(),
    kind: text("kind").notNull(),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    to: sealedText("sms_outbox", "to").notNull(),
    text: text("text"),
    segments: integer("segments").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    // Not before this time (the provider's Retry-After, or our back-off).
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    lastErrorCode: text("last_error_code"),
    providerId: text("provider_id"),
  },
  (t) => [uniqueIndex("sms_outbox_source_idx").on(t.source), index("sms_outbox_request_idx").on(t.requestId, t.id)],
);
