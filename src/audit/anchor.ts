// The audit chain's anchors: a signed checkpoint of its head (for the server's log and `audit checkpoint`), and the
// retention purge, which removes the oldest entries and records itself, signed, as a new entry of the chain.
import { sql } from "drizzle-orm";
import type { Db, Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { settings } from "../db/schema.ts";
import { audit } from "./audit.ts";
import { ANCHOR_KEY, PURGE_ACTION } from "./chain.ts";
import { type AuditKey, auditKey, type Checkpoint, openPurge, signCheckpoint, signPurge } from "./seal.ts";

/** The head, the number of entries since the beginning and the time, signed. */
export async function takeCheckpoint(
  db: Queryable,
  k: AuditKey = auditKey(),
): Promise<{ token: string; checkpoint: Checkpoint }> {
  // One statement, one snapshot: appends are serialised by a lock and commit in id order, so it sees a prefix.
  const [row] = rowsOf<{ id: string | null; hash: string | null; present: string; purged: string | null }>(
    await db.execute(sql`select
      (select id from audit_log order by id desc limit 1) as id,
      (select hash from audit_log order by id desc limit 1) as hash,
      (select count(*) from audit_log) as present,
      (select details->>'purgedTotal' from audit_log where action = ${PURGE_ACTION} order by id desc limit 1) as purged`),
  );
  const facts = {
    id: row?.id == null ? null : Number(row.id),
    hash: row?.hash ?? null,
    count: Number(row?.present ?? 0) + Number(row?.purged ?? 0),
    at: new Date().toISOString(),
  };
  const token = signCheckpoint(k, facts);
  return { token, checkpoint: { ...facts, key: k.id } };
}

/**
 * Removes the entries older than `before` from the beginning of the chain (never one after a younger entry, so what
 * goes is always a prefix), keeps the hash of the last one as the anchor and appends a signed record of the purge:
 * without the key, a deletion of the oldest entries cannot pass for a purge. Returns the number removed.
 */
export async function purgeAudit(db: Db, before: Date, k: AuditKey = auditKey()): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-audit'))`);
    const [last] = rowsOf<{ id: string; hash: string }>(
      await tx.execute(sql`select id, hash from audit_log
        where id < coalesce((select min(id) from audit_log where at >= ${before}), (select max(id) + 1 from audit_log))
        order by id desc limit 1`),
    );
    if (!last) return 0;
    const [previous] = rowsOf<{ details: Record<string, unknown> }>(
      await tx.execute(sql`select details from audit_log where action = ${PURGE_ACTION} order by id desc limit 1`),
    );
    // Its total is carried on: one that is forged must stay in sight, not be signed over.
    if (previous && openPurge(k, previous.details).rejected === "forged") {
      throw new Error("Очистка журнала доступа отложена: последняя запись об очистке подделана (audit verify).");
    }
    const throughId = Number(last.id);
    const [gone] = rowsOf<{ n: string }>(
      await tx.execute(sql`with d as (delete from audit_log where id <= ${throughId} returning 1)
        select count(*) as n from d`),
    );
    const removed = Number(gone?.n ?? 0);
    await tx
      .insert(settings)
      .values({ key: ANCHOR_KEY, value: last.hash })
      .onConflictDoUpdate({ target: settings.key, set: { value: last.hash } });
    const facts = {
      throughId,
      anchor: last.hash,
      removed,
      purgedTotal: Number(previous?.details.purgedTotal ?? 0) + removed,
    };
    await audit(tx, {
      actorId: null,
      action: PURGE_ACTION,
      subjectType: "audit_log",
      subjectId: String(throughId),
      reason: null,
      details: signPurge(k, facts),
    });
    return removed;
  });
}
