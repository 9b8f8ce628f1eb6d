// Administrators' changes of the SLA: policies and the escalation ladder. Every change is audited and announced in its
// own transaction, so each process reloads what it holds in memory (sla-service.ts).
import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { isCategoryCode } from "../requests/categories.ts";
import type { EscalationRule } from "./sla-clock.ts";
import { loadSla, SLA_CHANGED } from "./sla-service.ts";
import { deletePolicy, insertPolicy, type PolicyRow, replaceRules, updatePolicy } from "./sla-store.ts";

type Target = { minutes: number; basis: "calendar" | "working" };

export type PolicyInput = {
  channel: string | null;
  category: string | null;
  priority: string | null;
  firstResponse: Target;
  resolution: Target;
  note?: string;
};

function policyRow(b: PolicyInput, userId: number): PolicyRow {
  if (b.category !== null && !isCategoryCode(b.category)) {
    throw errors.validation(`Неизвестная категория «${b.category}».`, { field: "category" });
  }
  return {
    channel: b.channel,
    category: b.category,
    priority: b.priority,
    firstResponseMinutes: b.firstResponse.minutes,
    firstResponseBasis: b.firstResponse.basis,
    resolutionMinutes: b.resolution.minutes,
    resolutionBasis: b.resolution.basis,
    note: b.note ?? "",
    updatedBy: userId,
  };
}

/** A unique violation anywhere in the chain of causes: the same channel, category and priority twice. */
function duplicate(e: unknown): boolean {
  for (let c = e as { code?: string; cause?: unknown } | undefined; c; c = c.cause as typeof c) {
    if (c.code === "23505") return true;
  }
  return false;
}

/** The change's audit entry and the announcement, in the change's transaction. */
async function record(tx: Tx, userId: number, action: string, subjectId: string, details: Record<string, unknown>) {
  await audit(tx, { actorId: userId, action, subjectType: "sla", subjectId, details });
  await emit(tx, SLA_CHANGED, {});
}

/** What the log keeps of a policy: the targets as entered. */
function described(input: PolicyInput) {
  return {
    channel: input.channel,
    category: input.category,
    priority: input.priority,
    firstResponse: input.firstResponse,
    resolution: input.resolution,
  };
}

export async function addPolicy(ctx: AppContext, input: PolicyInput, userId: number): Promise<number> {
  const row = policyRow(input, userId);
  let id: number;
  try {
    id = await ctx.db.transaction(async (tx) => {
      const made = await insertPolicy(tx, row);
      await record(tx, userId, "sla.policy_create", `policy:${made}`, described(input));
      return made;
    });
  } catch (e) {
    if (duplicate(e)) throw errors.conflict("policy_exists", "Политика для такого сочетания уже есть: измените её.");
    throw e;
  }
  await loadSla(ctx);
  return id;
}

export async function changePolicy(ctx: AppContext, id: number, input: PolicyInput, userId: number): Promise<void> {
  const row = policyRow(input, userId);
  try {
    await ctx.db.transaction(async (tx) => {
      if (!(await updatePolicy(tx, id, row))) throw errors.notFound("sla_policy");
      await record(tx, userId, "sla.policy_update", `policy:${id}`, described(input));
    });
  } catch (e) {
    if (duplicate(e)) throw errors.conflict("policy_exists", "Политика для такого сочетания уже есть.");
    throw e;
  }
  await loadSla(ctx);
}

export async function removePolicy(ctx: AppContext, id: number, userId: number): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    if (!(await deletePolicy(tx, id))) throw errors.notFound("sla_policy");
    await record(tx, userId, "sla.policy_delete", `policy:${id}`, {});
  });
  await loadSla(ctx);
}

/** The ladder replaced whole; levels requests have already passed stay, so new steps fire in order. */
export async function replaceEscalationRules(
  ctx: AppContext,
  rules: readonly Omit<EscalationRule, "id">[],
  userId: number,
) {
  await ctx.db.transaction(async (tx) => {
    await replaceRules(tx, rules);
    await record(tx, userId, "sla.rules_replace", "rules", { rules: [...rules] });
  });
  await loadSla(ctx);
}
