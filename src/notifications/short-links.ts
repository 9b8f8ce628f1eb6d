// Short links for SMS: 11 characters of a random code instead of the 43 of a tracking token, so that a text with its
// link fits one or two parts. The code leads to the same tracking page; only its hash is stored.
import { eq } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { trackingTokenOf } from "../requests/queries.ts";
import { randomToken, sha256 } from "../security/tokens.ts";
import { notificationShortLinks } from "./db-schema.ts";

export const SHORT_CODE = /^[A-Za-z0-9_-]{11}$/;

/** A fresh short link to the request's tracking page, written in the caller's transaction. */
export async function shortLink(ctx: AppContext, tx: Tx, requestId: number): Promise<string> {
  const code = randomToken(8);
  await tx.insert(notificationShortLinks).values({ codeHash: sha256(code), requestId });
  return `${ctx.config.publicUrl}/s/${code}`;
}

/** The tracking token a short code leads to, or undefined. */
export async function followShortLink(ctx: AppContext, code: string): Promise<string | undefined> {
  if (!SHORT_CODE.test(code)) return undefined;
  const [row] = await ctx.db
    .select({ requestId: notificationShortLinks.requestId })
    .from(notificationShortLinks)
    .where(eq(notificationShortLinks.codeHash, sha256(code)));
  return row ? trackingTokenOf(ctx.db, row.requestId) : undefined;
}
