// One change for many requests at once: each request is found within the employee's scope and changed by the
// request core in a transaction of its own (one history row each), so a request that cannot take the change stays as
// it was and the others go on; the answer says which failed and why. A merge joins each selected request to one
// target by the core's own merge, as the request page does one at a time (decision 013).
import { and, eq, inArray } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { isDatabaseUnavailable } from "../../db/outage.ts";
import { report } from "../../guard.ts";
import { errors, isAppError } from "../../http/errors.ts";
import { departments } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { plural, WORDS, count as wordCount } from "../../text/plural.ts";
import { mergedRefusal } from "../actions.ts";
import { isCategoryCode } from "../categories.ts";
import { refuseMergeTarget, staffActor } from "../core/index.ts";
import { normalizeRequestNumber } from "../number.ts";
import { visibleRequestRow } from "../queries.ts";
import { requests } from "../schema.ts";
import { scopeCondition } from "../scope.ts";
import type { Status } from "../status.ts";

/** At most this many requests in one change: a bigger selection is refused whole, before anything changes. */
export const BULK_MAX = 500;
/** Requests changed at the same time (each in its own transaction). */
const PARALLEL = 4;

export type BulkAction =
  | { type: "assign"; assigneeId: number | null }
  | { type: "status"; status: Status; reason?: string | undefined }
  | { type: "category"; category: string }
  | { type: "priority"; priority: "low" | "normal" | "high" | "urgent" }
  | { type: "escalate"; department: string; reason: string }
  | { type: "merge"; into: string };

export type BulkFailure = { number: string; code: string; message: string };
/** A selected request the action leaves alone by design: the target of a merge among the requests merged into it. */
export type BulkSkip = { number: string; message: string };
export type BulkResult = {
  total: number;
  changed: string[];
  failed: BulkFailure[];
  skipped: BulkSkip[];
  summary: string;
};

/** The request a bulk merge joins the others to, found in the employee's scope before anything changes. */
type Target = { id: number; number: string };

export async function bulkChange(
  ctx: AppContext,
  user: StaffUser,
  numbers: string[],
  action: BulkAction,
): Promise<BulkResult> {
  const asked = [...new Set(numbers.map((n) => normalizeRequestNumber(n) ?? n))];
  if (asked.length > BULK_MAX)
    throw errors.badInput(
      "bulk_too_large",
      `За один раз можно изменить не больше ${wordCount(BULK_MAX, ...WORDS.requestGenitive)}, а выбрано ${asked.length.toLocaleString("ru-RU")}. Выберите меньше.`,
      { field: "numbers", max: BULK_MAX },
    );
  await checkAction(ctx, action);
  const target = action.type === "merge" ? await mergeTarget(ctx, user, action.into) : undefined;
  const skipped: BulkSkip[] = [];
  if (target && asked.includes(target.number)) {
    asked.splice(asked.indexOf(target.number), 1);
    skipped.push({ number: target.number, message: "С этим обращением объединяли остальные: оно осталось как было." });
    if (asked.length === 0)
      throw errors.badInput(
        "merge_nothing",
        `Выбрано только обращение № ${displayRequestNumber(target.number)}, с которым нужно объединять. Выберите его дубли.`,
        { field: "numbers" },
      );
  }
  // One scoped look-up for all of them: a request outside the employee's scope is «not found», as on its own page.
  const visible = new Map(
    (
      await ctx.db
        .select({ id: requests.id, number: requests.number, mergedIntoId: requests.mergedIntoId })
        .from(requests)
        .where(and(inArray(requests.number, asked), scopeCondition(user)))
    ).map((r) => [r.number, r]),
  );
  const changed: string[] = [];
  const failed: BulkFailure[] = [];
  const queue = [...asked];
  const worker = async () => {
    for (let number = queue.shift(); number !== undefined; number = queue.shift()) {
      const row = visible.get(number);
      if (row === undefined) {
        failed.push({ number, code: "not_found", message: errors.notFound("request").message });
        continue;
      }
      try {
        // A request merged into another is refused as on its own page, naming the request where work goes on.
        if (action.type === "merge" && row.mergedIntoId !== null) throw await mergedRefusal(ctx, row);
        await ctx.db.transaction((tx) => apply(ctx, tx, row.id, user, action, target));
        changed.push(number);
      } catch (e) {
        if (isDatabaseUnavailable(e)) throw e;
        // An error that is not the request's refusal is a fault: logged by class and stack, never by its message.
        if (!isAppError(e)) report("requests.bulk", e);
        failed.push(
          isAppError(e)
            ? { number, code: e.code, message: e.message }
            : { number, code: "failed", message: "Изменение не удалось из-за внутренней ошибки." },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, asked.length) }, worker));
  // In the order asked, whatever order the workers finished in.
  const order = new Map(asked.map((n, i) => [n, i]));
  changed.sort((a, b) => order.get(a)! - order.get(b)!);
  failed.sort((a, b) => order.get(a.number)! - order.get(b.number)!);
  const summary = target
    ? mergeSummary(asked.length, changed.length, target.number, skipped.length > 0)
    : bulkSummary(asked.length, changed.length);
  return { total: asked.length, changed, failed, skipped, summary };
}

/**
 * The target of a bulk merge, checked once for the whole selection: unknown or outside the employee's scope, merged
 * into another or closed, it refuses the action before any request changes (the single merge's codes and texts for
 * the last two). The merge of each request checks it again on the locked row.
 */
async function mergeTarget(ctx: AppContext, user: StaffUser, into: string): Promise<Target> {
  const number = normalizeRequestNumber(into);
  if (!number)
    throw errors.validation("Номер обращения, с которым нужно объединить, указан неверно: в нём 6–12 цифр.", {
      field: "into",
    });
  let row: Awaited<ReturnType<typeof visibleRequestRow>>;
  try {
    row = await visibleRequestRow(ctx.db, user, number);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found")
      throw errors.badInput(
        "merge_target_not_found",
        `Обращение № ${displayRequestNumber(number)}, с которым нужно объединить выбранные, не найдено.`,
        { field: "into" },
      );
    throw e;
  }
  refuseMergeTarget(row);
  return { id: row.id, number: row.number };
}

/** What the change needs whatever the request: a wrong department or category is one error, not one per request. */
async function checkAction(ctx: AppContext, action: BulkAction) {
  if (action.type === "category" && !isCategoryCode(action.category))
    throw errors.validation(`Неизвестная категория «${action.category}».`, { field: "category" });
  if (action.type === "escalate") {
    if (!action.reason.trim())
      throw errors.validation("Укажите причину передачи в подразделение.", { field: "reason" });
    const [known] = await ctx.db
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.code, action.department));
    if (!known) throw errors.validation(`Неизвестное подразделение «${action.department}».`, { field: "department" });
  }
}

function apply(
  ctx: AppContext,
  tx: Tx,
  id: number,
  user: StaffUser,
  action: BulkAction,
  target?: Target,
): Promise<unknown> {
  const actor = staffActor(user);
  switch (action.type) {
    case "assign":
      return ctx.requests.update(tx, id, { assigneeId: action.assigneeId }, actor);
    case "category":
      return ctx.requests.update(tx, id, { category: action.category }, actor);
    case "priority":
      return ctx.requests.update(tx, id, { priority: action.priority }, actor);
    case "status":
      return ctx.requests.transition(tx, id, action.status, actor, { reason: action.reason });
    case "escalate":
      return ctx.requests.escalate(tx, id, action.department, actor, { reason: action.reason.trim() });
    case "merge":
      return ctx.requests.merge(tx, id, target!.id, actor);
  }
}

/** «Изменено 48 обращений из 50; 2 не изменены.», «Изменены 2 обращения.», «Ни одно из 3 обращений не изменено.» */
export function bulkSummary(total: number, changed: number): string {
  const failed = total - changed;
  const verb = (n: number) => plural(n, ...WORDS.changedVerb);
  const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  if (failed === 0) return `${capital(verb(changed))} ${wordCount(changed, ...WORDS.request)}.`;
  if (changed === 0)
    return total === 1
      ? "Обращение не изменено."
      : `Ни одно из ${total.toLocaleString("ru-RU")} ${plural(total, ...WORDS.requestGenitive)} не изменено.`;
  return `${capital(verb(changed))} ${wordCount(changed, ...WORDS.request)} из ${total.toLocaleString("ru-RU")}; ${failed.toLocaleString("ru-RU")} не ${verb(failed)}.`;
}

/**
 * «С обращением № 1 030 026 объединены 3 обращения.», «… объединены 2 обращения из 3; 1 не объединено.», «Ни одно из
 * 3 обращений не объединено с обращением № 1 030 026.»; when the target was among the selected, a sentence says so.
 */
export function mergeSummary(total: number, merged: number, into: string, targetSelected: boolean): string {
  const failed = total - merged;
  const verb = (n: number) => plural(n, ...WORDS.mergedVerb);
  const target = `обращением № ${displayRequestNumber(into)}`;
  const head =
    failed === 0
      ? `С ${target} ${verb(merged)} ${wordCount(merged, ...WORDS.request)}.`
      : merged === 0
        ? total === 1
          ? `Обращение не объединено с ${target}.`
          : `Ни одно из ${total.toLocaleString("ru-RU")} ${plural(total, ...WORDS.requestGenitive)} не объединено с ${target}.`
        : `С ${target} ${verb(merged)} ${wordCount(merged, ...WORDS.request)} из ${total.toLocaleString("ru-RU")}; ${failed.toLocaleString("ru-RU")} не ${verb(failed)}.`;
  return targetSelected
    ? `${head} Обращение № ${displayRequestNumber(into)} было среди выбранных и осталось как было: с ним объединяли остальные.`
    : head;
}
