// Staff accounts, login sessions and API tokens. Knows nothing of HTTP.
import { and, eq, gt, ne, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { blindIndex } from "../security/sealed.ts";
import { randomToken, sha256 } from "../security/tokens.ts";
import { attemptSucceeded, beginAttempt, beginUnknownAttempt, confirmPassword } from "./attempts.ts";
import { hashPassword, NO_PASSWORD, passwordProblem, verifyPassword } from "./passwords.ts";
import { departments, ROLES, type Role, sessions, users } from "./schema.ts";
import { spendTotpStep } from "./second-factor.ts";
import { totpStep } from "./totp.ts";

// Tokens live in api-tokens.ts; the access check and the test harness take them from here.
export { createApiToken, findApiToken } from "./api-tokens.ts";
export { lockoutMinutes } from "./attempts.ts";

export type StaffUser = {
  id: number;
  email: string;
  name: string;
  role: Role;
  departmentId: number | null;
};

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  departmentId: users.departmentId,
};

export async function createUser(
  db: Queryable,
  input: { email: string; name?: string; role: string; password: string; department?: string },
): Promise<StaffUser> {
  if (!(ROLES as readonly string[]).includes(input.role)) {
    throw errors.badInput("unknown_role", `Неизвестная роль «${input.role}». Возможные: ${ROLES.join(", ")}.`);
  }
  const problem = passwordProblem(input.password);
  if (problem) throw errors.badInput("weak_password", problem);
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw errors.badInput("invalid_email", "Укажите адрес электронной почты.");
  let departmentId: number | null = null;
  if (input.department) {
    const [d] = await db.select().from(departments).where(eq(departments.code, input.department));
    if (!d) throw errors.badInput("unknown_department", `Неизвестное подразделение «${input.department}».`);
    departmentId = d.id;
  }
  const existing = await findUserByEmail(db, email);
  if (existing) throw errors.conflict("user_exists", `Сотрудник с адресом ${email} уже есть.`);
  const [row] = await db
    .insert(users)
    .values({
      email,
      name: input.name ?? email.split("@")[0]!,
      role: input.role as Role,
      departmentId,
      passwordHash: await hashPassword(input.password),
    })
    .returning(publicColumns);
  return row!;
}

export async function findUserByEmail(db: Queryable, email: string) {
  const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email.trim()})`);
  return row;
}

/**
 * Every employee, the deactivated too (their names stay in the history); `active` tells them apart, `hasPassword` and
 * `secondFactor` tell an administrator what a reset would do.
 */
export async function listStaff(
  db: Queryable,
): Promise<(StaffUser & { active: boolean; hasPassword: boolean; secondFactor: boolean })[]> {
  return db
    .select({
      ...publicColumns,
      active: users.active,
      hasPassword: sql<boolean>`${users.passwordHash} <> ${NO_PASSWORD}`,
      secondFactor: sql<boolean>`${users.totpSecret} is not null`,
    })
    .from(users)
    .orderBy(users.name);
}

// A hash to verify against when the e-mail is unknown, so both answers take the same time.
let dummyHash: Promise<string> | undefined;

export type LoginResult =
  | { ok: true; user: StaffUser }
  | {
      ok: false;
      reason: "invalid" | "locked" | "totp_required" | "totp_invalid" | "totp_reused";
      retryAfterSeconds?: number;
    };

/**
 * Checks a sign-in: the password, then the second factor when enrolled. The attempt is counted before anything is
 * checked (attempts.ts) and cleared only by a sign-in that succeeds, so wrong codes lock like wrong passwords.
 */
export async function checkLogin(
  db: Queryable,
  email: string,
  password: string,
  totp?: string,
  now = new Date(),
): Promise<LoginResult> {
  const row = await findUserByEmail(db, email);
  if (!row?.active) {
    // Counted and checked as an account would be (the same answers, the same time), then refused.
    const attempt = await beginUnknownAttempt(db, blindIndex("email", email.trim().toLowerCase()) ?? "", now);
    if (!attempt.ok) return { ok: false, reason: "locked", retryAfterSeconds: attempt.retryAfterSeconds };
    dummyHash ??= hashPassword("otklik-dummy-password-1");
    await verifyPassword(await dummyHash, password);
    return { ok: false, reason: "invalid" };
  }
  const attempt = await beginAttempt(db, row.id, now);
  if (!attempt.ok) return { ok: false, reason: "locked", retryAfterSeconds: attempt.retryAfterSeconds };
  if (!(await verifyPassword(row.passwordHash, password))) return { ok: false, reason: "invalid" };
  if (row.totpSecret !== null) {
    if (!totp) return { ok: false, reason: "totp_required" };
    const step = totpStep(row.totpSecret, totp, now.getTime());
    if (step === null) return { ok: false, reason: "totp_invalid" };
    if (!(await spendTotpStep(db, row.id, step))) return { ok: false, reason: "totp_reused" };
  }
  await attemptSucceeded(db, row.id);
  return {
    ok: true,
    user: { id: row.id, email: row.email, name: row.name, role: row.role, departmentId: row.departmentId },
  };
}

/** Changes a password and ends every other session of the employee (a stolen session dies with the old password). */
export async function changePassword(
  db: Queryable,
  userId: number,
  current: string,
  next: string,
  keepSession?: string,
) {
  await confirmPassword(db, userId, current);
  const problem = passwordProblem(next);
  if (problem) throw errors.badInput("weak_password", problem);
  if (next === current) throw errors.badInput("same_password", "Новый пароль совпадает с текущим.");
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(next), passwordChangedAt: new Date() })
    .where(eq(users.id, userId));
  const keep = keepSession ? sha256(keepSession) : "";
  await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.idHash, keep)));
}

export async function createSession(db: Queryable, userId: number, now = new Date()) {
  const id = randomToken();
  const csrfToken = randomToken(24);
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db.insert(sessions).values({ idHash: sha256(id), userId, csrfToken, expiresAt });
  return { id, csrfToken, expiresAt };
}

export async function findSession(db: Queryable, id: string, now = new Date()) {
  const [row] = await db
    .select({ user: publicColumns, csrfToken: sessions.csrfToken, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, sha256(id)), gt(sessions.expiresAt, now), eq(users.active, true)));
  return row;
}

/**
 * Announced (in the transaction that makes the change) whenever what an employee's credentials give them changes: a
 * role or a department, the account switched off, a session or a token ended, a password reset. Live connections
 * opened with those credentials (the console's streams, the chat's socket) check them again at once and end if they
 * no longer sign in the same employee with the same rights.
 */
export const STAFF_ACCESS_CHANGED = "staff.access_changed";

export async function accessChanged(tx: Tx, userId: number): Promise<void> {
  await emit(tx, STAFF_ACCESS_CHANGED, { userId });
}

export async function deleteSession(db: Queryable, id: string) {
  await db.delete(sessions).where(eq(sessions.idHash, sha256(id)));
}

export async function ensureDepartments(db: Queryable, list: { code: string; name: string }[]) {
  for (const d of list) {
    await db
      .insert(departments)
      .values(d)
      .onConflictDoUpdate({ target: departments.code, set: { name: d.name } });
  }
}

export async function listDepartments(db: Queryable) {
  return db.select().from(departments).orderBy(departments.id);
}
