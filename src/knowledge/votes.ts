// «Была ли статья полезной?» without letting one visitor move an article: one vote per article per client address
// a day, and per browser session; a repeated answer changes the earlier vote; at most DAILY_LIMIT articles a day
// from one address or session. The address is kept only as a keyed hash of the day and the address, forgotten
// (set to null) once the day is over.

import { createHmac } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { and, count, eq, gte, isNotNull, lt, or, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Db } from "../db/client.ts";
import { AppError } from "../http/errors.ts";
import { keyring } from "../security/sealed.ts";
import { sha256 } from "../security/tokens.ts";
import { count as counted, plural, WORDS } from "../text/plural.ts";
import { kbFeedback } from "./db-schema.ts";

/** Different articles one address (or one browser session) may rate in a Moscow day. */
export const DAILY_LIMIT = 20;
const ZONE = "Europe/Moscow";

/** The part of an address that names one client: IPv4 whole; IPv6 by its /64, which one subscriber usually holds. */
export function clientKey(ip: string): string {
  const bare = ip.split("%")[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(bare)) return bare;
  const [head, tail] = bare.toLowerCase().split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

function limitReached(secondsLeft: number): AppError {
  const hours = Math.ceil(secondsLeft / 3600);
  const minutes = Math.ceil(secondsLeft / 60);
  const wait = secondsLeft >= 3600 ? counted(hours, ...WORDS.hour) : counted(minutes, ...WORDS.minuteAccusative);
  const rated = plural(DAILY_LIMIT, ...WORDS.ratedVerb);
  const articles = plural(DAILY_LIMIT, ...WORDS.article);
  return new AppError(
    "kb_feedback_limit",
    `С вашего адреса сегодня ${rated} ${DAILY_LIMIT} ${articles} — это предел на день. Уже данные оценки можно изменить, а новые статьи можно будет оценить через ${wait}, после полуночи по московскому времени.`,
    429,
    { retryAfter: secondsLeft },
  );
}

const forgottenBefore = new WeakMap<Db, string>();

export type Voter = { ip: string; session: string };

/**
 * Records the vote of one address and browser session (`session`: the random value of its cookie): a new row, or
 * the same day's row of this session or address changed. Refuses a new article beyond the daily limit.
 */
export async function castVote(db: Db, slug: string, helpful: boolean, who: Voter, now = new Date()) {
  const day = DateTime.fromJSDate(now, { zone: ZONE }).startOf("day");
  const dayStart = day.toJSDate();
  const voter = createHmac("sha256", keyring().indexKey)
    .update(`kb-vote\0${day.toISODate()}\0${clientKey(who.ip)}`)
    .digest("base64url");
  const session = sha256(who.session);
  // Forget who voted on earlier days (their hashes take part in nothing any more): once a day per process, in a
  // statement of its own, so that no vote waits for it while holding its locks.
  if (forgottenBefore.get(db) !== day.toISODate()) {
    await db
      .update(kbFeedback)
      .set({ voter: null, sessionHash: null })
      .where(and(isNotNull(kbFeedback.voter), lt(kbFeedback.createdAt, dayStart)));
    forgottenBefore.set(db, day.toISODate()!);
  }
  await db.transaction(async (tx) => {
    // One address's and one session's votes are decided one at a time, so a burst cannot pass the limit.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`kb-vote:${voter}`}))`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`kb-vote:${session}`}))`);
    const today = gte(kbFeedback.createdAt, dayStart);
    const [mine] = await tx
      .select({ id: kbFeedback.id })
      .from(kbFeedback)
      .where(
        and(
          eq(kbFeedback.slug, slug),
          or(eq(kbFeedback.voter, voter), and(eq(kbFeedback.sessionHash, session), today)),
        ),
      )
      .limit(1);
    if (mine) {
      await tx
        .update(kbFeedback)
        .set({ helpful, sessionHash: session, updatedAt: now })
        .where(eq(kbFeedback.id, mine.id));
      return;
    }
    const [used] = await tx
      .select({ n: count() })
      .from(kbFeedback)
      .where(or(eq(kbFeedback.voter, voter), and(eq(kbFeedback.sessionHash, session), today)));
    if (Number(used?.n ?? 0) >= DAILY_LIMIT) {
      throw limitReached(Math.max(1, Math.ceil(day.plus({ days: 1 }).diff(DateTime.fromJSDate(now)).as("seconds"))));
    }
    await tx.insert(kbFeedback).values({ slug, helpful, voter, sessionHash: session, createdAt: now, updatedAt: now });
  });
}
