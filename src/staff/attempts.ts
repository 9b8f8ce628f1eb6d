// One guard for every check of something only the employee knows — a password, a code from the authenticator — at
// sign-in, on a password change, on setting up or removing the second factor. The attempt is counted before the
// check, by the statement that also decides the lock, so a burst of parallel attempts cannot all pass under the
// threshold (read, check, write back would let them); a success clears the count.
import { eq, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { verifyPassword } from "./passwords.ts";
import { loginFailures, users } from "./schema.ts";

// After FREE_ATTEMPTS failed checks the account refuses them for a doubling time, at most an hour.
const FREE_ATTEMPTS = 5;

export function lockoutMinutes(failed: number): number {
  return failed < FREE_ATTEMPTS ? 0 : Math.min(60, 2 ** (failed - FREE_ATTEMPTS));
}

export type Attempt = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * Counts one attempt and says whether it may be checked: not while the account is locked. The attempt that reaches
 * the threshold locks the account at once (the ladder of lockoutMinutes, in SQL), before its own check is made.
 */
export async function beginAttempt(db: Queryable, userId: number, now = new Date()): Promise<Attempt> {
  const at = now.toISOString();
  const claimed = await db.execute(sql`
    update users set failed_logins = failed_logins + 1,
      locked_until = ${lockedUntilAfter(sql`failed_logins`, sql`locked_until`, at)}
    where id = ${userId} and (locked_until is null or locked_until <= ${at}::timestamptz)
    returning id`);
  if (rowsOf(claimed).length > 0) return { ok: true };
  const [row] = await db.select({ until: users.lockedUntil }).from(users).where(eq(users.id, userId));
  return refused(row?.until ?? null, now);
}

/**
 * The same count for an e-mail no active account has (`login_failures`, by the e-mail's blind index): an attacker
 * trying e-mails sees the same answers, «locked» included, whether an employee has the address or not.
 */
export async function beginUnknownAttempt(db: Queryable, emailHash: string, now = new Date()): Promise<Attempt> {
  const at = now.toISOString();
  const claimed = await db.execute(sql`
    insert into ${loginFailures} as f (email_hash, failed, locked_until, updated_at)
    values (${emailHash}, 1, null, ${at}::timestamptz)
    on conflict (email_hash) do update set failed = f.failed + 1,
      locked_until = ${lockedUntilAfter(sql`f.failed`, sql`f.locked_until`, at)}, updated_at = ${at}::timestamptz
    where f.locked_until is null or f.locked_until <= ${at}::timestamptz
    returning email_hash`);
  if (rowsOf(claimed).length > 0) return { ok: true };
  const [row] = await db
    .select({ until: loginFailures.lockedUntil })
    .from(loginFailures)
    .where(eq(loginFailures.emailHash, emailHash));
  return refused(row?.until ?? null, now);
}

/** The lock an attempt leaves: from the one that reaches the threshold on, the ladder of lockoutMinutes, in SQL. */
const lockedUntilAfter = (failed: SQL, lockedUntil: SQL, at: string) => sql`case when ${failed} + 1 >= ${FREE_ATTEMPTS}
  then ${at}::timestamptz + make_interval(mins => least(60, 1 << least(${failed} + 1 - ${FREE_ATTEMPTS}, 6)))
  else ${lockedUntil} end`;

function refused(until: Date | null, now: Date): Attempt {
  const ms = until ? until.getTime() - now.getTime() : 60_000;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
}

export async function attemptSucceeded(db: Queryable, userId: number): Promise<void> {
  await db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, userId));
}

/** The current password of a signed-in employee, before a change to how they sign in; throws when wrong or locked. */
export async function confirmPassword(db: Queryable, userId: number, password: string): Promise<void> {
  const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  if (!row) throw errors.unauthenticated();
  const attempt = await beginAttempt(db, userId);
  if (!attempt.ok) throw errors.accountLocked(attempt.retryAfterSeconds);
  if (!(await verifyPassword(row.hash, password))) {
    throw errors.badInput("wrong_password", "Текущий пароль указан неверно.");
  }
  await attemptSucceeded(db, userId);
}
