// Actions taken by hand on the SLA's behalf: a specialist returns a request to the first line, anyone working it
// asks the applicant (the clock stops while they answer), an operator sets a re-check date.

import { eq } from "drizzle-orm";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import { visibleId } from "../requests/actions.ts";
import { staffActor, TEXT_MAX } from "../requests/core/index.ts";
import { requestRowById, visibleRequestRow } from "../requests/queries.ts";
import { departments } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { count, WORDS } from "../text/plural.ts";
import { OFFICE_HOURS, type WorkingHours } from "./sla.ts";
import { hoursOf } from "./sla-service.ts";

export async function returnToFirstLine(ctx: AppContext, user: StaffUser, number: string, reason: string) {
  if (!reason.trim()) throw errors.validation("Укажите, почему обращение возвращается.", { field: "reason" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await requestRowById(tx, id);
    const [first] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.code, "first_line"));
    if (!first) throw errors.conflict("no_first_line", "Подразделение «Первая линия» не найдено.");
    if (row?.departmentId === first.id) throw errors.conflict("already_first_line", "Обращение уже на первой линии.");
    await ctx.requests.escalate(tx, id, "first_line", staffActor(user), { reason: reason.trim(), returned: true });
  });
}

/** A question to the applicant: a public message that stops the SLA clock until they answer. */
export async function askApplicant(ctx: AppContext, user: StaffUser, number: string, question: string) {
  const body = question.trim();
  if (!body) throw errors.validation("Напишите вопрос заявителю.", { field: "question" });
  if (body.length > TEXT_MAX)
    throw errors.validation(`Вопрос длиннее ${count(TEXT_MAX, ...WORDS.characterGenitive)}.`, { field: "question" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction((tx) =>
    ctx.requests.appendMessage(tx, id, {
      author: { type: "staff", user },
      visibility: "public",
      body,
      status: "waiting",
      record: { action: "asked" },
    }),
  );
}

/** The moment a re-check date comes: the start of the department's working day (09:00 Moscow time by default). */
export function recheckMoment(isoDate: string, hours: WorkingHours = OFFICE_HOURS): Date | null {
  const day = DateTime.fromISO(isoDate, { zone: hours.zone });
  if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return null;
  return day.startOf("day").plus({ minutes: hours.startMinute }).toJSDate();
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
  const row = await visibleRequestRow(ctx.db, user, number);
  // The request comes back when its department's working day begins.
  if (date !== null) at = recheckMoment(date, hoursOf(ctx, row.departmentId));
  await ctx.db.transaction((tx) => ctx.requests.setRecheck(tx, row.id, at, date, staffActor(user)));
}
