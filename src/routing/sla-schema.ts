// The tables of SLA, escalation, assignment and known incidents. Policies and rules are data that
// administrators edit; the clock's state lives on the request row (src/requests/schema.ts).
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { requests } from "../requests/schema.ts";
import { users } from "../staff/schema.ts";

/**
 * Targets by channel, category and priority; a null column matches anything. The most specific policy wins
 * (see `choosePolicy`), so the four channel defaults plus a few exceptions describe the whole service.
 */
export const slaPolicies = pgTable(
  "sla_policies",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    channel: text("channel"),
    category: text("category"),
    priority: text("priority"),
    firstResponseMinutes: integer("first_response_minutes").notNull(),
    firstResponseBasis: text("first_response_basis").$type<"calendar" | "working">().notNull(),
    resolutionMinutes: integer("resolution_minutes").notNull(),
    resolutionBasis: text("resolution_basis").$type<"calendar" | "working">().notNull(),
    note: text("note").notNull().default(""),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: integer("updated_by").references(() => users.id),
  },
  (t) => [
    uniqueIndex("sla_policies_scope_key").on(
      sql`coalesce(${t.channel}, '*')`,
      sql`coalesce(${t.category}, '*')`,
      sql`coalesce(${t.priority}, '*')`,
    ),
  ],
);

/**
 * Steps taken when a target is missed: `afterMinutes` (calendar) past the due time, in order. A request's
 * `sla_first_level` / `sla_resolution_level` count the steps of each trigger already taken.
 */
export const escalationRules = pgTable("escalation_rules", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  trigger: text("trigger").$type<"first_response" | "resolution">().notNull(),
  afterMinutes: integer("after_minutes").notNull(),
  action: text("action").$type<"notify_assignee" | "notify_supervisors" | "raise_priority" | "move_up">().notNull(),
  note: text("note").notNull().default(""),
});

/** Who is on shift now: automatic assignment gives work only to them. */
export const staffShifts = pgTable("staff_shifts", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  onShift: boolean("on_shift").notNull().default(false),
  changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
});

/** What an employee is told: SLA escalations, re-checks that came due. Titles carry numbers, never contacts. */
export const staffNotifications = pgTable(
  "staff_notifications",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    /** The history row this notice is about: one notice per employee per change, however often the job runs. */
    historyId: bigint("history_id", { mode: "number" }),
    /**
     * What the notice announces (`sla:<request>:<target>:<due>`, `recheck:<request>:<date>`…): one notice per
     * employee per event, even when two steps of the SLA ladder both reach the same person.
     */
    eventKey: text("event_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [
    index("staff_notifications_unread_idx").on(t.userId, t.id).where(sql`read_at is null`),
    uniqueIndex("staff_notifications_once_idx").on(t.userId, t.historyId).where(sql`history_id is not null`),
    uniqueIndex("staff_notifications_event_idx").on(t.userId, t.eventKey).where(sql`event_key is not null`),
  ],
);

/** What an employee chose not to hear about: the kinds of notices (NOTICE_KINDS) they turned off. */
export const staffNotificationSettings = pgTable("staff_notification_settings", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  muted: text("muted").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** A known outage declared by a supervisor: matching requests are linked and told the expected recovery. */
export const incidents = pgTable(
  "incidents",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    publicMessage: text("public_message").notNull(),
    since: timestamp("since", { withTimezone: true }).notNull(),
    expectedRecoveryAt: timestamp("expected_recovery_at", { withTimezone: true }),
    keywords: text("keywords").array().notNull().default(sql`'{}'::text[]`),
    categories: text("categories").array().notNull().default(sql`'{}'::text[]`),
    status: text("status").$type<"active" | "resolved">().notNull().default("active"),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolutionMessage: text("resolution_message"),
  },
  (t) => [index("incidents_active_idx").on(t.status)],
);

export const incidentRequests = pgTable(
  "incident_requests",
  {
    incidentId: integer("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    linkedAt: timestamp("linked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.requestId] }), index("incident_requests_request_idx").on(t.requestId)],
);
