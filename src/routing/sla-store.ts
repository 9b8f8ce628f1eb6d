// The SQL of the SLA's settings: policies and the escalation ladder as administrators edit them.
import { asc, eq } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import type { EscalationRule, Policy } from "./sla-clock.ts";
import { escalationRules, slaPolicies } from "./sla-schema.ts";

/** A policy's columns as written: the targets flattened, the editor's note, who changed it. */
export type PolicyRow = Omit<typeof slaPolicies.$inferInsert, "id" | "updatedAt">;

export async function readPolicies(db: Queryable): Promise<Policy[]> {
  const rows = await db.select().from(slaPolicies).orderBy(asc(slaPolicies.id));
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    category: r.category,
    priority: r.priority,
    firstResponse: { minutes: r.firstResponseMinutes, basis: r.firstResponseBasis },
    resolution: { minutes: r.resolutionMinutes, basis: r.resolutionBasis },
  }));
}

export async function readRules(db: Queryable): Promise<EscalationRule[]> {
  const rows = await db.select().from(escalationRules).orderBy(asc(escalationRules.id));
  return rows.map((r) => ({ id: r.id, trigger: r.trigger, afterMinutes: r.afterMinutes, action: r.action }));
}

export async function insertPolicy(db: Queryable, values: PolicyRow): Promise<number> {
  const [row] = await db.insert(slaPolicies).values(values).returning({ id: slaPolicies.id });
  return row!.id;
}

/** False when there is no policy with this id. */
export async function updatePolicy(db: Queryable, id: number, values: PolicyRow): Promise<boolean> {
  const rows = await db
    .update(slaPolicies)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(slaPolicies.id, id))
    .returning({ id: slaPolicies.id });
  return rows.length > 0;
}

/** False when there is no policy with this id. */
export async function deletePolicy(db: Queryable, id: number): Promise<boolean> {
  const rows = await db.delete(slaPolicies).where(eq(slaPolicies.id, id)).returning({ id: slaPolicies.id });
  return rows.length > 0;
}

/** The whole ladder at once, in one transaction: a reader never sees half of it. */
export async function replaceRules(db: Queryable, rules: readonly Omit<EscalationRule, "id">[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(escalationRules);
    if (rules.length) await tx.insert(escalationRules).values([...rules]);
  });
}
