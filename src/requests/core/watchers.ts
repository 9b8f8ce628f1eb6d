// Followers of a request: an employee who escalated it or wrote a note in it keeps seeing it after it has moved to
// another department, and hears of its changes (routing's notifications). Following is announced as
// `request.watched`, so the follower's console learns of it at once.
import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { requestWatchers } from "../schema.ts";
import type { RequestRow } from "./ports.ts";

export type WatchReason = "escalated" | "noted";

export async function watch(tx: Tx, row: Pick<RequestRow, "id" | "number">, userId: number, reason: WatchReason) {
  const added = await tx
    .insert(requestWatchers)
    .values({ requestId: row.id, userId, reason })
    .onConflictDoNothing()
    .returning({ userId: requestWatchers.userId });
  if (added.length === 0) return;
  await emit(tx, "request.watched", { requestId: row.id, number: row.number, userId, reason });
}

/** Stops following (an employee who no longer wants the notices). */
export async function unwatch(tx: Tx, requestId: number, userId: number) {
  await tx.execute(sql`delete from ${requestWatchers} where request_id = ${requestId} and user_id = ${userId}`);
}
