// Automatic escalation, exactly once. Every process sweeps; a sweep claims overdue requests with
// FOR UPDATE SKIP LOCKED and moves each target's level column in the same transaction as the step it takes, so
// two processes never take the same step and a restart loses nothing (the truth is in the rows, not in timers).
import { eq, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { emit, rowsOf } from "../db/outbox.ts";
import { requestHistory, requests } from "../requests/schema.ts";
import { canTransition, type Status } from "../requests/status.ts";
import { departments } from "../staff/schema.ts";
import { assignInDepartment } from "./assign.ts";
import type { CategoryCode } from "../requests/categories.ts";
import { notifyStaff, supervisorsOf } from "./notify.ts";
import { clockOnStatus, type EscalationRule, ladder, raisedPriority, stepsDue } from "./sla-clock.ts";
import { calendarOf, slaOf } from "./sla-service.ts";

type Row = typeof requests.$inferSelect;

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
      for update skip locked`);
    const ids = rowsOf<{ id: number }>(claimed).map((r) => Number(r.id));
    let steps = 0;
    for (const id of ids) {
      const [row] = await tx.select().from(requests).where(eq(requests.id, id));
      if (!row) continue;
      const f =
        row.firstRespondedAt === null && row.firstResponseDueAt && row.firstResponseDueAt > row.createdAt
          ? stepsDue(first, row.slaFirstLevel, row.firstResponseDueAt, now)
          : { steps: [], level: row.slaFirstLevel };
      const r = stepsDue(resolution, row.slaResolutionLevel, row.resolutionDueAt, now);
      await tx.update(requests).set({ slaFirstLevel: f.level, slaResolutionLevel: r.level }).where(eq(requests.id, id));
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

async function history(tx: Tx, row: Row, action: string, changes: Record<string, unknown>, now: Date) {
  await tx.insert(requestHistory).values({ requestId: row.id, actorType: "system", action, changes, createdAt: now });
  await emit(tx, `request.${action}`, {
    requestId: row.id,
    number: row.number,
    departmentId: row.departmentId,
    assigneeId: row.assigneeId,
  });
}

/** Takes one step of the ladder; returns the row as it is after the step. */
async function takeStep(ctx: AppContext, tx: Tx, row: Row, step: EscalationRule, level: number, now: Date) {
  const title = `Обращение ${row.number}: ${TRIGGER_TITLES[step.trigger]}`;
  const changes: Record<string, unknown> = {
    trigger: step.trigger,
    level,
    rule: step.action,
    after: step.afterMinutes,
  };
  let next = row;
  switch (step.action) {
    case "notify_assignee": {
      const to = row.assigneeId !== null ? [row.assigneeId] : await supervisorsOf(tx, row.departmentId);
      changes.notified = await notifyStaff(tx, to, { requestId: row.id, kind: "sla", title });
      break;
    }
    case "notify_supervisors": {
      const to = await supervisorsOf(tx, row.departmentId);
      changes.notified = await notifyStaff(tx, to, { requestId: row.id, kind: "sla", title });
      break;
    }
    case "raise_priority": {
      const priority = raisedPriority(row.priority);
      if (priority !== row.priority) {
        await tx.update(requests).set({ priority, updatedAt: now }).where(eq(requests.id, row.id));
        changes.priority = [row.priority, priority];
        next = { ...row, priority };
      }
      break;
    }
    case "move_up": {
      next = await moveUp(ctx, tx, row, changes, title, now);
      break;
    }
  }
  await history(tx, next, "sla_escalated", changes, now);
  return next;
}

async function moveUp(ctx: AppContext, tx: Tx, row: Row, changes: Record<string, unknown>, title: string, now: Date) {
  const [current] = row.departmentId
    ? await tx.select().from(departments).where(eq(departments.id, row.departmentId))
    : [];
  const target = row.category ? NEXT_LEVEL[row.category as CategoryCode] : null;
  const onFirstLine = !current || current.code === "first_line";
  const [dept] = target && onFirstLine ? await tx.select().from(departments).where(eq(departments.code, target)) : [];
  if (!dept) {
    // Nowhere further to go: the department's supervisors decide.
    changes.notified = await notifyStaff(tx, await supervisorsOf(tx, row.departmentId), {
      requestId: row.id,
      kind: "sla",
      title: `${title}; передать выше некуда`,
    });
    return row;
  }
  const patch: Partial<Row> = { departmentId: dept.id, assigneeId: null, updatedAt: now };
  if (row.status !== "escalated" && canTransition(row.status as Status, "escalated")) {
    Object.assign(patch, { status: "escalated" }, clockOnStatus(row, "escalated", now, calendarOf(ctx)));
  }
  await tx.update(requests).set(patch).where(eq(requests.id, row.id));
  changes.department = [current?.code ?? null, dept.code];
  changes.status = [row.status, patch.status ?? row.status];
  const moved = { ...row, ...patch };
  // The applicant's channel tells them of the transfer, as when a person escalates.
  await emit(tx, "request.escalated", {
    requestId: row.id,
    number: row.number,
    departmentId: dept.id,
    assigneeId: null,
  });
  const assigneeId = await assignInDepartment(tx, moved, now);
  const notify = assigneeId !== null ? [assigneeId] : await supervisorsOf(tx, dept.id);
  changes.notified = await notifyStaff(tx, notify, {
    requestId: row.id,
    kind: "sla",
    title: `${title}; передано в «${dept.name}»`,
  });
  return { ...moved, assigneeId };
}

/** Re-check dates that have come: the request returns to the one who set the date, in work. */
async function recheckBatch(ctx: AppContext, now: Date, batch: number): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const claimed = await tx.execute<{ id: number }>(sql`
      select id from requests where recheck_at <= ${now.toISOString()}::timestamptz
      order by recheck_at, id limit ${batch} for update skip locked`);
    const ids = rowsOf<{ id: number }>(claimed).map((r) => Number(r.id));
    for (const id of ids) {
      const [row] = await tx.select().from(requests).where(eq(requests.id, id));
      if (!row) continue;
      const patch: Partial<Row> = { recheckAt: null, recheckUserId: null, updatedAt: now };
      if (row.status === "closed") {
        await tx.update(requests).set(patch).where(eq(requests.id, id));
        continue;
      }
      const changes: Record<string, unknown> = { recheckAt: row.recheckAt };
      if (row.status !== "in_progress" && canTransition(row.status as Status, "in_progress")) {
        Object.assign(patch, { status: "in_progress" }, clockOnStatus(row, "in_progress", now, calendarOf(ctx)));
        if (row.status === "resolved") patch.resolvedAt = null;
        changes.status = [row.status, "in_progress"];
      }
      const userId = row.recheckUserId ?? row.assigneeId;
      if (userId !== null && userId !== row.assigneeId) {
        patch.assigneeId = userId;
        changes.assigneeId = [row.assigneeId, userId];
      }
      await tx.update(requests).set(patch).where(eq(requests.id, id));
      const next = { ...row, ...patch };
      if (userId !== null) {
        changes.notified = await notifyStaff(tx, [userId], {
          requestId: id,
          kind: "recheck",
          title: `Обращение ${row.number}: сегодня контрольный срок повторной проверки`,
        });
      }
      await history(tx, next, "recheck_due", changes, now);
    }
    return ids.length;
  });
}
