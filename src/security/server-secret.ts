// Versions before tracking keys came from the environment kept a «server secret» in the settings table and keyed
// secrets with it: whoever copied the database could open what it protected. On upgrade it is read one last time,
// to seal the e-mail tracking links it sealed again under the data keys, and deleted.
import { createDecipheriv, createHmac } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { emailInbox } from "../channels/email/db-schema.ts";
import type { Db } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";

const LEGACY_KEY = "secret";

function openLegacy(secret: Buffer, sealed: string): string | null {
  try {
    const key = createHmac("sha256", secret).update("email tracking token").digest();
    const bytes = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** Re-seals what the old secret sealed and deletes it; returns the rows rewritten (0 once done). */
export async function retireServerSecret(db: Db): Promise<number> {
  const [row] = await db.select().from(settings).where(eq(settings.key, LEGACY_KEY));
  if (!row) return 0;
  const secret = Buffer.from(row.value, "base64");
  const legacy = rowsOf<{ id: number; sealed: string }>(
    await db.execute(sql`select id, tracking_sealed as sealed from email_inbox
      where tracking_sealed is not null and left(tracking_sealed, 3) <> 'v1:'`),
  );
  for (const r of legacy) {
    // The column encrypts what it is given. A value the secret does not open gives no link either way: dropped.
    const token = openLegacy(secret, r.sealed);
    // Only if still sealed the old way: another process starting at the same time may have done it already.
    await db
      .update(emailInbox)
      .set({ trackingSealed: token })
      .where(and(eq(emailInbox.id, r.id), sql`left(${emailInbox.trackingSealed}, 3) <> 'v1:'`));
  }
  await db.delete(settings).where(eq(settings.key, LEGACY_KEY));
  return legacy.length;
}
