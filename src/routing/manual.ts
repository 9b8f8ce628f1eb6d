// Actions taken by hand on the SLA's behalf: a specialist returns a request to the first line, anyone working it
// asks the applicant (the clock stops while they answer), an operator sets a re-check date.
import { eq } from "drizzle-orm";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { emit } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { lockRow, record, statusPatch, visibleId } from "../requests/actions.ts";
import { TEXT_MAX } from "../requests/create.ts";
import { messages, requests } from "../requests/schema.ts";
import type { Status } from "../requests/status.ts";
import { departments } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { assignInDepartment } from "./assign.ts";
import { OFFICE_HOURS } from "./sla.ts";

type Row = typeof requests.$inferSelect;

export async function returnToFirstLine(ctx: AppContext, user: StaffUser, number: string, reason: string) {
  if (!reason.trim()) throw errors.validation("Укажите, почему обращение возвращается.", { field: "reason" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const [first] = await tx.select().from(departments).where(eq(departments.code, "first_line"));
    if (!first) throw errors.conflict("no_first_line", "Подразделение «Первая линия» не найдено.");
    const row = await lockRow(tx, id);
    if (row.departmentId === first.id) {
      throw errors.conflict("already_first_line", "Обращение уже на первой линии.");
    }
    const now = new Date();
    const patch: Partial<Row> = { departmentId: first.id, assigneeId: null, updatedAt: now };
    if (row.status !== "in_progress") {
      Object.assign(patch, statusPatch(row.status as Status, "in_progress", now, { ctx, row }));
    }
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "returned", {
      departmentId: first.id,
      department: [row.departmentId, "first_line"],
      status: [row.status, patch.status ?? row.status],
      reason: reason.trim(),
    });
    await assignInDepartment(tx, { ...row, ...patch }, now);
  });
}

export async function askApplicant(ctx: AppContext, user: StaffUser, number: string, question: string) {
  const body = question.trim();
  if (!body) throw errors.validation("Напишите вопрос заявителю.", { field: "question" });
  if (body.length > TEXT_MAX) throw errors.validation(`Вопрос длиннее ${TEXT_MAX} символов.`, { field: "question" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, id);
    const now = new Date();
    const [msg] = await tx
      .insert(messages)
      .values({
        requestId: id,
        visibility: "public",
        authorType: "staff",
        authorId: user.id,
        body,
        channel: row.channel,
      })
      .returning({ id: messages.id });
    const patch: Partial<Row> = { updatedAt: now };
    if (row.status !== "waiting") Object.assign(patch, statusPatch(row.status as Status, "waiting", now, { ctx, row }));
    if (!row.firstRespondedAt) patch.firstRespondedAt = now;
    if (row.assigneeId === null) patch.assigneeId = user.id;
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "asked", {
      messageId: msg!.id,
      status: [row.status, "waiting"],
    });
    // Delivered through the applicant's channel like any answer (e-mail sends it as a letter).
    await emit(tx, "request.replied", {
      requestId: id,
      number: row.number,
      departmentId: row.departmentId,
      assigneeId: patch.assigneeId ?? row.assigneeId,
    });
  });
}

/** The moment a re-check date comes: the start of office hours that day, Moscow time. */
export function recheckMoment(isoDate: string): Date | null {
  const day = DateTime.fromISO(isoDate, { zone: OFFICE_HOURS.zone });
  if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return null;
  return day.startOf("day").plus({ minutes: OFFICE_HOURS.startMinute }).toJSDate();
}

export async function setRecheck(
  ctx: AppContext,
  user: StaffUser,
  number: string,
  date: string | null,
  now = new Date(),
) {
  let at: Date | null = null;
  if (date !== null) {
    at = recheckMoment(date);
    if (!at) throw errors.validation("Дата повторной проверки — в виде ГГГГ-ММ-ДД.", { field: "date" });
    const today = DateTime.fromJSDate(now, { zone: OFFICE_HOURS.zone }).toISODate()!;
    if (date < today) throw errors.validation("Дата повторной проверки уже прошла.", { field: "date" });
  }
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, id);
    if (row.status === "closed") throw errors.conflict("request_closed", "Обращение закрыто.");
    const patch: Partial<Row> = { recheckAt: at, recheckUserId: at ? user.id : null, updatedAt: now };
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "recheck_set", { recheckOn: date });
  });
}
