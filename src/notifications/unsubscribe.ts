// The unsubscribe link of each notification: it names the medium and the contact's blind index, signed with a key of
// the environment, so it cannot be made for someone else's address and carries no address itself. Following it stops
// what is not essential for that contact (policy.ts); the registration and the resolution still go.
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import { unsubscribeKeyFrom } from "../security/keys.ts";
import { keyring } from "../security/sealed.ts";
import { notificationOptOuts } from "./db-schema.ts";
import { contactHashOf } from "./gate.ts";
import type { Medium } from "./policy.ts";

// A messenger chat has no link: the applicant leaves it or blocks the bot.
const MEDIUM_CODE: Record<Medium, string> = { email: "e", sms: "s", messenger: "m" };

function signature(payload: string): string {
  return createHmac("sha256", unsubscribeKeyFrom(keyring().indexKey)).update(payload).digest("base64url").slice(0, 32);
}

/** The token of the link: `<medium>.<blind index>.<signature>`, URL-safe. */
export function unsubscribeToken(medium: Medium, contact: string): string {
  const payload = `${MEDIUM_CODE[medium]}.${contactHashOf(medium, contact)}`;
  return `${payload}.${signature(payload)}`;
}

export function unsubscribeUrl(ctx: AppContext, medium: Medium, contact: string): string {
  return `${ctx.config.publicUrl}/unsubscribe/${unsubscribeToken(medium, contact)}`;
}

/** The medium and the contact's blind index of a genuine token, or null. */
export function readUnsubscribeToken(token: string): { medium: "email" | "sms"; hash: string } | null {
  const m = /^([es])\.([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(signature(`${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { medium: m[1] === "e" ? "email" : "sms", hash: m[2]! };
}

export async function optOut(ctx: AppContext, t: { medium: Medium; hash: string }) {
  await ctx.db.insert(notificationOptOuts).values({ medium: t.medium, contactHash: t.hash }).onConflictDoNothing();
}

export async function isOptedOut(ctx: AppContext, t: { medium: Medium; hash: string }): Promise<boolean> {
  const [row] = await ctx.db
    .select({ at: notificationOptOuts.createdAt })
    .from(notificationOptOuts)
    .where(and(eq(notificationOptOuts.medium, t.medium), eq(notificationOptOuts.contactHash, t.hash)));
  return Boolean(row);
}

/** The contact hears of everything again (an SMS «СТАРТ»). */
export async function optIn(ctx: AppContext, t: { medium: Medium; hash: string }) {
  await ctx.db
    .delete(notificationOptOuts)
    .where(and(eq(notificationOptOuts.medium, t.medium), eq(notificationOptOuts.contactHash, t.hash)));
}
