// What a statistics question asks about (period and slices) and what the asker may see. Days are Moscow days:
// the service works on Moscow time, so «today» and the hour-of-day chart are read on its clock.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Queryable } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { departments } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";

export const ZONE = "Europe/Moscow";

export type Filters = {
  from: Date;
  to: Date;
  channel?: string | undefined;
  category?: string | undefined;
  region?: string | undefined;
  audience?: string | undefined;
  departmentId?: number | undefined;
  assigneeId?: number | undefined;
};

export type FilterQuery = {
  from?: string | undefined;
  to?: string | undefined;
  channel?: string | undefined;
  category?: string | undefined;
  region?: string | undefined;
  audience?: string | undefined;
  department?: string | undefined;
  operator?: number | undefined;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `from` and `to` are Moscow dates, both included; the default is the last 30 days up to today. */
export function periodOf(q: { from?: string | undefined; to?: string | undefined }, now = new Date()) {
  for (const [name, v] of [
    ["from", q.from],
    ["to", q.to],
  ] as const) {
    if (v !== undefined && (!DAY.test(v) || !DateTime.fromISO(v, { zone: ZONE }).isValid)) {
      throw errors.validation(`Дата «${name}» должна быть в виде ГГГГ-ММ-ДД.`, { field: name });
    }
  }
  const today = DateTime.fromJSDate(now, { zone: ZONE }).startOf("day");
  const toDay = q.to ? DateTime.fromISO(q.to, { zone: ZONE }) : today;
  const fromDay = q.from ? DateTime.fromISO(q.from, { zone: ZONE }) : toDay.minus({ days: 29 });
  if (fromDay > toDay) throw errors.validation("Начало периода позже его конца.", { field: "from" });
  if (toDay.diff(fromDay, "days").days > 800) {
    throw errors.validation("Период длиннее двух лет: выберите период короче.", { field: "from" });
  }
  return { from: fromDay.toJSDate(), to: toDay.plus({ days: 1 }).toJSDate() };
}

/** The period of the same length just before: what the manager's view compares with. */
export function previousPeriod(f: Filters): Filters {
  const length = f.to.getTime() - f.from.getTime();
  return { ...f, from: new Date(f.from.getTime() - length), to: f.from };
}

/**
 * Supervisors and administrators see every figure. Anyone else sees their department's or their own: asking for
 * another department or another person's figures is refused (403); asking for nothing narrows to their own
 * department (or to themselves when they have none).
 */
export async function scopedFilters(db: Queryable, user: StaffUser, q: FilterQuery, now = new Date()) {
  const period = periodOf(q, now);
  let departmentId: number | undefined;
  if (q.department) {
    const [d] = await db.select().from(departments).where(eq(departments.code, q.department));
    if (!d) throw errors.validation(`Неизвестное подразделение «${q.department}».`, { field: "department" });
    departmentId = d.id;
  }
  let assigneeId = q.operator;
  if (!seesEverything(user)) {
    if (departmentId !== undefined && departmentId !== user.departmentId) {
      throw errors.forbidden("Статистика другого подразделения доступна только руководителям смены.");
    }
    if (assigneeId !== undefined && assigneeId !== user.id) {
      throw errors.forbidden("Показатели другого сотрудника доступны только руководителям смены.");
    }
    if (departmentId === undefined && assigneeId === undefined) {
      if (user.departmentId !== null) departmentId = user.departmentId;
      else assigneeId = user.id;
    }
  }
  const f: Filters = {
    ...period,
    channel: q.channel || undefined,
    category: q.category || undefined,
    region: q.region || undefined,
    audience: q.audience || undefined,
    departmentId,
    assigneeId,
  };
  return f;
}

export function seesEverything(user: StaffUser) {
  return user.role === "supervisor" || user.role === "administrator";
}

/** The slices (not the period) as a condition on the requests table aliased `r`. */
export function sliceCondition(f: Filters): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.channel) parts.push(sql`r.channel = ${f.channel}`);
  if (f.category) parts.push(sql`r.category = ${f.category}`);
  if (f.region) parts.push(sql`r.region = ${f.region}`);
  if (f.audience) parts.push(sql`r.audience = ${f.audience}`);
  if (f.departmentId !== undefined) parts.push(sql`r.department_id = ${f.departmentId}`);
  if (f.assigneeId !== undefined) parts.push(sql`r.assignee_id = ${f.assigneeId}`);
  return and(...parts)!;
}

/** Requests registered in the period, within the slices. */
export function createdIn(f: Filters): SQL {
  return sql`r.created_at >= ${f.from.toISOString()}::timestamptz and r.created_at < ${f.to.toISOString()}::timestamptz and ${sliceCondition(f)}`;
}
