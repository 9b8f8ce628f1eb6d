// The phone channel's tables: the call log (one row per call of the PBX), each event received once, the
// operator's verification of the caller and each line's queue thresholds.
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { requests } from "../../requests/schema.ts";
import { sealedText } from "../../security/sealed.ts";
import { users } from "../../staff/schema.ts";

export const phoneCalls = pgTable(
  "phone_calls",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** The PBX's callId: events of one call share it. */
    externalId: text("external_id").notNull(),
    direction: text("direction").notNull().default("in"),
    // Encrypted (the caller's number is on one side or the other); lookups by number use the blind indexes.
    fromNumber: sealedText("phone_calls", "from_number", { column: "from_hash", kind: "phone" }),
    fromHash: text("from_hash"),
    toNumber: sealedText("phone_calls", "to_number", { column: "to_hash", kind: "phone" }),
    toHash: text("to_hash"),
    /** The directory line dialled (by the `to` number), when known. */
    lineId: text("line_id"),
    queue: text("queue"),
    /** ringing → answered → ended; a hangup before any answer is «abandoned». */
    state: text("state").notNull().default("ringing"),
    userId: integer("user_id").references(() => users.id),
    answeringNumber: text("answering_number"),
    cause: text("cause"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp("answered_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "set null" }),
    /** The caller rang back after a dropped call and landed on the same request. */
    continued: boolean("continued").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("phone_calls_external_key").on(t.externalId),
    index("phone_calls_from_hash_idx").on(t.fromHash, t.startedAt),
    index("phone_calls_to_hash_idx").on(t.toHash),
    index("phone_calls_started_idx").on(t.startedAt),
    index("phone_calls_waiting_idx").on(t.queue).where(sql`state = 'ringing'`),
    index("phone_calls_request_idx").on(t.requestId),
  ],
);

/** Each (call, event) once: a PBX that repeats an event changes nothing the second time. */
export const phoneCallEvents = pgTable(
  "phone_call_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    externalId: text("external_id").notNull(),
    event: text("event").notNull(),
    /** Whether the event changed the call (an answer after the hangup does not). */
    applied: boolean("applied").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("phone_call_events_key").on(t.externalId, t.event)],
);

/** Who verified the caller, when, against which checklist items and account (never the values typed). */
export const phoneVerifications = pgTable(
  "phone_verifications",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    callId: bigint("call_id", { mode: "number" }).references(() => phoneCalls.id, { onDelete: "cascade" }),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    audience: text("audience").notNull(),
    topic: text("topic").notNull(),
    /** How each item held: confirmed, valid, match, invalid, mismatch, missing, noted. */
    items: jsonb("items").$type<Record<string, string>>().notNull(),
    passed: boolean("passed").notNull(),
    /** The portal account the answers were checked against, when they held: the one account actions may touch. */
    accountId: text("account_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("phone_verifications_call_idx").on(t.callId), index("phone_verifications_request_idx").on(t.requestId)],
);

/** A line's queue and the thresholds past which callers are offered the reserve line or a call-back. */
export const phoneLineSettings = pgTable("phone_line_settings", {
  lineId: text("line_id").primaryKey(),
  queue: text("queue"),
  maxWaiting: integer("max_waiting"),
  maxWaitSeconds: integer("max_wait_seconds"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A resolved request whose caller has no other way to hear of it (no address, and a number that takes no SMS, or no
 * SMS gateway): the IVR asks for the rating on the caller's next call from that number, once. Only the number's
 * blind index is kept.
 */
export const phoneRatingInvitations = pgTable(
  "phone_rating_invitations",
  {
    requestId: bigint("request_id", { mode: "number" })
      .primaryKey()
      .references(() => requests.id, { onDelete: "cascade" }),
    phoneHash: text("phone_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** The call that asked (the question is put once, answered or not). */
    askedAt: timestamp("asked_at", { withTimezone: true }),
    askedCallSid: text("asked_call_sid"),
  },
  (t) => [index("phone_rating_invitations_pending_idx").on(t.phoneHash).where(sql`asked_at is null`)],
);
