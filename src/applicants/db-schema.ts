// The applicant record: one person behind requests from several channels. It holds no contact in clear, only the
// blind indexes of the contacts seen together (src/security), so it joins requests whose contacts stay encrypted.
import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const applicants = pgTable("applicants", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const CONTACT_KINDS = ["email", "phone", "account", "messenger"] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** A contact of one applicant, by kind and blind index: a contact belongs to one applicant at most. */
export const applicantContacts = pgTable(
  "applicant_contacts",
  {
    kind: text("kind").notNull(),
    hash: text("hash").notNull(),
    applicantId: bigint("applicant_id", { mode: "number" })
      .notNull()
      .references(() => applicants.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.hash] }), index("applicant_contacts_applicant_idx").on(t.applicantId)],
);

/**
 * Counters of the public lookup of tracking links, per client address and per request number, in fixed windows.
 * Keys are keyed hashes (an address is personal data); rows whose window has long passed are deleted.
 */
export const lookupAttempts = pgTable(
  "lookup_attempts",
  {
    key: text("key").primaryKey(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [index("lookup_attempts_window_idx").on(t.windowStart)],
);
