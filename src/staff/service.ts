// Staff accounts, login sessions and API tokens. Knows nothing of HTTP.
import { and, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { hashPassword, passwordProblem, verifyPassword } from "./passwords.ts";
import { apiTokens, departments, ROLES, type Role, sessions, users } from "./schema.ts";
import { randomToken, sha256 } from "./tokens.ts";

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

export async function listStaff(db: Queryable): Promise<StaffUser[]> {
  return db.select(publicColumns).from(users).where(eq(users.active, true)).orderBy(users.name);
}

// A hash to verify against when the e-mail is unknown, so both answers take the same time.
let dummyHash: Promise<string> | undefined;

// After FREE_ATTEMPTS wrong passwords the account refuses sign-in for a doubling time, at most an hour.
const FREE_ATTEMPTS = 5;

export function lockoutMinutes(failed: number): number {
  return failed < FREE_ATTEMPTS ? 0 : Math.min(60, 2 ** (failed - FREE_ATTEMPTS));
}

export type LoginResult =
  | { ok: true; user: StaffUser; needsTotp: boolean; totpSecret: string | null }
  | { ok: false; reason: "invalid" | "locked"; retryAfterSeconds?: number };

export async function checkLogin(
  db: Queryable,
  email: string,
  password: string,
  now = new Date(),
): Promise<LoginResult> {
  const row = await findUserByEmail(db, email);
  if (!row?.active) {
    dummyHash ??= hashPassword("otklik-dummy-password-1");
    await verifyPassword(await dummyHash, password);
    return { ok: false, reason: "invalid" };
  }
  if (row.lockedUntil && row.lockedUntil > now) {
    return {
      ok: false,
      reason: "locked",
      retryAfterSeconds: Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000),
    };
  }
  if (!(await verifyPassword(row.passwordHash, password))) {
    const failed = row.failedLogins + 1;
    const minutes = lockoutMinutes(failed);
    await db
      .update(users)
      .set({ failedLogins: failed, lockedUntil: minutes ? new Date(now.getTime() + minutes * 60_000) : null })
      .where(eq(users.id, row.id));
    return { ok: false, reason: "invalid" };
  }
  if (row.failedLogins > 0)
    await db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, row.id));
  return {
    ok: true,
    user: { id: row.id, email: row.email, name: row.name, role: row.role, departmentId: row.departmentId },
    needsTotp: row.totpSecret !== null,
    totpSecret: row.totpSecret,
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
  const [row] = await db.select().from(users).where(eq(users.id, userId));
  if (!row || !(await verifyPassword(row.passwordHash, current))) {
    throw errors.badInput("wrong_password", "Текущий пароль указан неверно.");
  }
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

export async function setTotpSecret(db: Queryable, userId: number, secret: string | null) {
  await db.update(users).set({ totpSecret: secret }).where(eq(users.id, userId));
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

export async function deleteSession(db: Queryable, id: string) {
  await db.delete(sessions).where(eq(sessions.idHash, sha256(id)));
}

export async function createApiToken(db: Queryable, email: string, name = "cli") {
  const user = await findUserByEmail(db, email);
  if (!user) throw errors.notFound(`Сотрудник с адресом ${email}`);
  const token = `otk_${randomToken()}`;
  await db.insert(apiTokens).values({ tokenHash: sha256(token), userId: user.id, name });
  return token;
}

export async function findApiToken(db: Queryable, token: string): Promise<StaffUser | undefined> {
  const [row] = await db
    .select(publicColumns)
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt), eq(users.active, true)));
  return row;
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
