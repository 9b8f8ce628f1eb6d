// The directory's tables: the lines an administrator edits, the production calendar, the «overloaded» flags of
// the lines, and every saved version of the directory and of each calendar year. Regions stay in data/regions.yaml.
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "../staff/schema.ts";
import type { DirectoryLine } from "./types.ts";

export const directoryLines = pgTable("directory_lines", {
  id: text("id").primaryKey(),
  /** Order of the line in the document (and so in the exported YAML). */
  position: integer("position").notNull(),
  /** The heading of the part of the directory the line belongs to («Федеральные линии»). */
  section: text("section").notNull(),
  /** The comment written above the entry: why a line is withdrawn, where its hours come from. */
  comment: text("comment"),
  data: jsonb("data").$type<DirectoryLine>().notNull(),
  published: boolean("published").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
});

export const calendarYears = pgTable("directory_calendar_years", {
  year: integer("year").primaryKey(),
  source: text("source").notNull(),
  decree: text("decree"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: integer("updated_by").references(() => users.id, { onDelete: "set null" }),
});

export const calendarDays = pgTable(
  "directory_calendar_days",
  {
    year: integer("year")
      .notNull()
      .references(() => calendarYears.year, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    /** holiday | day_off | short | working */
    kind: text("kind").notNull(),
    title: text("title"),
    /** For a moved day off: the date it was moved from. */
    movedFrom: date("moved_from", { mode: "string" }),
  },
  (t) => [primaryKey({ columns: [t.year, t.date] })],
);

export const lineStates = pgTable("directory_line_states", {
  lineId: text("line_id").primaryKey(),
  overloaded: boolean("overloaded").notNull().default(false),
  setBy: integer("set_by").references(() => users.id, { onDelete: "set null" }),
  setAt: timestamp("set_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Each save keeps the whole document as it was after the change: who, when, what, and the YAML itself. */
export const directoryVersions = pgTable(
  "directory_versions",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    /** directory | calendar */
    kind: text("kind").notNull(),
    /** What changed: «import», «line federal-main», «calendar 2027», «seed». */
    subject: text("subject").notNull(),
    document: text("document").notNull(),
    changedBy: integer("changed_by").references(() => users.id, { onDelete: "set null" }),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("directory_versions_kind_idx").on(t.kind, t.id)],
);
