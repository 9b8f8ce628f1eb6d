// The audit log of personal data: appended in the caller's transaction, chained by SHA-256, verifiable.
import { desc, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { type AuditEntry, digest, GENESIS } from "./chain.ts";
import { auditLog } from "./db-schema.ts";

export type { AuditEntry } from "./chain.ts";
export { verifyChain } from "./verify.ts";

/** Appends one entry. The transaction-scoped lock keeps the chain a line even with several processes. */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-audit'))`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const prevHash = last?.hash ?? GENESIS;
  // Milliseconds only: what PostgreSQL stores must be what was hashed.
  const at = new Date(Math.floor(Date.now()));
  await tx.insert(auditLog).values({
    at,
    actorId: entry.actorId,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    reason: entry.reason ?? null,
    details: entry.details ?? {},
    prevHash,
    hash: digest(prevHash, at, entry),
  });
}

export async function listAudit(db: Queryable, opts: { subjectType?: string; subjectId?: string; limit?: number }) {
  const conds = [];
  if (opts.subjectType) conds.push(sql`${auditLog.subjectType} = ${opts.subjectType}`);
  if (opts.subjectId) conds.push(sql`${auditLog.subjectId} = ${opts.subjectId}`);
  const where = conds.length ? sql.join(conds, sql` and `) : undefined;
  return db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(Math.min(opts.limit ?? 100, 500));
}
