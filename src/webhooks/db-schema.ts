// The outgoing webhooks' tables: the administrators' subscriptions and one row per (subscription, event) to deliver,
// claimed by the delivery worker with a lease like the outbox's events, and showing the last answer in the log.
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sealedText } from "../security/sealed.ts";
import { users } from "../staff/schema.ts";

export const webhookSubscriptions = pgTable("webhook_subscriptions", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  url: text("url").notNull(),
  events: jsonb("events").$type<string[]>().notNull(),
  includePersonalData: boolean("include_personal_data").notNull().default(false),
  // The signing key: shown once at subscription, kept encrypted, needed in clear to sign each delivery.
  secret: sealedText("webhook_subscriptions", "secret").notNull(),
  /** active: delivered; paused: by an administrator; disabled: by Otklik after persistent failure. */
  status: text("status").$type<"active" | "paused" | "disabled">().notNull().default("active"),
  disabledAt: timestamp("disabled_at", { withTimezone: true }),
  createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    subscriptionId: integer("subscription_id")
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: "cascade" }),
    /** `X-Otklik-Delivery`: the same on every attempt, so the receiver can drop a repeat. */
    deliveryId: text("delivery_id").notNull(),
    /** The outbox event it came from. */
    eventId: bigint("event_id", { mode: "number" }).notNull(),
    type: text("type").notNull(),
    /** What deliveries are kept in order by: `request:<id>`, `incident:<id>`, `call:<id>`. */
    subject: text("subject").notNull(),
    /** The exact body sent on every attempt; encrypted, since it may carry contacts. */
    body: sealedText("webhook_deliveries", "body").notNull(),
    personalData: boolean("personal_data").notNull().default(false),
    status: text("status").$type<"pending" | "delivered" | "failed">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    /** Retried until then; a delivery still failing past it is given up and its subscription disabled. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastStatus: integer("last_status"),
    lastDurationMs: integer("last_duration_ms"),
    lastError: text("last_error"),
    lastResponse: text("last_response"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_key").on(t.subscriptionId, t.eventId, t.type),
    uniqueIndex("webhook_deliveries_delivery_key").on(t.deliveryId),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index("webhook_deliveries_subject_idx").on(t.subscriptionId, t.subject, t.eventId).where(sql`status = 'pending'`),
    index("webhook_deliveries_log_idx").on(t.subscriptionId, t.id),
  ],
);
