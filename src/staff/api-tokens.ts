// API tokens: made with a name, stored as a hash beside their first characters (to tell them apart in a list),
// stamped when used, revoked by their owner or an administrator. Every change goes to the audit log.
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { audit } from "../audit/audit.ts";
import type { Db, Queryable } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { randomToken, sha256 } from "../security/tokens.ts";
import { type Actor, audited } from "./audited.ts";
import { apiTokens, users } from "./schema.ts";
import { accessChanged, type StaffUser } from "./service.ts";

/** `otk_` and 8 characters: 48 of the token's 256 bits, enough to tell tokens apart, far too few to guess the rest. */
const PREFIX_LENGTH = 12;
// The last-used time is written at most once a minute per token, not on every request.
const USED_STAMP_MS = 60_000;

const tokenNotFound = () => errors.notFound("token");

const view = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

export type TokenView = {
  id: number;
  name: string;
  prefix: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/** Makes a token for the employee with this e-mail (the command line, tests); returns it once, never again. */
export async function createApiToken(db: Db, email: string, name = "cli"): Promise<string> {
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email.trim()})`);
  if (!user) throw errors.notFound("staff_email");
  return (await issueToken(db, user.id, name, { cli: true })).token;
}

export async function issueToken(db: Db, userId: number, name: string, by: Actor) {
  const token = `otk_${randomToken()}`;
  const row = await db.transaction(async (tx) => {
    const [made] = await tx
      .insert(apiTokens)
      .values({ tokenHash: sha256(token), prefix: token.slice(0, PREFIX_LENGTH), userId, name })
      .returning(view);
    await audit(tx, {
      ...audited(by, { userId, name }),
      action: "token.create",
      subjectType: "api_token",
      subjectId: String(made!.id),
    });
    return made!;
  });
  return { ...row, token };
}

export async function findApiToken(db: Queryable, token: string, now = new Date()): Promise<StaffUser | undefined> {
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      departmentId: users.departmentId,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt), eq(users.active, true)));
  if (!row) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > USED_STAMP_MS) {
    const stale = new Date(now.getTime() - USED_STAMP_MS);
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, stale))));
  }
  const { tokenId: _t, lastUsedAt: _l, ...user } = row;
  return user;
}

export async function listTokens(db: Queryable, userId: number): Promise<TokenView[]> {
  return db.select(view).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(desc(apiTokens.id));
}

/** Every token with its owner, for administrators. */
export async function listAllTokens(db: Queryable) {
  const rows = await db
    .select({ ...view, userId: users.id, userName: users.name, userEmail: users.email, userActive: users.active })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(desc(apiTokens.id));
  return rows.map(({ userId, userName, userEmail, userActive, ...t }) => ({
    ...t,
    user: { id: userId, name: userName, email: userEmail, active: userActive },
  }));
}

/**
 * Revokes a token: its next request is refused. `owner` limits it to one employee's tokens (another's answers as
 * not found). Revoking a revoked token changes nothing and is not an error.
 */
export async function revokeToken(db: Db, id: number, by: Actor, owner?: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ userId: apiTokens.userId, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .where(eq(apiTokens.id, id))
      .for("update");
    if (!row || (owner !== undefined && row.userId !== owner)) throw tokenNotFound();
    if (row.revokedAt) return;
    await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, id));
    await accessChanged(tx, row.userId);
    await audit(tx, {
      ...audited(by, { userId: row.userId }),
      action: "token.revoke",
      subjectType: "api_token",
      subjectId: String(id),
    });
  });
}

/** The command line names a token by its id, its first characters (as listed) or the whole token. */
export async function findTokenId(db: Queryable, ref: string): Promise<number> {
  const value = ref.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value);
  if (value.length > PREFIX_LENGTH) {
    const [row] = await db
      .select({ id: apiTokens.id })
      .from(apiTokens)
      .where(eq(apiTokens.tokenHash, sha256(value)));
    if (row) return row.id;
    throw tokenNotFound();
  }
  const rows = await db
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(sql`left(${apiTokens.prefix}, ${value.length}) = ${value}`);
  if (rows.length === 0 || value.length < 4) throw tokenNotFound();
  if (rows.length > 1) {
    throw errors.conflict(
      "token_ambiguous",
      `Под «${value}» подходит несколько токенов: укажите номер токена или больше символов.`,
    );
  }
  return rows[0]!.id;
}
