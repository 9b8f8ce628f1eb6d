// What an administrator does to an employee's account beyond switching it off (accounts.ts): invite, change the role,
// department or name, reset the password through a one-time link, reset the second factor. Every change is audited in
// the same transaction; a link's token is shown once and kept only as its SHA-256.
import { and, count, eq, ne, sql } from "drizzle-orm";
import { audit } from "../audit/audit.ts";
import type { Config } from "../config.ts";
import type { Db, Tx } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { randomToken, sha256 } from "../security/tokens.ts";
import { type Account, account } from "./accounts.ts";
import { type Actor, audited } from "./audited.ts";
import { hashPassword, NO_PASSWORD, passwordProblem } from "./passwords.ts";
import { departments, passwordLinks, ROLES, type Role, sessions, users } from "./schema.ts";
import { accessChanged, findUserByEmail } from "./service.ts";

/** How long a link stays good: an invitation a week, a reset a day. */
const LINK_HOURS = { invite: 7 * 24, reset: 24 } as const;

export type PasswordLink = { url: string; expiresAt: Date };

/** Staff sign in only through single sign-on: no password to set, so no link (the break-glass account aside). */
function ssoOnly(config: Config, email: string) {
  return config.passwordLogin === "off" && email.toLowerCase() !== config.breakGlassEmail?.toLowerCase();
}

async function departmentId(db: Db | Tx, id: number | null | undefined): Promise<number | null> {
  if (id === null || id === undefined) return null;
  const [d] = await db.select({ id: departments.id }).from(departments).where(eq(departments.id, id));
  if (!d) throw errors.badInput("unknown_department", "Такого подразделения нет.");
  return d.id;
}

/** A new link for the employee; earlier unused links stop working. The token goes into the fragment, never to logs. */
async function issueLink(tx: Tx, config: Config, userId: number, purpose: "invite" | "reset", by: Actor) {
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + LINK_HOURS[purpose] * 3600_000);
  await tx.delete(passwordLinks).where(eq(passwordLinks.userId, userId));
  await tx.insert(passwordLinks).values({
    tokenHash: sha256(token),
    userId,
    purpose,
    createdBy: "userId" in by ? by.userId : null,
    expiresAt,
  });
  return { url: `${config.publicUrl.replace(/\/$/, "")}/console/password#${token}`, expiresAt };
}

export async function inviteUser(
  db: Db,
  config: Config,
  input: { email: string; name: string; role: Role; departmentId?: number | null },
  by: Actor,
): Promise<{ account: Account; link: PasswordLink | null }> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw errors.badInput("invalid_email", "Укажите адрес электронной почты.");
  const name = input.name.trim();
  if (!name) throw errors.validation("Укажите имя сотрудника.", { field: "name" });
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, email))
      throw errors.conflict("user_exists", `Сотрудник с адресом ${email} уже есть.`);
    const [row] = await tx
      .insert(users)
      .values({
        email,
        name,
        role: input.role,
        departmentId: await departmentId(tx, input.departmentId),
        passwordHash: NO_PASSWORD,
      })
      .returning(account);
    const made = row!;
    const link = ssoOnly(config, email) ? null : await issueLink(tx, config, made.id, "invite", by);
    await audit(tx, {
      ...audited(by, { role: made.role, department: made.departmentId, link: link !== null }),
      action: "user.invite",
      subjectType: "user",
      subjectId: String(made.id),
    });
    return { account: made, link };
  });
}

/** Someone must be able to administer the others: the last active administrator keeps the role. */
async function keepAdministrator(tx: Tx, userId: number) {
  const [others] = await tx
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "administrator"), eq(users.active, true), ne(users.id, userId)));
  if (Number(others?.n ?? 0) === 0) {
    throw errors.conflict("last_administrator", "Это последний действующий администратор: его роль нельзя изменить.");
  }
}

export async function changeAccount(
  db: Db,
  userId: number,
  input: { role?: Role; departmentId?: number | null; name?: string },
  by: Actor,
): Promise<Account> {
  if (input.role !== undefined && input.role !== "administrator" && "userId" in by && by.userId === userId) {
    throw errors.badInput(
      "self_demotion",
      "Нельзя снять роль администратора с самого себя: попросите другого администратора.",
    );
  }
  if (input.role !== undefined && !(ROLES as readonly string[]).includes(input.role)) {
    throw errors.badInput("unknown_role", `Неизвестная роль «${input.role}».`);
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-deactivate'))`);
    const [row] = await tx.select(account).from(users).where(eq(users.id, userId)).for("update");
    if (!row) throw errors.notFound("staff");
    const patch: Partial<typeof users.$inferInsert> = {};
    const from: Record<string, unknown> = {};
    const to: Record<string, unknown> = {};
    if (input.role !== undefined && input.role !== row.role) {
      if (row.role === "administrator" && row.active) await keepAdministrator(tx, userId);
      patch.role = input.role;
      from.role = row.role;
      to.role = input.role;
    }
    if (input.departmentId !== undefined) {
      const dept = await departmentId(tx, input.departmentId);
      if (dept !== row.departmentId) {
        patch.departmentId = dept;
        from.department = row.departmentId;
        to.department = dept;
      }
    }
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw errors.validation("Укажите имя сотрудника.", { field: "name" });
      if (name !== row.name) {
        patch.name = name;
        from.name = row.name;
        to.name = name;
      }
    }
    if (Object.keys(patch).length === 0) return row;
    await tx.update(users).set(patch).where(eq(users.id, userId));
    // A new role is a new set of rights: sessions opened under the old one end (tokens carry the role live).
    if (patch.role) await tx.delete(sessions).where(eq(sessions.userId, userId));
    if (patch.role || patch.departmentId !== undefined) await accessChanged(tx, userId);
    await audit(tx, {
      ...audited(by, { from, to }),
      action: "user.update",
      subjectType: "user",
      subjectId: String(userId),
    });
    return { ...row, ...patch } as Account;
  });
}

/**
 * A password reset: the old password stops working and every session ends at once (the usual reason is a password
 * that may be known to someone else); the employee sets a new one through the link.
 */
export async function resetPassword(db: Db, config: Config, userId: number, by: Actor): Promise<PasswordLink> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select(account).from(users).where(eq(users.id, userId)).for("update");
    if (!row) throw errors.notFound("staff");
    if (!row.active) throw errors.conflict("user_inactive", "Сотрудник отключён: сначала включите его.");
    if (ssoOnly(config, row.email)) {
      throw errors.conflict(
        "password_login_disabled",
        "Вход по паролю выключен: сотрудник входит через единый вход, пароль ему не нужен.",
      );
    }
    await tx
      .update(users)
      .set({ passwordHash: NO_PASSWORD, failedLogins: 0, lockedUntil: null })
      .where(eq(users.id, userId));
    const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.userId });
    await accessChanged(tx, userId);
    const link = await issueLink(tx, config, userId, "reset", by);
    await audit(tx, {
      ...audited(by, { sessions: ended.length }),
      action: "user.password_reset",
      subjectType: "user",
      subjectId: String(userId),
    });
    return link;
  });
}

/** Switches the second factor off, for an employee who lost the device; they may enrol again after signing in. */
export async function resetTotp(db: Db, userId: number, by: Actor): Promise<Account> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ ...account, enrolled: sql<boolean>`${users.totpSecret} is not null` })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!row) throw errors.notFound("staff");
    const { enrolled, ...rest } = row;
    if (!enrolled) throw errors.conflict("totp_not_enrolled", "У сотрудника не включён второй фактор.");
    await tx
      .update(users)
      .set({ totpSecret: null, totpPendingSecret: null, totpLastStep: null })
      .where(eq(users.id, userId));
    await audit(tx, { ...audited(by), action: "user.totp_reset", subjectType: "user", subjectId: String(userId) });
    return rest;
  });
}

/** Whom a link is for, so the page can greet them; 404 when it is spent, replaced or out of date. */
export async function readLink(db: Db, token: string) {
  const [row] = await db
    .select({ purpose: passwordLinks.purpose, email: users.email, name: users.name })
    .from(passwordLinks)
    .innerJoin(users, eq(users.id, passwordLinks.userId))
    .where(
      and(eq(passwordLinks.tokenHash, sha256(token)), sql`${passwordLinks.expiresAt} > now()`, eq(users.active, true)),
    );
  if (!row) throw errors.notFound("link");
  return row;
}

/** Sets the password through a link; the link is spent and the employee signs in with the new password. */
export async function redeemLink(db: Db, token: string, password: string): Promise<{ email: string }> {
  const problem = passwordProblem(password);
  if (problem) throw errors.badInput("weak_password", problem);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [link] = await tx
      .delete(passwordLinks)
      .where(and(eq(passwordLinks.tokenHash, sha256(token)), sql`${passwordLinks.expiresAt} > now()`))
      .returning();
    if (!link) throw errors.notFound("link");
    const [user] = await tx
      .update(users)
      .set({ passwordHash: hash, passwordChangedAt: new Date(), failedLogins: 0, lockedUntil: null })
      .where(and(eq(users.id, link.userId), eq(users.active, true)))
      .returning({ email: users.email });
    if (!user) throw errors.notFound("link");
    await tx.delete(sessions).where(eq(sessions.userId, link.userId));
    await audit(tx, {
      ...audited({ userId: link.userId }, { purpose: link.purpose }),
      action: "user.password_set",
      subjectType: "user",
      subjectId: String(link.userId),
    });
    return user;
  });
}
