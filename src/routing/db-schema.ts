import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Classifier models retrained from operators' corrections; the newest one is used by every process. */
export const classifierModels = pgTable("classifier_models", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  createdBy: integer("created_by"),
  corrections: integer("corrections").notNull(),
  model: text("model").notNull(),
});
