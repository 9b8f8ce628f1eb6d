// The SMS side of the notification policy: a delivery of the request core that the policy lets through becomes a row
// of sms_outbox (in the transaction that records the decision), and the «sms.send» job hands it to the gateway. A
// provider that asks to wait (429 with Retry-After) or fails (5xx, the network) is tried again later with the
// outbox's back-off; a refusal (another 4xx) is final and written into the request's history for the operator.
import { eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { emit } from "../../db/outbox.ts";
import { admit } from "../../notifications/gate.ts";
import { newsOf, POLICY, sourceOf } from "../../notifications/policy.ts";
import { shortLink } from "../../notifications/short-links.ts";
import { smsSegments, smsText } from "../../notifications/texts.ts";
import { type Delivery, SYSTEM } from "../../requests/core/index.ts";
import { mergedTarget, publicMessage, requestRowById } from "../../requests/queries.ts";
import { openChatOf } from "../chat/deliver.ts";
import { smsCapable } from "./capable.ts";
import { smsOutbox } from "./db-schema.ts";
import { SmsError } from "./port.ts";

export const SMS_SEND_TOPIC = "sms.send";
/** With the outbox's doubling back-off (capped at an hour) this keeps trying for about half a day. */
const MAX_SEND_ATTEMPTS = 16;

export async function deliverBySms(ctx: AppContext, d: Delivery) {
  if (d.kind === "message.public" && !(await publicMessage(ctx.db, d.messageId))) return;
  const chatOpen = d.kind === "message.public" && Boolean(await openChatOf(ctx.db, d.requestId));
  const news = newsOf(d, { chatOpen });
  if (!news || !POLICY[news].sms) return;
  const req = await requestRowById(ctx.db, d.requestId);
  const phone = req?.contactPhone;
  // A landline takes no texts: the letter, or for a resolution the IVR's next call (phone/rating.ts), tells them.
  if (!req || !phone || !smsCapable(phone)) return;
  // The row read above carries the tracking token given at registration.
  const hasLink = Boolean(req.trackingSealed);
  const source = sourceOf(d);
  await ctx.db.transaction(async (tx) => {
    const verdict = await admit(ctx, tx, { medium: "sms", source, contact: phone, requestId: req.id, news });
    if (verdict !== "send") return;
    // A repeated delivery finds its SMS queued already (and makes no second short link).
    const [queued] = await tx.select({ id: smsOutbox.id }).from(smsOutbox).where(eq(smsOutbox.source, source));
    if (queued) return;
    const text = smsText(news, {
      number: req.number,
      trackingUrl: hasLink ? await shortLink(ctx, tx, req.id) : undefined,
      dueAt: req.firstResponseDueAt,
      into: d.kind === "merged" ? (await mergedTarget(tx, req))?.number : undefined,
    });
    const [row] = await tx
      .insert(smsOutbox)
      .values({ source, kind: news, requestId: req.id, to: phone, text, segments: smsSegments(text).segments })
      .onConflictDoNothing({ target: smsOutbox.source })
      .returning({ id: smsOutbox.id });
    if (row) await emit(tx, SMS_SEND_TOPIC, { smsId: row.id });
  });
}

/** Sends one queued SMS. Throws on a temporary failure, so that the outbox retries it later. */
export async function sendSms(ctx: AppContext, smsId: number, now = new Date()) {
  const [row] = await ctx.db.select().from(smsOutbox).where(eq(smsOutbox.id, smsId));
  if (!row || row.sentAt || row.failedAt) return;
  // The provider asked to wait: the outbox comes back after its own back-off.
  if (row.nextAttemptAt && row.nextAttemptAt > now) throw new Error(`SMS ${row.id} waits for the provider`);
  const attempts = row.attempts + 1;
  try {
    const receipt = await ctx.services
      .get("sms")
      .send({ to: row.to, text: row.text ?? "", key: `otklik-${row.source}-${row.createdAt.getTime()}` });
    // What was said is on the request; the text is not kept twice.
    await ctx.db
      .update(smsOutbox)
      .set({ attempts, sentAt: new Date(), text: null, lastErrorCode: null, providerId: receipt.id.slice(0, 100) })
      .where(eq(smsOutbox.id, row.id));
  } catch (e) {
    const err = e instanceof SmsError ? e : new SmsError("error", true);
    if (!err.retryable || attempts >= MAX_SEND_ATTEMPTS) {
      await ctx.db.transaction(async (tx) => {
        await tx
          .update(smsOutbox)
          .set({ attempts, failedAt: new Date(), lastErrorCode: err.code })
          .where(eq(smsOutbox.id, row.id));
        if (row.requestId) {
          await ctx.requests.log(tx, row.requestId, SYSTEM, "sms_failed", {
            smsId: row.id,
            kind: row.kind,
            code: err.code,
          });
        }
      });
      return;
    }
    const waitMs = Math.max((err.retryAfter ?? 0) * 1000, 5000 * 2 ** Math.min(attempts - 1, 10));
    await ctx.db
      .update(smsOutbox)
      .set({ attempts, lastErrorCode: err.code, nextAttemptAt: new Date(now.getTime() + waitMs) })
      .where(eq(smsOutbox.id, row.id));
    throw new Error(`SMS ${row.id} not sent: ${err.code}`);
  }
}
