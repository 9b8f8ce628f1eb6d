import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { sealedText } from "../security/sealed.ts";

export const ROLES = ["operator", "specialist", "supervisor", "administrator"] as const;
export type Role = (typeof ROLES)[number];

export const departments = pgTable("departments", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  // Working hours on the working days of the production calendar, in minutes from midnight in the zone: the SLA's
  // working time of the department's requests is counted inside them.
  workZone: text("work_zone").notNull().default("Europe/Moscow"),
  workStartMinute: integer("work_start_minute").notNull().default(540),
  workEndMinute: integer("work_end_minute").notNull().default(1080),
});

export const users = pgTable(
  "users",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role").$type<Role>().notNull(),
    departmentId: integer("department_id").references(() => departments.id),
    passwordHash: text("password_hash").notNull(),
    active: boolean("active").notNull().default(true),
    // Checks of a password or a code since the last success (each counted before it is made, see attempts.ts), and
    // until when the account refuses them (back-off).
    failedLogins: integer("failed_logins").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    // Optional second factor (RFC 6238), encrypted: null when not enrolled. The pending secret waits for its first
    // code; the last time step spent refuses a code used twice.
    totpSecret: sealedText("users", "totp_secret"),
    totpPendingSecret: sealedText("users", "totp_pending_secret"),
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // The person at the organisation's OpenID Connect provider (issuer and subject), once they have signed in there.
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    // Deactivated because the directory's claim no longer gave a role: the directory may give the access back. An
    // administrator's deactivation clears it, so only an administrator undoes that one.
    directoryRevoked: boolean("directory_revoked").notNull().default(false),
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    uniqueIndex("users_oidc_key").on(t.oidcIssuer, t.oidcSubject),
  ],
);

/**
 * Sign-ins through the provider under way: the state's hash, what the callback must check (nonce, PKCE verifier) and
 * the browser that began it (hash of a cookie). Each row is taken once; rows live ten minutes.
 */
/**
 * Failed sign-ins under an e-mail no active account has, counted by the e-mail's blind index as an account counts its
 * own: the sixth answers «locked» as a real account's does, so that the answers do not tell which e-mails are staff.
 * Rows a day old are deleted by the daily purge.
 */
export const loginFailures = pgTable("login_failures", {
  emailHash: text("email_hash").primaryKey(),
  failed: integer("failed").notNull().default(0),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const oidcFlows = pgTable("oidc_flows", {
  stateHash: text("state_hash").primaryKey(),
  browserHash: text("browser_hash").notNull(),
  nonce: text("nonce").notNull(),
  codeVerifier: text("code_verifier").notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
});

export const sessions = pgTable(
  "sessions",
  {
    // SHA-256 of the cookie value: a stolen table does not give live sessions.
    idHash: text("id_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * One-time links an administrator hands to an employee: an invitation or a password reset. Only the SHA-256 of the
 * link's token is kept; a link is spent by its first use, and a newer link of the same employee replaces it.
 */
export const passwordLinks = pgTable(
  "password_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose").$type<"invite" | "reset">().notNull(),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("password_links_user_idx").on(t.userId)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text("token_hash").notNull().unique(),
    // The token's first characters, to tell tokens apart in lists (null for tokens made before it was kept).
    prefix: text("prefix"),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);
