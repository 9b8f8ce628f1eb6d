// «Find my request»: an applicant without the link gives the request number and the e-mail or phone they wrote in
// it, and gets a fresh tracking link sent to that contact. The answer never tells whether anything matched: the
// route answers the same in every case, after the same statements; the sending is an outbox job.
import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { queueTrackingLinkLetter } from "../channels/email/link-letter.ts";
import { SmsError } from "../channels/sms/port.ts";
import type { AppContext } from "../context.ts";
import type { Queryable } from "../db/client.ts";
import { emit, type JobHandler, rowsOf } from "../db/outbox.ts";
import { AppError } from "../http/errors.ts";
import { normalizePhone } from "../requests/contact.ts";
import { APPLICANT } from "../requests/core/index.ts";
import { groupRequestNumber, isValidRequestNumber, normalizeRequestNumber } from "../requests/number.ts";
import { requestByNumberAndContact, requestRowById } from "../requests/queries.ts";
import { derivedTrackingToken } from "../security/keys.ts";
import { blindIndex, keyring } from "../security/sealed.ts";
import { count, WORDS } from "../text/plural.ts";

export const LOOKUP_TOPIC = "track.lookup";

/** Lookups allowed per window: from one client address, and for one request number (whoever asks). */
export const LOOKUP_LIMITS = { address: 20, number: 5, windowSeconds: 3600 };

/** What the applicant reads whatever happened. */
export const LOOKUP_ANSWER =
  "Если номер обращения и контакт совпадают с указанными в обращении, мы отправили на этот контакт новую ссылку для отслеживания. Письмо или СМС придёт в течение нескольких минут.";

/** The contact as typed: an e-mail (anything with «@») or a phone in any notation; null when it is neither. */
export function contactKey(input: string): { kind: "email" | "phone"; hash: string } | null {
  const s = input.trim();
  if (s.includes("@")) return { kind: "email", hash: blindIndex("email", s)! };
  const phone = normalizePhone(s);
  return phone ? { kind: "phone", hash: blindIndex("phone", phone)! } : null;
}

/** A counter's key: a keyed hash, so that a client's address is not kept in clear. */
function counterKey(scope: string, value: string): string {
  return createHmac("sha256", keyring().indexKey).update(`lookup\0${scope}\0${value}`).digest("base64url");
}

/**
 * Counts one attempt under each key in fixed windows, atomically (parallel attempts cannot all slip under the limit);
 * throws «rate_limited» with the seconds until the earliest window that is over its limit ends.
 */
async function countAttempt(db: Queryable, keys: { key: string; limit: number }[], now: Date) {
  const window = LOOKUP_LIMITS.windowSeconds;
  let wait = 0;
  for (const { key, limit } of keys) {
    const [row] = rowsOf<{ count: number; window_start: string | Date }>(
      await db.execute(sql`
        insert into lookup_attempts as a (key, window_start, count) values (${key}, ${now.toISOString()}::timestamptz, 1)
        on conflict (key) do update set
          count = case when a.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${window})
            then 1 else a.count + 1 end,
          window_start = case when a.window_start <= ${now.toISOString()}::timestamptz - make_interval(secs => ${window})
            then ${now.toISOString()}::timestamptz else a.window_start end
        returning count, window_start`),
    );
    if (row && Number(row.count) > limit) {
      const ends = new Date(row.window_start).getTime() + window * 1000;
      wait = Math.max(wait, Math.ceil((ends - now.getTime()) / 1000));
    }
  }
  if (wait > 0) throw lookupLimited(Math.max(1, wait));
}

/** «через 1 минуту», «через 2 минуты», «через 5 минут» (the accusative after «через»). */
export function inMinutes(seconds: number): string {
  return count(Math.max(1, Math.ceil(seconds / 60)), ...WORDS.minuteAccusative);
}

/** The same refusal whether the number and contact would have matched: it says only when to try again. */
function lookupLimited(seconds: number): AppError {
  return new AppError(
    "rate_limited",
    `Слишком много попыток найти обращение. Повторите через ${inMinutes(seconds)} или позвоните в службу поддержки.`,
    429,
    { retryAfter: seconds },
  );
}

/**
 * One lookup: counted, matched, and recorded as an outbox event (the request's id when number and contact match, null
 * otherwise), so that a match and a miss cost the same statements and answer the same.
 */
export async function lookUp(ctx: AppContext, input: { number: string; contact: string; address: string }) {
  const digits = normalizeRequestNumber(input.number);
  const numberKey = digits ?? input.number.replace(/\s+/g, "").toLowerCase().slice(0, 64);
  await countAttempt(
    ctx.db,
    [
      { key: counterKey("address", input.address), limit: LOOKUP_LIMITS.address },
      { key: counterKey("number", numberKey), limit: LOOKUP_LIMITS.number },
    ],
    new Date(),
  );
  const contact = contactKey(input.contact);
  // An invalid number or contact still asks the database the same question, which finds nothing.
  const match = await requestByNumberAndContact(
    ctx.db,
    digits && isValidRequestNumber(digits) ? digits : "",
    contact ?? { kind: "email", hash: "" },
  );
  await ctx.db.transaction((tx) =>
    emit(tx, LOOKUP_TOPIC, { requestId: match && contact ? match.id : null, via: contact?.kind ?? null }),
  );
}

/** The text of the SMS with a fresh link. */
export function trackingLinkSms(number: string, url: string): string {
  return `Обращение № ${groupRequestNumber(number)}: ${url} — ссылка открывает его без входа, никому её не сообщайте.`;
}

/**
 * The lookup's job: when it matched, a fresh link (derived from the event, so a job run again issues the same one) is
 * recorded through the request core and sent to the contact on file — a letter through the mail outbox, or an SMS
 * through the SMS gateway when one is configured (without it, nothing is sent).
 */
export function lookupJob(ctx: AppContext): JobHandler {
  return async (event) => {
    await ctx.db.execute(
      sql`delete from lookup_attempts where window_start < now() - make_interval(secs => ${LOOKUP_LIMITS.windowSeconds * 2})`,
    );
    const requestId = event.data.requestId;
    const via = event.data.via;
    if (typeof requestId !== "number" || (via !== "email" && via !== "phone")) return;
    const row = await requestRowById(ctx.db, requestId);
    const to = via === "email" ? row?.contactEmail : row?.contactPhone;
    if (!row || !to) return;
    const sms = via === "phone" ? ctx.services.maybe("sms") : undefined;
    if (via === "phone" && !sms) return;
    const source = `lookup:${event.id}`;
    const token = derivedTrackingToken(keyring().trackingKey, source, row.number);
    const url = `${ctx.config.publicUrl}/track/${token}`;
    await ctx.db.transaction(async (tx) => {
      const fresh = await ctx.requests.issueTrackingLink(tx, row.id, token, source, via, APPLICANT);
      if (fresh && via === "email") {
        await queueTrackingLinkLetter(ctx, tx, { source, requestId: row.id, number: row.number, to, trackingUrl: url });
      }
    });
    if (!sms) return;
    try {
      // The gateway takes the key as its idempotency key: a job run again does not send the text twice.
      await sms.send({ to, text: trackingLinkSms(row.number, url), key: source });
    } catch (e) {
      // A number the provider refuses will not take it later either; anything else is tried again by the outbox.
      if (e instanceof SmsError && !e.retryable) return;
      throw e;
    }
  };
}
