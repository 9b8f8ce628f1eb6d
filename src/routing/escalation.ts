// Automatic escalation, exactly once. Every process sweeps; a sweep claims overdue requests with
// FOR UPDATE SKIP LOCKED and moves each target's level column in the same transaction as the step it takes, so
// two processes never take the same step and a restart loses nothing (the truth is in the rows, not in timers).
import { eq, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import type { CategoryCode } from "../requests/categories.ts";
import { type RequestRow as Row, SYSTEM } from "../requests/core/index.ts";
import { lastHistoryId, requestRowById } from "../requests/queries.ts";
import { canTransition, type Status } from "../requests/status.ts";
import { departments } from "../staff/schema.ts";
import { displayRequestNumber } from "../text/display.ts";
import { notifyStaff, supervisorsOf } from "./notify.ts";
import { type EscalationRule, ladder, raisedPriority, stepsDue } from "./sla-clock.ts";
import { slaOf } from "./sla-service.ts";

/** Where «move up a level» takes a request from the first line: the department that owns the topic. */
export const NEXT_LEVEL: Record<CategoryCode, string | null> = {
  access: "accounts",
  contacts: "accounts",
  application_status: "applications",
  documents: "applications",
  e_signature: "e_signature",
  technical: "technical",
  business: "business",
  information: null,
  complaint: null,
};

const TRIGGER_TITLES = { first_response: "просрочен первый ответ", resolution: "просрочен срок решения" } as const;

const pgIntArray = (xs: number[]) => `{${xs.join(",")}}`;

export type SweepResult = { requests: number; steps: number; rechecks: number };

/** One pass: every overdue step due by `now`, then every re-check date that has come. */
export async function sweep(ctx: AppContext, now = new Date(), batch = 20): Promise<SweepResult> {
  const out: SweepResult = { requests: 0, steps: 0, rechecks: 0 };
  for (;;) {
    const r = await escalateBatch(ctx, now, batch);
    out.requests += r.requests;
    out.steps += r.steps;
    if (r.requests < batch) break;
  }
  for (;;) {
    const n = await recheckBatch(ctx, now, batch);
    out.rechecks += n;
    if (n < batch) break;
  }
  return out;
}

async function escalateBatch(ctx: AppContext, now: Date, batch: number) {
  const { rules } = slaOf(ctx);
  const first = ladder(rules, "first_response");
  const resolution = ladder(rules, "resolution");
  if (first.length + resolution.length === 0) return { requests: 0, steps: 0 };
  return ctx.db.transaction(async (tx) => {
    // The next step of each target is rule number level+1; an index past the ladder is NULL and never due.
    // Waiting for the applicant stops the clock, so those requests are not claimed. A first-response target of
    // zero («at once», a call) is met by the contact itself.
    // The bounds on the due times (the ladder's first step) let the partial indexes find the candidates.
    const at = now.toISOString();
    const firstBound = first.length ? new Date(now.getTime() - first[0]!.afterMinutes * 60_000).toISOString() : null;
    const resBound = resolution.length
      ? new Date(now.getTime() - resolution[0]!.afterMinutes * 60_000).toISOString()
      : null;
    const claimed = await tx.execute<{ id: number }>(sql`
      select id from requests
      where status not in ('resolved', 'closed', 'waiting') and (
        (first_responded_at is null and first_response_due_at <= ${firstBound}::timestamptz
          and first_response_due_at > created_at and first_response_due_at
          + make_interval(mins => (${pgIntArray(first.map((s) => s.afterMinutes))}::int[])[sla_first_level + 1])
          <= ${at}::timestamptz)
        or (resolution_due_at <= ${resBound}::timestamptz and resolution_due_at
          + make_interval(mins => (${pgIntArray(resolution.map((s) => s.afterMinutes))}::int[])[sla_resolution_level + 1])
          <= ${at}::timestamptz))
      order by resolution_due_at, id
      limit ${batch}
      for no key update skip locked`);
    const ids = rowsOf<{ id: number }>(claimed).map((r) => Number(r.id));
    let steps = 0;
    for (const id of ids) {
      const row = await requestRowById(tx, id);
      if (!row) continue;
      const f =
        row.firstRespondedAt === null && row.firstResponseDueAt && row.firstResponseDueAt > row.createdAt
          ? stepsDue(first, row.slaFirstLevel, row.firstResponseDueAt, now)
          : { steps: [], level: row.slaFirstLevel };
      const r = stepsDue(resolution, row.slaResolutionLevel, row.resolutionDueAt, now);
      await ctx.requests.slaStep(tx, id, { slaFirstLevel: f.level, slaResolutionLevel: r.level }, now);
      let current = row;
      for (const [i, step] of f.steps.entries()) {
        current = await takeStep(ctx, tx, current, step, row.slaFirstLevel + i + 1, now);
      }
      for (const [i, step] of r.steps.entries()) {
        current = await takeStep(ctx, tx, current, step, row.slaResolutionLevel + i + 1, now);
      }
      steps += f.steps.length + r.steps.length;
    }
    return { requests: ids.length, steps };
  });
}

/** Takes one step of the ladder; returns the row as it is after the step. */
async function takeStep(ctx: AppContext, tx: Tx, row: Row, step: EscalationRule, level: number, now: Date) {
  const title = `Обращение ${displayRequestNumber(row.number)}: ${TRIGGER_TITLES[step.trigger]}`;
  const changes: Record<string, unknown> = {
    trigger: step.trigger,
    level,
    rule: step.action,
    after: step.afterMinutes,
  };
  // The event is the missed target: the assignee's reminder and the supervisors' step of the same target reach a
  // supervisor once, as one notice (without an assignee the first step already went to the supervisors).
  const due = step.trigger === "first_response" ? row.firstResponseDueAt : row.resolutionDueAt;
  const key = `sla:${row.id}:${step.trigger}:${due?.getTime() ?? 0}`;
  let next = row;
  switch (step.action) {
    case "notify_assignee": {
      const to = row.assigneeId !== null ? [row.assigneeId] : await supervisorsOf(tx, row.departmentId);
      changes.notified = await notifyStaff(tx, to, { requestId: row.id, kind: "sla", title, key });
      break;
    }
    case "notify_supervisors": {
      const to = await supervisorsOf(tx, row.departmentId);
      changes.notified = await notifyStaff(tx, to, { requestId: row.id, kind: "sla", title, key });
      break;
    }
    case "raise_priority": {
      const priority = raisedPriority(row.priority);
      if (priority !== row.priority) {
        next = await ctx.requests.slaStep(tx, row.id, { priority }, now);
        changes.priority = [row.priority, priority];
      }
      break;
    }
    case "move_up": {
      next = await moveUp(ctx, tx, row, changes, title, `${key}:moved`, now);
      break;
    }
  }
  await ctx.requests.log(tx, row.id, SYSTEM, "sla_escalated", changes);
  return next;
}

async function moveUp(
  ctx: AppContext,
  tx: Tx,
  row: Row,
  changes: Record<string, unknown>,
  title: string,
  key: string,
  now: Date,
) {
  const [current] = row.departmentId
    ? await tx.select().from(departments).where(eq(departments.id, row.departmentId))
    : [];
  const target = row.category ? NEXT_LEVEL[row.category as CategoryCode] : null;
  const onFirstLine = !current || current.code === "first_line";
  const [dept] = target && onFirstLine ? await tx.select().from(departments).where(eq(departments.code, target)) : [];
  if (!dept || (row.status !== "escalated" && !canTransition(row.status as Status, "escalated"))) {
    // Nowhere further to go: the department's supervisors decide.
    changes.notified = await notifyStaff(tx, await supervisorsOf(tx, row.departmentId), {
      requestId: row.id,
      kind: "sla",
      title: `${title}; дальнейшая эскалация невозможна`,
      key,
    });
    return row;
  }
  // The applicant's channel tells them of the transfer, as when a person escalates.
  const moved = await ctx.requests.escalate(tx, row.id, dept.code, SYSTEM, {
    changes: { trigger: changes.trigger },
    now,
  });
  changes.department = [current?.code ?? null, dept.code];
  changes.status = [row.status, moved.status];
  const notify = moved.assigneeId !== null ? [moved.assigneeId] : await supervisorsOf(tx, dept.id);
  // The transfer's own history row keys this notice, so a follower among them does not hear of the same transfer
  // again from the followers' job (follow-notify.ts), which keys its notices by that row too.
  const transfer = await lastHistoryId(tx, row.id, "escalated");
  changes.notified = await notifyStaff(tx, notify, {
    requestId: row.id,
    kind: "sla",
    title: `${title}; передано в «${dept.name}»`,
    ...(transfer !== undefined ? { historyId: transfer } : { key }),
  });
  return moved;
}

/** Re-check dates that have come: the request returns to the one who set the date, in work. */
async function recheckBatch(ctx: AppContext, now: Date, batch: number): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const claimed = await tx.execute<{ id: number }>(sql`
      select id from requests where recheck_at <= ${now.toISOString()}::timestamptz
      order by recheck_at, id limit ${batch} for no key update skip locked`);
    const ids = rowsOf<{ id: number }>(claimed).map((r) => Number(r.id));
    for (const id of ids) {
      await ctx.requests.recheckDue(tx, id, now, (row, userId) =>
        notifyStaff(tx, [userId], {
          requestId: id,
          kind: "recheck",
          title: `Обращение ${displayRequestNumber(row.number)}: сегодня контрольный срок повторной проверки`,
        }),
      );
    }
    return ids.length;
  });
}
