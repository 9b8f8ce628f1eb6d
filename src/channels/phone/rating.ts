// The rating invitation of a caller no letter or SMS reaches: the request is resolved, the applicant gave only a
// number, and that number takes no SMS (a landline) or no SMS gateway is set up. The IVR then asks for the rating on
// the caller's next call from that number — once, answered or not, within a month of the resolution.
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Delivery } from "../../requests/core/index.ts";
import { requestRowById } from "../../requests/queries.ts";
import { blindIndex } from "../../security/sealed.ts";
import { smsCapable } from "../sms/capable.ts";
import { phoneRatingInvitations } from "./db-schema.ts";

const INVITATION_DAYS = 30;

/** Whether an SMS would reach this applicant: a gateway that delivers, and a number that takes texts. */
function smsReaches(ctx: AppContext, phone: string): boolean {
  const gateway = ctx.services.maybe("sms");
  return Boolean(gateway && gateway.driver !== "log" && smsCapable(phone));
}

/** The phone channel's part of the notification policy: a resolution nobody else can announce waits for a call. */
export async function inviteByIvr(ctx: AppContext, d: Delivery, now = new Date()): Promise<void> {
  if (d.kind !== "resolved") return;
  const row = await requestRowById(ctx.db, d.requestId);
  if (!row?.contactPhone || !row.contactPhoneHash || row.contactEmail || row.rating !== null) return;
  if (smsReaches(ctx, row.contactPhone)) return;
  await ctx.db
    .insert(phoneRatingInvitations)
    .values({
      requestId: row.id,
      phoneHash: row.contactPhoneHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
    })
    // A new resolution (reopened, resolved again) asks again.
    .onConflictDoUpdate({
      target: phoneRatingInvitations.requestId,
      set: { createdAt: now, expiresAt: sql`excluded.expires_at`, askedAt: null, askedCallSid: null },
    });
}

/**
 * The invitation waiting for this caller, taken for this call: the latest resolved, unrated request from the number.
 * Returns its number, or null. Taking it marks it asked, so that a second call does not ask again.
 */
export async function takeInvitation(
  ctx: AppContext,
  phone: string,
  callSid: string,
  now = new Date(),
): Promise<string | null> {
  const hash = blindIndex("phone", phone);
  if (!hash) return null;
  return ctx.db.transaction(async (tx) => {
    const pending = await tx
      .select({ requestId: phoneRatingInvitations.requestId })
      .from(phoneRatingInvitations)
      .where(
        and(
          eq(phoneRatingInvitations.phoneHash, hash),
          isNull(phoneRatingInvitations.askedAt),
          gt(phoneRatingInvitations.expiresAt, now),
        ),
      )
      .orderBy(desc(phoneRatingInvitations.createdAt))
      .limit(5)
      .for("update", { skipLocked: true });
    // The latest one still worth asking about: resolved and not rated meanwhile (on the tracking page, say).
    for (const { requestId } of pending) {
      const row = await requestRowById(tx, requestId);
      if (row?.status !== "resolved" || row.rating !== null) continue;
      await tx
        .update(phoneRatingInvitations)
        .set({ askedAt: now, askedCallSid: callSid })
        .where(eq(phoneRatingInvitations.requestId, requestId));
      return row.number;
    }
    return null;
  });
}

/**
 * The caller's key after the question: 1–5 rates the request the question was about (found by the call, so that no
 * other call can rate it); anything else passes. Returns the score recorded, or null.
 */
export async function rateFromCall(
  ctx: AppContext,
  callSid: string,
  digits: string | undefined,
): Promise<number | null> {
  const score = Number(digits);
  if (!/^[1-5]$/.test(digits ?? "")) return null;
  return ctx.db.transaction(async (tx) => {
    const [inv] = await tx
      .select({ requestId: phoneRatingInvitations.requestId })
      .from(phoneRatingInvitations)
      .where(eq(phoneRatingInvitations.askedCallSid, callSid))
      .limit(1);
    if (!inv) return null;
    const row = await requestRowById(tx, inv.requestId);
    if (row?.status !== "resolved" || row.rating !== null) return null;
    await ctx.requests.rate(tx, inv.requestId, score);
    return score;
  });
}
