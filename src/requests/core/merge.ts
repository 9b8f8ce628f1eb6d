// Requests that are one, or two, or next to each other: a duplicate merged into the request it repeats, a message
// split off into a request of its own, and related requests linked both ways. Each side gets its history row; the
// merged request's applicant hears of it once (deliveries.ts: `request.merged`).
import { and, eq, or, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { errors } from "../../http/errors.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { attachments, messages, requestRelations, requests, requestWatchers } from "../schema.ts";
import type { RequestRow, RequestRules } from "./ports.ts";
import { type Actor, applyPatch, lockRequest, writeHistory } from "./row.ts";

const shown = (row: RequestRow) => displayRequestNumber(row.number);

/** Both rows locked, the smaller id first, so that two acts on the same pair never wait for each other. */
async function lockPair(tx: Tx, aId: number, bId: number): Promise<[RequestRow, RequestRow]> {
  const first = await lockRequest(tx, Math.min(aId, bId));
  const second = await lockRequest(tx, Math.max(aId, bId));
  return aId < bId ? [first, second] : [second, first];
}

/**
 * Refuses a target that cannot take a duplicate: one merged into another itself, or a closed one. Checked by the merge
 * on the locked row, and before a bulk merge on the row as read (one refusal for the whole selection).
 */
export function refuseMergeTarget(target: Pick<RequestRow, "number" | "status" | "mergedIntoId">) {
  if (target.mergedIntoId !== null) {
    throw errors.conflict(
      "merge_target_merged",
      `Обращение № ${displayRequestNumber(target.number)} само объединено с другим: выберите то, с которым его объединили.`,
    );
  }
  if (target.status === "closed") {
    throw errors.conflict(
      "merge_target_closed",
      `Обращение № ${displayRequestNumber(target.number)} закрыто: присоединить к нему другое обращение нельзя.`,
    );
  }
}

export type Merged = { source: RequestRow; target: RequestRow; messages: number; files: number };

/**
 * Merges `sourceId` into `targetId`: the source's messages and files move to the target (its history stays where it
 * was written, and each side's new history row names the other; a moved message keeps the source's id in
 * `merged_from`, and the target's applicant sees it only when the source was theirs too), its followers follow the
 * target, its related requests become the target's, and it is closed as merged. Its number and tracking link lead to
 * the target from then on (queries.ts).
 */
export async function merge(
  rules: RequestRules,
  tx: Tx,
  sourceId: number,
  targetId: number,
  actor: Actor,
  now = new Date(),
): Promise<Merged> {
  if (sourceId === targetId) throw errors.conflict("merge_self", "Нельзя объединить обращение с самим собой.");
  const [source, target] = await lockPair(tx, sourceId, targetId);
  if (target.mergedIntoId === source.id) {
    throw errors.conflict(
      "merge_circular",
      `Обращение № ${shown(target)} уже объединено с обращением № ${shown(source)}: объединить их обратно нельзя.`,
    );
  }
  if (source.mergedIntoId !== null) {
    throw errors.conflict("merge_source_merged", `Обращение № ${shown(source)} уже объединено с другим.`);
  }
  if (source.status === "closed") {
    throw errors.conflict("merge_source_closed", `Обращение № ${shown(source)} закрыто: объединять его поздно.`);
  }
  refuseMergeTarget(target);

  // Each moved message remembers the request it was written on, so that the target's tracking page shows another
  // applicant's words to no one (queries.ts, getTrackingView).
  const moved = await tx
    .update(messages)
    .set({ requestId: target.id, mergedFrom: sql`coalesce(${messages.mergedFrom}, ${source.id})` })
    .where(eq(messages.requestId, source.id))
    .returning({ id: messages.id });
  const files = await tx
    .update(attachments)
    .set({ requestId: target.id })
    .where(eq(attachments.requestId, source.id))
    .returning({ id: attachments.id });
  await tx.execute(sql`insert into ${requestWatchers} (request_id, user_id, reason)
    select ${target.id}, user_id, reason from ${requestWatchers} where request_id = ${source.id}
    on conflict do nothing`);
  await tx.execute(sql`insert into ${requestRelations} (a_id, b_id, created_by)
    select least(${target.id}::bigint, other), greatest(${target.id}::bigint, other), created_by from (
      select case when a_id = ${source.id} then b_id else a_id end as other, created_by
      from ${requestRelations} where a_id = ${source.id} or b_id = ${source.id}
    ) o where other <> ${target.id}
    on conflict do nothing`);
  await tx.delete(requestRelations).where(or(eq(requestRelations.aId, source.id), eq(requestRelations.bId, source.id)));

  // Closed whatever its status: merging is not a step of the status machine, it ends the duplicate's own life.
  const closed = await applyPatch(tx, source, {
    status: "closed",
    closedAt: now,
    updatedAt: now,
    mergedIntoId: target.id,
    ...rules.clockOn(source, "closed", now),
  });
  const counts = { messages: moved.length, files: files.length };
  await writeHistory(tx, closed, actor, "merged", {
    into: target.number,
    status: [source.status, "closed"],
    ...counts,
  });
  const grown = await applyPatch(
    tx,
    target,
    { updatedAt: now },
    {
      search: sql`coalesce(${requests.search}, ''::tsvector) || coalesce((select search from ${requests} where id = ${source.id}), ''::tsvector)`,
    },
  );
  await writeHistory(tx, grown, actor, "merged_from", { from: source.number, ...counts });
  return { source: closed, target: grown, ...counts };
}

/** The message to split off, checked: the applicant's words on this request. */
export async function splittable(tx: Tx, requestId: number, messageId: number) {
  const [m] = await tx
    .select({ id: messages.id, body: messages.body, authorType: messages.authorType, visibility: messages.visibility })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.requestId, requestId)));
  if (!m) throw errors.validation("В этом обращении нет такого сообщения.", { field: "messageId" });
  if (m.authorType !== "applicant" || m.visibility !== "public") {
    throw errors.validation("В новое обращение можно выделить только сообщение заявителя.", {
      field: "messageId",
    });
  }
  return m;
}

/** The two history rows of a split, written in the new request's registration. */
export async function recordSplit(
  tx: Tx,
  sourceId: number,
  created: { id: number; number: string },
  messageId: number,
  actor: Actor,
) {
  const source = await lockRequest(tx, sourceId);
  const fresh = await lockRequest(tx, created.id);
  await writeHistory(tx, source, actor, "split", { to: fresh.number, messageId });
  await writeHistory(tx, fresh, actor, "split_from", { from: source.number, messageId });
}

/** Links two requests as related (both ways); false when they were already linked. */
export async function relate(tx: Tx, aId: number, bId: number, actor: Actor): Promise<boolean> {
  if (aId === bId) throw errors.conflict("relation_self", "Нельзя связать обращение с самим собой.");
  const [a, b] = await lockPair(tx, aId, bId);
  const added = await tx
    .insert(requestRelations)
    .values({
      aId: Math.min(aId, bId),
      bId: Math.max(aId, bId),
      createdBy: actor.type === "staff" ? actor.user.id : null,
    })
    .onConflictDoNothing()
    .returning({ aId: requestRelations.aId });
  if (added.length === 0) return false;
  await writeHistory(tx, a, actor, "related", { number: b.number });
  await writeHistory(tx, b, actor, "related", { number: a.number });
  return true;
}

/** Unlinks two related requests; false when they were not linked. */
export async function unrelate(tx: Tx, aId: number, bId: number, actor: Actor): Promise<boolean> {
  const [a, b] = await lockPair(tx, aId, bId);
  const removed = await tx
    .delete(requestRelations)
    .where(and(eq(requestRelations.aId, Math.min(aId, bId)), eq(requestRelations.bId, Math.max(aId, bId))))
    .returning({ aId: requestRelations.aId });
  if (removed.length === 0) return false;
  await writeHistory(tx, a, actor, "unrelated", { number: b.number });
  await writeHistory(tx, b, actor, "unrelated", { number: a.number });
  return true;
}
