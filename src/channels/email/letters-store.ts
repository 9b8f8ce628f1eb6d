// The SQL of the staff's views of letters: a request's letters both ways, the letters that opened nothing, and the
// raw bytes of one.
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Queryable } from "../../db/client.ts";
import { emailInbox, emailOutbox } from "./db-schema.ts";

const inboundColumns = {
  id: emailInbox.id,
  receivedAt: emailInbox.receivedAt,
  from: emailInbox.fromAddress,
  subject: emailInbox.subject,
  size: emailInbox.size,
  outcome: emailInbox.outcome,
  reason: emailInbox.reason,
  flags: emailInbox.flags,
  attachments: emailInbox.attachments,
  duplicateOf: emailInbox.duplicateOf,
};

const outboundColumns = {
  id: emailOutbox.id,
  kind: emailOutbox.kind,
  to: emailOutbox.to,
  subject: emailOutbox.subject,
  createdAt: emailOutbox.createdAt,
  sentAt: emailOutbox.sentAt,
  failedAt: emailOutbox.failedAt,
  attempts: emailOutbox.attempts,
  lastErrorCode: emailOutbox.lastErrorCode,
};

export type InboundRow = Awaited<ReturnType<typeof requestLetters>>["inbound"][number];
export type OutboundRow = Awaited<ReturnType<typeof requestLetters>>["outbound"][number];

/** The letters received for a request and those sent about it, oldest first. */
export async function requestLetters(db: Queryable, requestId: number) {
  const [inbound, outbound] = await Promise.all([
    db.select(inboundColumns).from(emailInbox).where(eq(emailInbox.requestId, requestId)).orderBy(asc(emailInbox.id)),
    db
      .select(outboundColumns)
      .from(emailOutbox)
      .where(eq(emailOutbox.requestId, requestId))
      .orderBy(asc(emailOutbox.id)),
  ]);
  return { inbound, outbound };
}

/**
 * Letters that belong to no request, newest first: those still waiting to be processed, then those that opened
 * nothing (machines' letters kept for the record, failures); at most `limit` of each.
 */
export async function lettersWithoutRequest(db: Queryable, limit: number) {
  const [pending, unmatched] = await Promise.all([
    db
      .select(inboundColumns)
      .from(emailInbox)
      .where(isNull(emailInbox.processedAt))
      .orderBy(desc(emailInbox.id))
      .limit(limit),
    db
      .select(inboundColumns)
      .from(emailInbox)
      .where(and(isNull(emailInbox.requestId), inArray(emailInbox.outcome, ["keep_only", "failed"])))
      .orderBy(desc(emailInbox.id))
      .limit(limit),
  ]);
  return [...pending, ...unmatched];
}

/** One received letter's bytes, with what says whether it may be served and through which route. */
export async function letterRaw(db: Queryable, id: number) {
  const [letter] = await db
    .select({ raw: emailInbox.raw, requestId: emailInbox.requestId, duplicateOf: emailInbox.duplicateOf })
    .from(emailInbox)
    .where(eq(emailInbox.id, id));
  return letter;
}
