// Enrolling the second factor: the server makes the secret (never the client), setting it up, replacing or removing
// it needs the current password, and it becomes the one in use only once a code from it is confirmed. A code is
// accepted once: the last time step spent is kept per employee.
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { audit } from "../audit/audit.ts";
import type { Db, Queryable } from "../db/client.ts";
import { AppError, errors } from "../http/errors.ts";
import { attemptSucceeded, beginAttempt, confirmPassword } from "./attempts.ts";
import { users } from "./schema.ts";
import { newTotpSecret, totpStep, totpUri } from "./totp.ts";

/** Spends a time step: true only for the first use of a step later than the last one spent (atomic). */
export async function spendTotpStep(db: Queryable, userId: number, step: number): Promise<boolean> {
  const spent = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id });
  return spent.length > 0;
}

/** A new secret, pending until confirmed; the one in use (if any) keeps working meanwhile. */
export async function beginTotpSetup(db: Db, user: { id: number; email: string }, password: string) {
  await confirmPassword(db, user.id, password);
  const secret = newTotpSecret();
  await db.update(users).set({ totpPendingSecret: secret }).where(eq(users.id, user.id));
  return { secret, uri: totpUri(secret, user.email) };
}

/** Puts the pending secret in use, given a code from it; wrong codes count towards the lock like wrong passwords. */
export async function confirmTotp(db: Db, userId: number, code: string): Promise<void> {
  const [row] = await db.select({ pending: users.totpPendingSecret }).from(users).where(eq(users.id, userId));
  const pending = row?.pending;
  if (!pending) {
    throw errors.badInput("totp_not_started", "Сначала получите новый секрет: подключение второго фактора не начато.");
  }
  const attempt = await beginAttempt(db, userId);
  if (!attempt.ok) throw errors.accountLocked(attempt.retryAfterSeconds);
  const step = totpStep(pending, code);
  if (step === null) throw errors.totpInvalid();
  await db.transaction(async (tx) => {
    // The step that confirmed it is spent: the same code does not also sign in.
    await tx
      .update(users)
      .set({ totpSecret: pending, totpPendingSecret: null, totpLastStep: step })
      .where(eq(users.id, userId));
    await audit(tx, { actorId: userId, action: "user.totp_enable", subjectType: "user", subjectId: String(userId) });
  });
  await attemptSucceeded(db, userId);
}

export async function disableTotp(db: Db, userId: number, password: string): Promise<void> {
  await confirmPassword(db, userId, password);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: null })
      .where(eq(users.id, userId));
    await audit(tx, { actorId: userId, action: "user.totp_disable", subjectType: "user", subjectId: String(userId) });
  });
}

export const totpReused = () =>
  new AppError("totp_reused", "Этот код уже использован. Дождитесь следующего кода в приложении.", 401);
