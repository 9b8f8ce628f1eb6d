import { getTableColumns, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { sealedText } from "../security/sealed.ts";
import { departments, users } from "../staff/schema.ts";

/**
 * When a request next needs someone's action: the first-response due time until someone answered (or the resolution
 * due time, if earlier), then the resolution due time; never for a request that waits for the applicant or is done.
 * Written on the bare columns so the expression indexes below and the queue's queries are one expression.
 */
export function actionDueSql(table = "") {
  const c = (name: string) => (table ? `"${table}"."${name}"` : name);
  return sql.raw(
    `coalesce(case when ${c("status")} in ('resolved', 'closed', 'waiting') then null when ${c("first_responded_at")} is null then least(${c("first_response_due_at")}, ${c("resolution_due_at")}) else ${c("resolution_due_at")} end, 'infinity'::timestamptz)`,
  );
}
const ACTION_DUE_SQL = actionDueSql();

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const requestNumberSeq = pgSequence("request_number_seq", { startWith: 100001 });

export const requests = pgTable(
  "requests",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    number: text("number").notNull().unique(),
    trackingTokenHash: text("tracking_token_hash").notNull().unique(),
    // The tracking token itself, encrypted: the news sent later (a resolution with the invitation to rate, an SMS)
    // carries the link again. Lookups still go by the hash.
    trackingSealed: sealedText("requests", "tracking_sealed"),
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
    contactName: sealedText("requests", "contact_name", { column: "contact_name_hash", kind: "name" }),
    // The name's words, each as a blind index, separated by spaces: a search by surname or first name matches words.
    contactNameHash: text("contact_name_hash"),
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
    // A duplicate merged into another request: closed, its messages and files moved there; its number leads there.
    mergedIntoId: bigint("merged_into_id", { mode: "number" }).references((): AnyPgColumn => requests.id, {
      onDelete: "set null",
    }),
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
    index("requests_name_words_idx").using("gin", sql`string_to_array(${t.contactNameHash}, ' ')`),
    index("requests_search_idx").using("gin", t.search),
    index("requests_created_idx").on(t.createdAt),
    index("requests_sla_open_idx").on(t.resolutionDueAt).where(sql`status not in ('resolved', 'closed')`),
    index("requests_sla_first_idx")
      .on(t.firstResponseDueAt)
      .where(sql`first_responded_at is null and status not in ('resolved', 'closed')`),
    index("requests_recheck_idx").on(t.recheckAt).where(sql`recheck_at is not null`),
    // The queue's order «what needs action first» (src/requests/queue/order.ts: ACTION_DUE) and its keyset pages:
    // every view reads this index from the start; «mine», one status and «uncategorised» have their own slices of it.
    index("requests_queue_due_idx").on(sql`(${ACTION_DUE_SQL})`, t.id),
    index("requests_queue_assignee_due_idx").on(t.assigneeId, sql`(${ACTION_DUE_SQL})`, t.id),
    // A view of one status («waiting for the applicant») reads its slice in order.
    index("requests_queue_status_due_idx").on(t.status, sql`(${ACTION_DUE_SQL})`, t.id),
    // The views' counters within an operator's scope, read from this index alone (an index-only scan): the scope's
    // columns first, then what the views filter by, overdue included.
    index("requests_queue_scope_idx").on(
      t.status,
      t.departmentId,
      t.assigneeId,
      t.category,
      t.firstRespondedAt,
      t.firstResponseDueAt,
      t.resolutionDueAt,
      t.id,
    ),
    index("requests_queue_triage_due_idx").on(sql`(${ACTION_DUE_SQL})`, t.id).where(sql`category is null`),
  ],
);

/**
 * The request's columns as its row is read (everything but the search vector, which only the database reads and which
 * grows with every message: a row lock read it back whole for each line of a chat).
 */
const { search: _search, ...requestColumns } = getTableColumns(requests);

export { requestColumns };

/** A request as its row is read (`requestColumns`). */
export type RequestRow = Omit<typeof requests.$inferSelect, "search">;

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
    /**
     * The request the message was written on, when a merge moved it here (the first one, through a chain of merges).
     * The tracking page shows such a message only when that request is the same applicant's (no key: it outlives
     * the request's purge, and a request it cannot find is another applicant's).
     */
    mergedFrom: bigint("merged_from", { mode: "number" }),
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

/**
 * Employees who follow a request they no longer hold: whoever escalated it or wrote a note in it keeps seeing it (the
 * scope of src/requests/scope.ts) and hears of its changes.
 */
export const requestWatchers = pgTable(
  "request_watchers",
  {
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** escalated | noted */
    reason: text("reason").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.userId] }), index("request_watchers_user_idx").on(t.userId)],
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

/**
 * Tracking links issued after registration (the applicant asked for theirs again): each opens the request as the first
 * one does, which stays valid. Only the SHA-256 of a token is stored.
 */
export const trackingTokens = pgTable(
  "request_tracking_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    requestId: bigint("request_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    // What asked for it («lookup:<event id>»): the same source issues one link, however often its job runs.
    source: text("source").notNull().unique(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("request_tracking_tokens_request_idx").on(t.requestId)],
);

/**
 * Saved views of the queue: an employee's own (no department) or shared with a department (`departmentId`). The
 * filters are the queue's query as the console writes it in its address.
 */
export const queueViews = pgTable(
  "queue_views",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    name: text("name").notNull(),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    departmentId: integer("department_id").references(() => departments.id, { onDelete: "cascade" }),
    filters: jsonb("filters").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("queue_views_owner_idx").on(t.ownerId), index("queue_views_department_idx").on(t.departmentId)],
);

/**
 * Related requests («связанные обращения»): a symmetric pair kept once, the smaller id first, so that either side
 * lists the other.
 */
export const requestRelations = pgTable(
  "request_relations",
  {
    aId: bigint("a_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    bId: bigint("b_id", { mode: "number" })
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.aId, t.bId] }), index("request_relations_b_idx").on(t.bId)],
);
