// The links of the audit chain: each entry's hash covers the previous hash and every field, so an entry cannot be
// edited, removed from the middle or moved without breaking the chain from that point on.
import { createHash } from "node:crypto";

export type AuditEntry = {
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | null;
  details?: Record<string, unknown>;
};

/** The `prev_hash` of the very first entry. */
export const GENESIS = "0".repeat(64);

/** The settings row holding the hash of the last purged entry: the chain starts from it after a purge. */
export const ANCHOR_KEY = "audit_anchor";

/** The action of the entry a retention purge appends: what it removed, signed (see `anchor.ts`). */
export const PURGE_ACTION = "audit.purge";

export function digest(prev: string, at: Date, e: AuditEntry): string {
  const canonical = JSON.stringify([
    prev,
    at.toISOString(),
    e.actorId,
    e.action,
    e.subjectType,
    e.subjectId,
    e.reason ?? null,
    sorted(e.details ?? {}),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * jsonb keeps an object's keys in an order of its own, so `details` read back is not what was written: keys are
 * hashed sorted. An object of one key (every entry written before this rule) hashes as it always did.
 */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sorted(o[k])]),
  );
}
