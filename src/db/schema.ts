// Every table of Otklik: each room owns its tables; this file gathers them for Drizzle and its migrations.
import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export * from "../analytics/db-schema.ts";
export * from "../applicants/db-schema.ts";
export * from "../audit/db-schema.ts";
export * from "../channels/chat/db-schema.ts";
export * from "../channels/email/db-schema.ts";
export * from "../channels/max/db-schema.ts";
export * from "../channels/messenger/db-schema.ts";
export * from "../channels/phone/db-schema.ts";
export * from "../channels/sms/db-schema.ts";
export * from "../channels/vk/db-schema.ts";
export * from "../directory/db-schema.ts";
export * from "../files/db-schema.ts";
export * from "../knowledge/db-schema.ts";
export * from "../notifications/db-schema.ts";
export * from "../portal/db-schema.ts";
export * from "../requests/schema.ts";
export * from "../routing/db-schema.ts";
export * from "../routing/sla-schema.ts";
export * from "../staff/schema.ts";
export * from "../webhooks/db-schema.ts";

/**
 * The outbox: written in the same transaction as the change it announces. Rows are claimed by one worker
 * (FOR UPDATE SKIP LOCKED) for side effects that must happen exactly once; the NOTIFY sent in the same
 * transaction wakes every process for realtime pushes, and arrives only if the transaction commits.
 */
export const events = pgTable(
  "events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    topic: text("topic").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    // A worker's lease on the row: a worker that dies mid-job lets another take it after this time.
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("events_pending_idx").on(t.id).where(sql`processed_at is null`)],
);

/** Small key/value settings kept by the server itself (e.g. its signing secret). */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
