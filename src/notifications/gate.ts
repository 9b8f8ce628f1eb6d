// The policy's gate, in the transaction that queues a notification: it records the decision for the contact once per
// source (a repeated delivery gets the first answer), counts the contact's last hour and honours an opt-out. Contacts
// are seen only as blind indexes.
import { sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { blindIndex } from "../security/sealed.ts";
import { notificationLog, notificationOptOuts } from "./db-schema.ts";
import { decide, type Medium, type NewsKind, POLICY, type Verdict } from "./policy.ts";

export type Admission = {
  medium: Medium;
  source: string;
  /** The address or the number in E.164. */
  contact: string;
  requestId: number;
  news: NewsKind;
};

/** The contact's blind index: an address, a number, or a messenger chat as «<channel>:<chat id>». */
export const contactHashOf = (medium: Medium, contact: string) =>
  blindIndex(medium === "email" ? "email" : medium === "sms" ? "phone" : "identifier", contact)!;

export async function admit(ctx: AppContext, tx: Tx, a: Admission): Promise<Verdict> {
  const hash = contactHashOf(a.medium, a.contact);
  // One decision at a time per contact: two deliveries racing must not both slip under the limit.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notify:${hash}`}))`);
  // What was decided for this source, the opt-out and the last hour's count, read together.
  const [state] = rowsOf<{ seen: string | null; opted_out: boolean; recent: number }>(
    await tx.execute(sql`select
      (select ${notificationLog.outcome} from ${notificationLog}
        where ${notificationLog.medium} = ${a.medium} and ${notificationLog.source} = ${a.source} limit 1) as seen,
      exists (select 1 from ${notificationOptOuts}
        where ${notificationOptOuts.medium} = ${a.medium} and ${notificationOptOuts.contactHash} = ${hash}) as opted_out,
      (select count(*)::int from ${notificationLog}
        where ${notificationLog.contactHash} = ${hash} and ${notificationLog.outcome} = 'queued'
          and ${notificationLog.createdAt} > ${new Date(Date.now() - 3600_000).toISOString()}::timestamptz) as recent`),
  );
  const seen = state?.seen ?? null;
  if (seen !== null) return seen === "queued" ? "send" : (seen as Verdict);
  const verdict = decide(a.news, {
    optedOut: Boolean(state?.opted_out),
    sentLastHour: Number(state?.recent ?? 0),
    hourlyLimit: ctx.config.notifyHourlyLimit,
    inConversation: a.medium === "messenger",
  });
  await tx.insert(notificationLog).values({
    medium: a.medium,
    source: a.source,
    contactHash: hash,
    requestId: a.requestId,
    kind: a.news,
    essential: POLICY[a.news].essential,
    outcome: verdict === "send" ? "queued" : verdict,
  });
  return verdict;
}
