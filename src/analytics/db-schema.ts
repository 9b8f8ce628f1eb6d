// The statistics room's own table: one row per daily summary sent, so that a summary goes out once a day even
// when several processes run the scheduler. The indexes the dashboards lean on are in the analytics migration.
import { date, integer, pgTable, timestamp } from "drizzle-orm/pg-core";

export const analyticsSummaryRuns = pgTable("analytics_summary_runs", {
  /** The day summarised (Moscow date). */
  day: date("day", { mode: "string" }).primaryKey(),
  recipients: integer("recipients").notNull(),
  queuedAt: timestamp("queued_at", { withTimezone: true }).notNull().defaultNow(),
  sentAt: timestamp("sent_at", { withTimezone: true }),
});
