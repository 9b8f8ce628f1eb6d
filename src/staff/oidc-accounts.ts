// The employee behind a directory sign-in: created at the first one, role and department taken from the claim at
// each one, and deactivated — sessions ended, tokens revoked — when the claim no longer gives a role.
import { and, eq, isNull, sql } from "drizzle-orm";
import { audit } from "../audit/audit.ts";
import type { Db, Tx } from "../db/client.ts";
import { AppError } from "../http/errors.ts";
import { staffShifts } from "../routing/sla-schema.ts";
import { audited } from "./audited.ts";
import { NO_PASSWORD } from "./passwords.ts";
import { apiTokens, departments, type Role, sessions, users } from "./schema.ts";
import { accessChanged, type StaffUser } from "./service.ts";

export type DirectorySignIn = {
  issuer: string;
  subject: string;
  email: string | undefined;
  /** The provider's `email_verified`: an address it says it has not verified never links an existing account. */
  emailVerified: boolean | undefined;
  name: string | undefined;
  /** What the claim gives, or null: no access. */
  access: { role: Role; department: string | null } | null;
  breakGlassEmail: string | undefined;
};

const BY_DIRECTORY = { directory: true } as const;

const refusals = {
  noRole: () =>
    new AppError(
      "oidc_no_role",
      "В каталоге организации у вас нет роли для работы в Otklik. Обратитесь к администратору.",
      403,
    ),
  noEmail: () =>
    new AppError(
      "oidc_no_email",
      "Служба единого входа не сообщила адрес электронной почты, а без него учётную запись не создать. Обратитесь к администратору.",
      403,
    ),
  disabled: () =>
    new AppError(
      "account_disabled",
      "Ваша учётная запись в Otklik отключена администратором. Обратитесь к нему, чтобы её включили.",
      403,
    ),
  conflict: () =>
    new AppError(
      "oidc_account_conflict",
      "Учётную запись с этим адресом нельзя связать с вашей: она уже связана с другим пользователем каталога или служба единого входа не подтвердила адрес. Обратитесь к администратору.",
      409,
    ),
  breakGlass: () =>
    new AppError(
      "oidc_break_glass_account",
      "В учётную запись аварийного администратора входят только по паролю, не через единый вход.",
      403,
    ),
  unknownDepartment: (code: string) =>
    new AppError(
      "oidc_unknown_department",
      `В настройке OTKLIK_OIDC_ROLE_MAP названо подразделение «${code}», которого нет в Otklik. Обратитесь к администратору.`,
      403,
    ),
};

export { refusals as directoryRefusals };

/** Signs an employee in from the directory's claims, or refuses (after ending the access a removed claim ended). */
export async function signInFromDirectory(db: Db, input: DirectorySignIn): Promise<StaffUser> {
  let outcome: StaffUser | AppError;
  try {
    outcome = await signInOnce(db, input);
  } catch (e) {
    // Two first sign-ins at once (two tabs) both create the account; the one that lost finds it made.
    if (!duplicate(e)) throw e;
    outcome = await signInOnce(db, input);
  }
  if (outcome instanceof AppError) throw outcome;
  return outcome;
}

function duplicate(e: unknown): boolean {
  for (let c = e as { code?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c.code === "23505") return true;
  }
  return false;
}

function signInOnce(db: Db, input: DirectorySignIn): Promise<StaffUser | AppError> {
  return db.transaction(async (tx): Promise<StaffUser | AppError> => {
    const user = await findLinked(tx, input);
    if (user instanceof AppError) return user;
    if (input.breakGlassEmail && (user?.email ?? input.email)?.toLowerCase() === input.breakGlassEmail) {
      return refusals.breakGlass();
    }
    if (!input.access) {
      if (user?.active) await revoke(tx, user.id);
      return refusals.noRole();
    }
    if (user && !user.active && !user.directoryRevoked) return refusals.disabled();
    let departmentId: number | null = null;
    if (input.access.department) {
      const [d] = await tx.select().from(departments).where(eq(departments.code, input.access.department));
      if (!d) return refusals.unknownDepartment(input.access.department);
      departmentId = d.id;
    }
    const { role } = input.access;
    if (!user) {
      if (!input.email) return refusals.noEmail();
      const [row] = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name ?? input.email.split("@")[0]!,
          role,
          departmentId,
          passwordHash: NO_PASSWORD,
          oidcIssuer: input.issuer,
          oidcSubject: input.subject,
        })
        .returning({ id: users.id, email: users.email, name: users.name });
      await audit(tx, {
        ...audited(BY_DIRECTORY, { role, department: input.access.department }),
        action: "user.create",
        subjectType: "user",
        subjectId: String(row!.id),
      });
      return { ...row!, role, departmentId };
    }
    const changed = user.role !== role || user.departmentId !== departmentId || !user.active;
    await tx
      .update(users)
      .set({
        role,
        departmentId,
        name: input.name ?? user.name,
        oidcIssuer: input.issuer,
        oidcSubject: input.subject,
        active: true,
        directoryRevoked: false,
        ...(user.active ? {} : { failedLogins: 0, lockedUntil: null }),
      })
      .where(eq(users.id, user.id));
    if (changed) {
      await accessChanged(tx, user.id);
      await audit(tx, {
        ...audited(BY_DIRECTORY, { role, department: input.access.department, reactivated: !user.active }),
        action: "user.directory_update",
        subjectType: "user",
        subjectId: String(user.id),
      });
    }
    return { id: user.id, email: user.email, name: input.name ?? user.name, role, departmentId };
  });
}

/**
 * The account of this directory subject, or the one with its e-mail that no subject has claimed yet (an account made
 * with a password before single sign-on was turned on), unless the provider says it has not verified that address.
 */
async function findLinked(tx: Tx, input: DirectorySignIn) {
  const [bySubject] = await tx
    .select()
    .from(users)
    .where(and(eq(users.oidcIssuer, input.issuer), eq(users.oidcSubject, input.subject)))
    .for("update");
  if (bySubject) return bySubject;
  if (!input.email) return undefined;
  const [byEmail] = await tx
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${input.email})`)
    .for("update");
  if (byEmail && (byEmail.oidcSubject !== null || input.emailVerified === false)) return refusals.conflict();
  return byEmail;
}

/** The directory took the role away: every session ends and every token is revoked now, not at their expiry. */
async function revoke(tx: Tx, userId: number) {
  const now = new Date();
  const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.userId });
  const revoked = await tx
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  await tx.update(staffShifts).set({ onShift: false, changedAt: now }).where(eq(staffShifts.userId, userId));
  await tx.update(users).set({ active: false, directoryRevoked: true }).where(eq(users.id, userId));
  await accessChanged(tx, userId);
  await audit(tx, {
    ...audited(BY_DIRECTORY, { sessions: ended.length, tokens: revoked.map((t) => t.id) }),
    action: "user.deactivate",
    subjectType: "user",
    subjectId: String(userId),
  });
}
