// The policy's gate, in the transaction that queues a notification: it records the decision for the contact once per
// source (a repeated delivery gets the first answer), counts the contact's last hour and honours an opt-out. Contacts
// are seen only as blind indexes.
import { sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { rowsOf, toPgArray } from "../db/outbox.ts";
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
  const [verdict] = await admitMany(ctx, tx, [a]);
  return verdict!;
}

/**
 * The gate for several notifications at once (a burst of registrations), in three statements: each gets the verdict
 * `admit` would give it, called for each in the given order (an earlier one counts towards a later one's hourly limit,
 * a source repeated gets its first answer).
 */
export async function admitMany(ctx: AppContext, tx: Tx, list: Admission[]): Promise<Verdict[]> {
  if (list.length === 0) return [];
  const hashes = list.map((a) => contactHashOf(a.medium, a.contact));
  // One decision at a time per contact: two deliveries racing must not both slip under the limit. Several contacts
  // are locked in one order, so that two bursts sharing contacts cannot wait for each other.
  const locks = [...new Set(hashes.map((h) => `notify:${h}`))].sort();
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(k)) from (select k from unnest(${toPgArray(locks)}::text[]) as k order by k) as l`,
  );
  // What was decided for each source, the opt-out and the last hour's count, read together.
  const since = new Date(Date.now() - 3600_000).toISOString();
  const states = rowsOf<{ i: number; seen: string | null; opted_out: boolean; recent: number }>(
    await tx.execute(sql`select k.i::int as i,
      (select ${notificationLog.outcome} from ${notificationLog}
        where ${notificationLog.medium} = k.medium and ${notificationLog.source} = k.source limit 1) as seen,
      exists (select 1 from ${notificationOptOuts}
        where ${notificationOptOuts.medium} = k.medium and ${notificationOptOuts.contactHash} = k.hash) as opted_out,
      (select count(*)::int from ${notificationLog}
        where ${notificationLog.contactHash} = k.hash and ${notificationLog.outcome} = 'queued'
          and ${notificationLog.createdAt} > ${since}::timestamptz) as recent
      from unnest(${toPgArray(list.map((a) => a.medium))}::text[], ${toPgArray(list.map((a) => a.source))}::text[],
        ${toPgArray(hashes)}::text[]) with ordinality as k(medium, source, hash, i)`),
  );
  const stateOf = new Map(states.map((r) => [Number(r.i) - 1, r]));
  // What this burst decides, as the next one in it sees it.
  const decided = new Map<string, Verdict>();
  const queued = new Map<string, number>();
  const rows: (typeof notificationLog.$inferInsert)[] = [];
  const verdicts = list.map((a, i): Verdict => {
    const state = stateOf.get(i);
    const seen = state?.seen ?? null;
    if (seen !== null) return seen === "queued" ? "send" : (seen as Verdict);
    const earlier = decided.get(`${a.medium}\n${a.source}`);
    if (earlier) return earlier;
    const hash = hashes[i]!;
    const verdict = decide(a.news, {
      optedOut: Boolean(state?.opted_out),
      sentLastHour: Number(state?.recent ?? 0) + (queued.get(hash) ?? 0),
      hourlyLimit: ctx.config.notifyHourlyLimit,
      inConversation: a.medium === "messenger",
    });
    decided.set(`${a.medium}\n${a.source}`, verdict);
    if (verdict === "send") queued.set(hash, (queued.get(hash) ?? 0) + 1);
    rows.push({
      medium: a.medium,
      source: a.source,
      contactHash: hash,
      requestId: a.requestId,
      kind: a.news,
      essential: POLICY[a.news].essential,
      outcome: verdict === "send" ? "queued" : verdict,
    });
    return verdict;
  });
  if (rows.length > 0) await tx.insert(notificationLog).values(rows);
  return verdicts;
}
