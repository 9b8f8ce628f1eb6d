// The built-in portal registry (accounts and applications kept in Otklik's own tables, the default connector)
// and the audit of every call made through any connector.
import { bigint, boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { requests } from "../requests/schema.ts";
import { sealedText } from "../security/sealed.ts";
import { users } from "../staff/schema.ts";

export const portalAccounts = pgTable(
  "portal_accounts",
  {
    id: text("id").primaryKey(),
    // Personal data and identifiers are encrypted; lookups by phone and СНИЛС use the blind indexes.
    fullName: sealedText("portal_accounts", "full_name").notNull(),
    phone: sealedText("portal_accounts", "phone", { column: "phone_hash", kind: "phone" }),
    phoneHash: text("phone_hash"),
    snils: sealedText("portal_accounts", "snils", { column: "snils_hash", kind: "identifier" }),
    snilsHash: text("snils_hash"),
    inn: sealedText("portal_accounts", "inn"),
    locked: boolean("locked").notNull().default(false),
    codeSentAt: timestamp("code_sent_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("portal_accounts_phone_hash_idx").on(t.phoneHash),
    index("portal_accounts_snils_hash_idx").on(t.snilsHash),
  ],
);

export const portalApplications = pgTable("portal_applications", {
  number: text("number").primaryKey(),
  accountId: text("account_id").references(() => portalAccounts.id, { onDelete: "cascade" }),
  service: text("service").notNull(),
  /** in_processing, approved, rejected, documents_required */
  status: text("status").notNull(),
  submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Every connector call: who, when, what, for which request and call, and how it ended. No personal values. */
export const portalAudit = pgTable(
  "portal_audit",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: integer("user_id").references(() => users.id),
    action: text("action").notNull(),
    connector: text("connector").notNull(),
    requestId: bigint("request_id", { mode: "number" }).references(() => requests.id, { onDelete: "set null" }),
    callId: bigint("call_id", { mode: "number" }),
    /** The account id or application number acted on (identifiers, not personal data). */
    target: text("target"),
    outcome: text("outcome").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("portal_audit_created_idx").on(t.createdAt)],
);
