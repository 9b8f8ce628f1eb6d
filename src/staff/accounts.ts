// Deactivating an employee: sessions end and tokens are revoked in the same transaction (their next request is
// refused), sign-in is refused, they leave their shift (no automatic assignment, no chat or call routing), and the
// account stays, so the history keeps their name. Reactivation lets them sign in again; revoked tokens stay revoked.
import { and, count, eq, isNull, ne, sql } from "drizzle-orm";
import { audit } from "../audit/audit.ts";
import type { Db, Tx } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { staffShifts } from "../routing/sla-schema.ts";
import { type Actor, audited } from "./audited.ts";
import { apiTokens, type Role, sessions, users } from "./schema.ts";
import { accessChanged } from "./service.ts";

export type Account = {
  id: number;
  email: string;
  name: string;
  role: Role;
  departmentId: number | null;
  active: boolean;
};

/** The columns an account is read by. */
export const account = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  departmentId: users.departmentId,
  active: users.active,
};

export async function findAccountByEmail(db: Db, email: string): Promise<Account> {
  const [row] = await db.select(account).from(users).where(sql`lower(${users.email}) = lower(${email.trim()})`);
  if (!row) throw errors.notFound("staff_email");
  return row;
}

export async function setActive(db: Db, userId: number, active: boolean, by: Actor): Promise<Account> {
  if (!active && "userId" in by && by.userId === userId) {
    throw errors.badInput(
      "self_deactivation",
      "Нельзя отключить собственную учётную запись: попросите другого администратора.",
    );
  }
  return db.transaction(async (tx) => {
    // One deactivation at a time: two at once could each leave the other as the last administrator.
    if (!active) await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-deactivate'))`);
    const [row] = await tx.select(account).from(users).where(eq(users.id, userId)).for("update");
    if (!row) throw errors.notFound("staff");
    if (row.active === active) {
      // An administrator's word stands over the directory's: a directory sign-in no longer gives this account back.
      if (!active) await tx.update(users).set({ directoryRevoked: false }).where(eq(users.id, userId));
      return row;
    }
    const now = new Date();
    let details: Record<string, unknown> = {};
    if (!active) {
      if (row.role === "administrator") await keepOneAdministrator(tx, userId);
      const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.userId });
      const revoked = await tx
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      await tx.update(staffShifts).set({ onShift: false, changedAt: now }).where(eq(staffShifts.userId, userId));
      details = { sessions: ended.length, tokens: revoked.map((t) => t.id) };
    }
    // A fresh start after reactivation: no lock left from before.
    const patch = active
      ? { active, failedLogins: 0, lockedUntil: null, directoryRevoked: false }
      : { active, directoryRevoked: false };
    await tx.update(users).set(patch).where(eq(users.id, userId));
    if (!active) await accessChanged(tx, userId);
    await audit(tx, {
      ...audited(by, details),
      action: active ? "user.activate" : "user.deactivate",
      subjectType: "user",
      subjectId: String(userId),
    });
    return { ...row, active };
  });
}

/** Someone must be able to reactivate the others: the last active administrator stays. */
async function keepOneAdministrator(tx: Tx, userId: number) {
  const [others] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "administrator"), eq(users.active, true), ne(users.id, userId)));
  if (Number(others?.n ?? 0) === 0) {
    throw errors.conflict("last_administrator", "Это последний действующий администратор: его нельзя отключить.");
  }
}
