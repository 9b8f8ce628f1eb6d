// Changes of a request other than messages: its status, who has it, which department, its category and priority,
// the SLA's bookkeeping, a re-check date, a contact learned later, and facts logged on it. Each is one history row
// (with its event) under the request's row lock.
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import { blindIndex } from "../../security/sealed.ts";
import { departments, users } from "../../staff/schema.ts";
import { isAudience, isCategoryCode } from "../categories.ts";
import type { Status } from "../status.ts";
import type { RequestRow, RequestRules } from "./ports.ts";
import { type Actor, applyPatch, eventFacts, lockRequest, statusPatch, writeHistory } from "./row.ts";

type Opts = { now?: Date | undefined };

/**
 * Moves the request to `to`. With `ifNeeded`, a request already there (or closed) is left as it is instead of the
 * move being refused.
 */
export async function transition(
  rules: RequestRules,
  tx: Tx,
  requestId: number,
  to: Status,
  actor: Actor,
  opts: Opts & { reason?: string | undefined; channel?: string | undefined; ifNeeded?: boolean } = {},
): Promise<RequestRow> {
  const row = await lockRequest(tx, requestId);
  if (opts.ifNeeded && (row.status === to || row.status === "closed")) return row;
  const now = opts.now ?? new Date();
  const after = await applyPatch(tx, row, statusPatch(rules, row, to, now));
  await writeHistory(tx, after, actor, "status_changed", {
    status: [row.status, to],
    ...(opts.reason ? { reason: opts.reason } : {}),
    ...(opts.channel ? { channel: opts.channel } : {}),
  });
  return after;
}

/**
 * Gives the request to an employee (`null`: to nobody), or with `"auto"` to whoever the rules pick in its department.
 * With `takeIntoWork` a new request goes into work in the same act (an operator accepting a chat).
 */
export async function assign(
  rules: RequestRules,
  tx: Tx,
  requestId: number,
  to: number | null | "auto",
  actor: Actor,
  opts: Opts & { takeIntoWork?: boolean; channel?: string } = {},
): Promise<RequestRow> {
  const row = await lockRequest(tx, requestId);
  const now = opts.now ?? new Date();
  let assigneeId: number | null;
  if (to === "auto") {
    if (row.assigneeId !== null || row.departmentId === null) return row;
    assigneeId = await rules.pickAssignee(tx, row.departmentId);
    if (assigneeId === null) return row;
  } else {
    if (to !== null) await activeEmployee(tx, to);
    assigneeId = to;
  }
  const patch: Partial<RequestRow> = { assigneeId, updatedAt: now };
  if (opts.takeIntoWork && row.status === "new") Object.assign(patch, statusPatch(rules, row, "in_progress", now));
  if (assigneeId === row.assigneeId && !patch.status) return row;
  const after = await applyPatch(tx, row, patch);
  await writeHistory(
    tx,
    after,
    actor,
    to === "auto" ? "assigned" : "updated",
    {
      assigneeId: [row.assigneeId, assigneeId],
      ...(to === "auto" ? { rule: "least_loaded_on_shift" } : {}),
      ...(patch.status ? { status: [row.status, patch.status] } : {}),
      ...(opts.channel ? { channel: opts.channel } : {}),
    },
    to === "auto" ? now : undefined,
  );
  return after;
}

async function activeEmployee(tx: Tx, id: number) {
  const [u] = await tx.select({ id: users.id, active: users.active }).from(users).where(eq(users.id, id));
  if (!u?.active) throw errors.validation("Такого сотрудника нет.", { field: "assigneeId" });
}

export type Department = { id: number; code: string; name: string };

export async function departmentByCode(tx: Tx, code: string): Promise<Department | undefined> {
  const [d] = await tx
    .select({ id: departments.id, code: departments.code, name: departments.name })
    .from(departments)
    .where(eq(departments.code, code));
  return d;
}

/**
 * Hands the request to a department: it loses its assignee, takes the status of the act (escalated, or back in work
 * when returned to the first line), and goes to whoever the rules pick there. One history row says all of it.
 */
export async function moveTo(
  rules: RequestRules,
  tx: Tx,
  requestId: number,
  department: Department,
  actor: Actor,
  act: {
    action: "escalated" | "returned";
    status: Status;
    reason?: string | undefined;
    changes?: Record<string, unknown>;
  },
  opts: Opts = {},
): Promise<RequestRow> {
  const row = await lockRequest(tx, requestId);
  if (act.action === "escalated" && row.departmentId === department.id) {
    throw errors.conflict(
      "same_department",
      `Обращение уже в подразделении «${department.name}»: выберите другое подразделение.`,
    );
  }
  const now = opts.now ?? new Date();
  const [current] = row.departmentId
    ? await tx.select({ code: departments.code }).from(departments).where(eq(departments.id, row.departmentId))
    : [];
  const patch: Partial<RequestRow> = { departmentId: department.id, assigneeId: null, updatedAt: now };
  if (row.status !== act.status) Object.assign(patch, statusPatch(rules, row, act.status, now));
  // Working time runs in the receiving department's hours from now on: its due times are counted in them.
  const due = rules.recomputeDue({ ...row, ...patch });
  const dueChanges: Record<string, unknown> = {};
  if (+due.firstResponseDueAt !== +row.firstResponseDueAt! || +due.resolutionDueAt !== +row.resolutionDueAt!) {
    Object.assign(patch, due);
    if (+due.firstResponseDueAt !== +row.firstResponseDueAt!)
      dueChanges.firstResponseDueAt = [row.firstResponseDueAt, due.firstResponseDueAt];
    if (+due.resolutionDueAt !== +row.resolutionDueAt!)
      dueChanges.resolutionDueAt = [row.resolutionDueAt, due.resolutionDueAt];
  }
  const moved = await applyPatch(tx, row, patch);
  await writeHistory(
    tx,
    moved,
    actor,
    act.action,
    {
      departmentId: department.id,
      department: [current?.code ?? null, department.code],
      status: [row.status, moved.status],
      ...(act.reason ? { reason: act.reason } : {}),
      ...dueChanges,
      ...act.changes,
    },
    actor.type === "system" ? now : undefined,
  );
  return assign(rules, tx, requestId, "auto", { type: "system" }, { now });
}

export type RequestPatch = {
  category?: string | undefined;
  audience?: string | undefined;
  priority?: string | undefined;
  assigneeId?: number | null | undefined;
  region?: string | null | undefined;
};

/** An employee's corrections of the request's facts; new category or priority recompute the due times. */
export async function update(
  rules: RequestRules,
  tx: Tx,
  requestId: number,
  input: RequestPatch,
  actor: Actor,
): Promise<RequestRow> {
  if (input.category !== undefined && !isCategoryCode(input.category)) {
    throw errors.validation(`Неизвестная категория «${input.category}».`, { field: "category" });
  }
  if (input.audience !== undefined && !isAudience(input.audience)) {
    throw errors.validation(`Неизвестный тип заявителя «${input.audience}».`, { field: "audience" });
  }
  const row = await lockRequest(tx, requestId);
  const patch: Partial<RequestRow> = {};
  const changes: Record<string, unknown> = {};
  if (input.category !== undefined && input.category !== row.category) {
    // An operator's correction is kept as a label for retraining the classifier.
    Object.assign(patch, { category: input.category, categorySource: "operator", categoryConfidence: 1 });
    changes.category = [row.category, input.category];
  }
  for (const key of ["audience", "priority", "region"] as const) {
    if (input[key] !== undefined && input[key] !== row[key]) {
      Object.assign(patch, { [key]: input[key] });
      changes[key] = [row[key], input[key]];
    }
  }
  if (input.assigneeId !== undefined && input.assigneeId !== row.assigneeId) {
    if (input.assigneeId !== null) await activeEmployee(tx, input.assigneeId);
    patch.assigneeId = input.assigneeId;
    changes.assigneeId = [row.assigneeId, input.assigneeId];
  }
  if (Object.keys(changes).length === 0) return row;
  patch.updatedAt = new Date();
  if (changes.category || changes.priority) {
    const due = rules.recomputeDue({ ...row, ...patch });
    if (+due.firstResponseDueAt !== +row.firstResponseDueAt! || +due.resolutionDueAt !== +row.resolutionDueAt!) {
      Object.assign(patch, due);
      changes.resolutionDueAt = [row.resolutionDueAt, due.resolutionDueAt];
    }
  }
  const after = await applyPatch(tx, row, patch);
  await writeHistory(tx, after, actor, "updated", changes);
  return after;
}

/** A fact about the request that changes none of its columns (a call, a letter that failed): history only. */
export async function log(tx: Tx, requestId: number, actor: Actor, action: string, changes: Record<string, unknown>) {
  const row = await lockRequest(tx, requestId);
  await writeHistory(tx, row, actor, action, changes);
}

/** A date on which the request comes back to the employee who set it. */
export async function setRecheck(tx: Tx, requestId: number, at: Date | null, onDate: string | null, actor: Actor) {
  const row = await lockRequest(tx, requestId);
  if (row.status === "closed") throw errors.conflict("request_closed", "Обращение закрыто.");
  const now = new Date();
  const userId = at && actor.type === "staff" ? actor.user.id : null;
  const after = await applyPatch(tx, row, { recheckAt: at, recheckUserId: userId, updatedAt: now });
  await writeHistory(tx, after, actor, "recheck_set", { recheckOn: onDate });
}

/**
 * The re-check date has come: the request returns in work to whoever set it. Returns the employee to tell, or null
 * (nothing to do: the request was closed meanwhile). `notify` runs before the history row, so the row lists them.
 */
export async function recheckDue(
  rules: RequestRules,
  tx: Tx,
  requestId: number,
  now: Date,
  notify: (row: RequestRow, userId: number) => Promise<number[]>,
): Promise<void> {
  const row = await lockRequest(tx, requestId);
  const patch: Partial<RequestRow> = { recheckAt: null, recheckUserId: null, updatedAt: now };
  if (row.status === "closed") {
    await applyPatch(tx, row, patch);
    return;
  }
  const changes: Record<string, unknown> = { recheckAt: row.recheckAt };
  if (row.status !== "in_progress") {
    Object.assign(patch, statusPatch(rules, row, "in_progress", now));
    changes.status = [row.status, "in_progress"];
  }
  const userId = row.recheckUserId ?? row.assigneeId;
  if (userId !== null && userId !== row.assigneeId) {
    patch.assigneeId = userId;
    changes.assigneeId = [row.assigneeId, userId];
  }
  const after = await applyPatch(tx, row, patch);
  if (userId !== null) changes.notified = await notify(after, userId);
  await writeHistory(tx, after, { type: "system" }, "recheck_due", changes, now);
}

/**
 * The SLA ladder's bookkeeping: how many steps of each target were taken, and the priority a step raised. The step's
 * own history row is written by `log` with what it did.
 */
export async function slaStep(
  tx: Tx,
  requestId: number,
  patch: { slaFirstLevel?: number; slaResolutionLevel?: number; priority?: string },
  now: Date,
): Promise<RequestRow> {
  const row = await lockRequest(tx, requestId);
  return applyPatch(tx, row, { ...patch, ...(patch.priority ? { updatedAt: now } : {}) });
}

/** A caller's number learned after the call's request was registered (the PBX sent the answer first). */
export async function fillPhone(tx: Tx, requestId: number, phone: string): Promise<void> {
  const row = await lockRequest(tx, requestId);
  if (row.contactPhone) return;
  const after = await applyPatch(tx, row, { contactPhone: phone, contactPhoneHash: blindIndex("phone", phone) });
  // The applicant record joins this phone to the request's other contacts (src/applicants).
  await emit(tx, "request.contact_added", { ...eventFacts(after), kind: "phone" });
}
