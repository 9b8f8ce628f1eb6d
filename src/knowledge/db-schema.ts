// The knowledge base's tables: articles as editors keep them, every saved version, applicants' votes, what the
// request form suggested and what came of it (deflection), and operators' answer templates.
import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "../staff/schema.ts";

export const kbArticles = pgTable("kb_articles", {
  slug: text("slug").primaryKey(),
  title: text("title").notNull(),
  summary: text("summary").notNull().default(""),
  category: text("category").notNull(),
  audience: jsonb("audience").$type<string[]>().notNull(),
  tags: jsonb("tags").$type<string[]>().notNull(),
  synonyms: jsonb("synonyms").$type<string[]>().notNull(),
  /** draft | published */
  status: text("status").notNull(),
  /** public | internal */
  visibility: text("visibility").notNull(),
  body: text("body").notNull(),
  /** The number of the latest version (kb_article_versions.version). */
  version: integer("version").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
});

/** Each save keeps the whole article as it was after the change, with who, when and what changed. */
export const kbArticleVersions = pgTable(
  "kb_article_versions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    slug: text("slug")
      .notNull()
      .references(() => kbArticles.slug, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    /** «создана», «изменены: заголовок, текст», «опубликована», «восстановлена версия 3». */
    note: text("note").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("kb_article_versions_slug_version").on(t.slug, t.version)],
);

/**
 * «Была ли статья полезной?»: one row per article per address (or browser session) a day; a repeated answer
 * changes the row (src/knowledge/votes.ts). Who voted is kept for that day only, and never as the address.
 */
export const kbFeedback = pgTable(
  "kb_feedback",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    slug: text("slug")
      .notNull()
      .references(() => kbArticles.slug, { onDelete: "cascade" }),
    helpful: boolean("helpful").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // HMAC of the Moscow day and the client's address (an IPv6 address by its /64) under the index key.
    voter: text("voter"),
    // SHA-256 of the random browser-session cookie the first vote set.
    sessionHash: text("session_hash"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("kb_feedback_slug").on(t.slug),
    uniqueIndex("kb_feedback_voter_slug").on(t.voter, t.slug),
    index("kb_feedback_session").on(t.sessionHash).where(sql`session_hash is not null`),
    // Only the day's rows still name a voter: the partial index stays small for the nightly forgetting.
    index("kb_feedback_identified").on(t.createdAt).where(sql`voter is not null`),
  ],
);

/**
 * What happened to the request form's suggestions, per form visit (a random id made by the page, no personal
 * data): `shown` and `opened` per article, then `submitted` or `left`. A visit that opened an article and
 * left without sending the form counts as deflected.
 */
export const kbSuggestionEvents = pgTable(
  "kb_suggestion_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    visit: text("visit").notNull(),
    /** shown | opened | submitted | left */
    kind: text("kind").notNull(),
    slug: text("slug").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A page may report the same thing twice (a re-render, a retried beacon): counted once.
    uniqueIndex("kb_suggestion_events_once").on(t.visit, t.kind, t.slug),
    index("kb_suggestion_events_created").on(t.createdAt),
  ],
);

/** Operators' answer templates with placeholders ({{имя}}, {{номер}}, {{срок}}). */
export const kbTemplates = pgTable("kb_templates", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  /** A category code the template fits, or null for any request. */
  category: text("category"),
  /** The shipped templates' own names (null for staff's): the migration that ships them inserts each once. */
  shippedKey: text("shipped_key").unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
});

/**
 * A macro: an answer template and the changes that usually go with it (status, category, who has the request),
 * applied to a request in one action. A null column leaves that side of the request as it is.
 */
export const kbMacros = pgTable("kb_macros", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  title: text("title").notNull(),
  templateId: integer("template_id").references(() => kbTemplates.id, { onDelete: "set null" }),
  /** The reply goes to the applicant (`public`) or stays an internal note (`note`). */
  visibility: text("visibility").$type<"public" | "note">().notNull().default("public"),
  status: text("status"),
  category: text("category"),
  /** `self`: to whoever applies the macro; `nobody`: back to the department's queue; null: unchanged. */
  assign: text("assign").$type<"self" | "nobody">(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
});
