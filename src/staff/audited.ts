// Who made a change to an account or a token, as the audit log records it.
import type { AuditEntry } from "../audit/audit.ts";

/**
 * An employee through the API, the command line or the organisation's directory at a single sign-on (no actor;
 * `via: "cli"` or `via: "directory"` in the details).
 */
export type Actor = { userId: number } | { cli: true } | { directory: true };

/**
 * The entry's actor and details. The chain's hash covers the details as PostgreSQL reads them back, and jsonb keeps
 * an object's keys shorter first, then in byte order: the details are built in that order, or the chain would break.
 */
export function audited(by: Actor, details: Record<string, unknown> = {}): Pick<AuditEntry, "actorId" | "details"> {
  const via = "cli" in by ? "cli" : "directory" in by ? "directory" : undefined;
  const all: Record<string, unknown> = via ? { ...details, via } : details;
  const keys = Object.keys(all).sort((a, b) => {
    const la = Buffer.byteLength(a);
    const lb = Buffer.byteLength(b);
    return la !== lb ? la - lb : Buffer.compare(Buffer.from(a), Buffer.from(b));
  });
  return { actorId: "userId" in by ? by.userId : null, details: Object.fromEntries(keys.map((k) => [k, all[k]])) };
}
