// First start: departments, the keys, and the first administrator. Runs on every start and changes nothing that
// is already there.
import { count } from "drizzle-orm";
import type { Config } from "./config.ts";
import type { Db } from "./db/client.ts";
import { isAppError } from "./http/errors.ts";
import { isUniqueViolation } from "./requests/core/index.ts";
import { DEPARTMENTS } from "./routing/departments.ts";
import { startEncryption } from "./security/start.ts";
import { randomToken } from "./security/tokens.ts";
import { users } from "./staff/schema.ts";
import { createUser, ensureDepartments } from "./staff/service.ts";

export const FIRST_ADMIN_EMAIL = "admin@otklik.local";

/** Creates the first administrator when there is no staff at all; returns the password only if generated. */
export async function ensureFirstAdmin(
  db: Db,
  config: Config,
): Promise<{ email: string; generatedPassword?: string } | null> {
  const [existing] = await db.select({ n: count() }).from(users);
  if (Number(existing?.n ?? 0) > 0) return null;
  const generated = config.adminPassword ? undefined : `${randomToken(12)}7a`;
  try {
    await createUser(db, {
      email: FIRST_ADMIN_EMAIL,
      name: "Администратор",
      role: "administrator",
      password: config.adminPassword ?? generated!,
    });
  } catch (e) {
    // Several processes started together on a new database: another one made the administrator a moment ago (and
    // says its generated password, if any).
    if ((isAppError(e) && e.code === "user_exists") || isUniqueViolation(e)) return null;
    throw e;
  }
  return generated ? { email: FIRST_ADMIN_EMAIL, generatedPassword: generated } : { email: FIRST_ADMIN_EMAIL };
}

export async function bootstrap(db: Db, config: Config) {
  await ensureDepartments(db, [...DEPARTMENTS]);
  // Before anything reads or writes personal data: the keys (every secret comes from the environment, none from the
  // database), and every stored value brought under the current one.
  await startEncryption(db, config);
  const admin = await ensureFirstAdmin(db, config);
  return { admin };
}
