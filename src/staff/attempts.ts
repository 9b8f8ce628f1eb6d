// One guard for every check of something only the employee knows — a password, a code from the authenticator — at
// sign-in, on a password change, on setting up or removing the second factor. The attempt is counted before the
// check, by the statement that also decides the lock, so a burst of parallel attempts cannot all pass under the
// threshold (read, check, write back would let them); a success clears the count.
import { eq, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { verifyPassword } from "./passwords.ts";
import { users } from "./schema.ts";

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
      locked_until = case when failed_logins + 1 >= ${FREE_ATTEMPTS}
        then ${at}::timestamptz + make_interval(mins => least(60, 1 << least(failed_logins + 1 - ${FREE_ATTEMPTS}, 6)))
        else locked_until end
    where id = ${userId} and (locked_until is null or locked_until <= ${at}::timestamptz)
    returning id`);
  if (rowsOf(claimed).length > 0) return { ok: true };
  const [row] = await db.select({ until: users.lockedUntil }).from(users).where(eq(users.id, userId));
  const ms = row?.until ? row.until.getTime() - now.getTime() : 60_000;
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
