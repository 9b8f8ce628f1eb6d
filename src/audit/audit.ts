// The audit log of personal data: appended in the caller's transaction, chained by SHA-256, verifiable.
import { createHash } from "node:crypto";
import { asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { settings } from "../db/schema.ts";
import { auditLog } from "./db-schema.ts";

export type AuditEntry = {
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  details?: Record<string, unknown>;
};

const GENESIS = "0".repeat(64);

function digest(prev: string, at: Date, e: AuditEntry): string {
  const canonical = JSON.stringify([
    prev,
    at.toISOString(),
    e.actorId,
    e.action,
    e.subjectType,
    e.subjectId,
    e.reason ?? null,
    e.details ?? {},
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

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

/** Recomputes the chain; returns the id of the first entry that does not match, or null when all hold. */
export async function verifyChain(db: Queryable): Promise<{ checked: number; brokenAt: number | null }> {
  // Entries past their retention period are purged from the head; the last purged hash is the anchor.
  const [anchor] = await db.select().from(settings).where(eq(settings.key, "audit_anchor"));
  let prev = anchor?.value ?? GENESIS;
  let checked = 0;
  let after = 0;
  for (;;) {
    const rows = await db.select().from(auditLog).where(gt(auditLog.id, after)).orderBy(asc(auditLog.id)).limit(1000);
    if (rows.length === 0) return { checked, brokenAt: null };
    for (const r of rows) {
      const expected = digest(prev, r.at, {
        actorId: r.actorId,
        action: r.action,
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        reason: r.reason,
        details: r.details,
      });
      if (r.prevHash !== prev || r.hash !== expected) return { checked, brokenAt: r.id };
      prev = r.hash;
      checked++;
      after = r.id;
    }
  }
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
