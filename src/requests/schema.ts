import { sql } from "drizzle-orm";
import {
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { sealedText } from "../security/sealed.ts";
import { departments, users } from "../staff/schema.ts";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const requestNumberSeq = pgSequence("request_number_seq", { startWith: 100001 });

export const requests = pgTable(
  "requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    number: text("number").notNull().unique(),
    trackingTokenHash: text("tracking_token_hash").notNull().unique(),
    idempotencyKey: text("idempotency_key"),
    idempotencyHash: text("idempotency_hash"),
    subject: text("subject").notNull().default(""),
    category: text("category"),
    categoryConfidence: real("category_confidence"),
    categorySource: text("category_source"),
    audience: text("audience").notNull().default("citizen"),
    region: text("region"),
    channel: text("channel").notNull(),
    priority: text("priority").notNull().default("normal"),
    status: text("status").notNull().default("new"),
    departmentId: integer("department_id").references(() => departments.id),
    assigneeId: integer("assignee_id").references(() => users.id),
    // The applicant's contacts are stored encrypted (src/security); lookups compare the blind indexes beside them.
    contactName: sealedText("requests", "contact_name"),
    contactEmail: sealedText("requests", "contact_email", { column: "contact_email_hash", kind: "email" }),
    contactEmailHash: text("contact_email_hash"),
    contactPhone: sealedText("requests", "contact_phone", { column: "contact_phone_hash", kind: "phone" }),
    contactPhoneHash: text("contact_phone_hash"),
    firstResponseDueAt: timestamp("first_response_due_at", { withTimezone: true }),
    resolutionDueAt: timestamp("resolution_due_at", { withTimezone: true }),
    firstRespondedAt: timestamp("first_responded_at", { withTimezone: true }),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    rating: smallint("rating"),
    ratingComment: text("rating_comment"),
    ratedAt: timestamp("rated_at", { withTimezone: true }),
    // The SLA clock (src/routing/sla-clock.ts): each target's basis, time paused while waiting for the applicant,
    // escalation steps already taken per target, and an operator's re-check date.
    firstResponseBasis: text("first_response_basis"),
    resolutionBasis: text("resolution_basis"),
    slaPausedAt: timestamp("sla_paused_at", { withTimezone: true }),
    slaPausedMinutes: integer("sla_paused_minutes").notNull().default(0),
    slaPausedWorkingMinutes: integer("sla_paused_working_minutes").notNull().default(0),
    slaFirstLevel: smallint("sla_first_level").notNull().default(0),
    slaResolutionLevel: smallint("sla_resolution_level").notNull().default(0),
    recheckAt: timestamp("recheck_at", { withTimezone: true }),
    recheckUserId: integer("recheck_user_id").references(() => users.id),
    // Russian full-text over subject and the applicant's words; kept current by the service on each message.
    search: tsvector("search"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("requests_idempotency_key").on(t.idempotencyKey),
    index("requests_status_idx").on(t.status, t.createdAt),
    index("requests_department_idx").on(t.departmentId, t.status),
    index("requests_assignee_idx").on(t.assigneeId, t.status),
    index("requests_email_hash_idx").on(t.contactEmailHash),
    index("requests_phone_hash_idx").on(t.contactPhoneHash),
    index("requests_search_idx").using("gin", t.search),
    index("requests_created_idx").on(t.createdAt),
    index("requests_sla_open_idx").on(t.resolutionDueAt).where(sql`status not in ('resolved', 'closed')`),
    index("requests_sla_first_idx")
      .on(t.firstResponseDueAt)
      .where(sql`first_responded_at is null and status not in ('resolved', 'closed')`),
    index("requests_recheck_idx").on(t.recheckAt).where(sql`recheck_at is not null`),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    // public: seen by the applicant; note: internal, staff only.
    visibility: text("visibility").notNull(),
    authorType: text("author_type").notNull(),
    authorId: integer("author_id").references(() => users.id),
    body: text("body").notNull(),
    channel: text("channel").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("messages_request_idx").on(t.requestId, t.id)],
);

export const attachments = pgTable(
  "attachments",
  {
    // Random id: attachment links cannot be guessed from one another.
    id: uuid("id").primaryKey(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    messageId: bigint("message_id", { mode: "number" }).references(() => messages.id, {
      onDelete: "cascade",
    }),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("attachments_request_idx").on(t.requestId)],
);

export const requestHistory = pgTable(
  "request_history",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    actorType: text("actor_type").notNull(),
    actorId: integer("actor_id").references(() => users.id),
    action: text("action").notNull(),
    changes: jsonb("changes").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("request_history_request_idx").on(t.requestId, t.id)],
);
