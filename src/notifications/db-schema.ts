// The notification policy's tables: every notification decided for a contact (sent or held back, and why), which
// the hourly limit counts; and the contacts that asked to hear only what is essential. Contacts appear only as blind
// indexes: nothing here names a person.
import { bigint, boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "../requests/schema.ts";

export const notificationLog = pgTable(
  "notification_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // email | sms
    medium: text("medium").notNull(),
    // What the notification announces («registered:<request>», «message:<id>», «history:<id>»): one per medium.
    source: text("source").notNull(),
    // The blind index of the address or number (kind email or phone).
    contactHash: text("contact_hash").notNull(),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    // registered | reply | asked | escalated | incident | resolved
    kind: text("kind").notNull(),
    essential: boolean("essential").notNull(),
    // queued | unsubscribed | rate_limited
    outcome: text("outcome").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("notification_log_source_idx").on(t.medium, t.source),
    index("notification_log_contact_idx").on(t.contactHash, t.createdAt),
    index("notification_log_request_idx").on(t.requestId),
  ],
);

export const notificationOptOuts = pgTable(
  "notification_opt_outs",
  {
    medium: text("medium").notNull(),
    contactHash: text("contact_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.medium, t.contactHash] })],
);

/**
 * Short links for texts, where every character counts: `/s/<code>` opens the request's tracking page. The code is a
 * secret like the tracking token and is stored only as its SHA-256; it opens nothing once the request's link is gone.
 */
export const notificationShortLinks = pgTable(
  "notification_short_links",
  {
    codeHash: text("code_hash").primaryKey(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_short_links_request_idx").on(t.requestId)],
);
