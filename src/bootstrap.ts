// First start: departments, the server's secret, and the first administrator. Runs on every start and
// changes nothing that is already there.
import { randomBytes } from "node:crypto";
import { count, eq } from "drizzle-orm";
import type { Config } from "./config.ts";
import type { Db } from "./db/client.ts";
import { settings } from "./db/schema.ts";
import { DEPARTMENTS } from "./routing/departments.ts";
import { startEncryption } from "./security/start.ts";
import { users } from "./staff/schema.ts";
import { createUser, ensureDepartments } from "./staff/service.ts";
import { randomToken } from "./staff/tokens.ts";

export const FIRST_ADMIN_EMAIL = "admin@otklik.local";

export async function loadSecret(db: Db): Promise<Buffer> {
  const fresh = randomBytes(32).toString("base64");
  await db.insert(settings).values({ key: "secret", value: fresh }).onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, "secret"));
  return Buffer.from(row!.value, "base64");
}

/** Creates the first administrator when there is no staff at all; returns the password only if generated. */
export async function ensureFirstAdmin(
  db: Db,
  config: Config,
): Promise<{ email: string; generatedPassword?: string } | null> {
  const [existing] = await db.select({ n: count() }).from(users);
  if (Number(existing?.n ?? 0) > 0) return null;
  const generated = config.adminPassword ? undefined : `${randomToken(12)}7a`;
  await createUser(db, {
    email: FIRST_ADMIN_EMAIL,
    name: "Администратор",
    role: "administrator",
    password: config.adminPassword ?? generated!,
  });
  return generated ? { email: FIRST_ADMIN_EMAIL, generatedPassword: generated } : { email: FIRST_ADMIN_EMAIL };
}

export async function bootstrap(db: Db, config: Config) {
  await ensureDepartments(db, [...DEPARTMENTS]);
  // Before anything reads or writes personal data: the keys, and every stored value brought under the current one.
  await startEncryption(db, config);
  const secret = await loadSecret(db);
  const admin = await ensureFirstAdmin(db, config);
  return { secret, admin };
}
