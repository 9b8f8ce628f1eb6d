// Departments as administrators keep them: names and working hours (the SLA's working time of a department's requests
// runs inside its hours, on the working days of the production calendar). Every change is audited and announced, so
// each process reloads the hours it holds (routing/sla-service.ts).

import { asc, eq } from "drizzle-orm";
import { IANAZone } from "luxon";
import { audit } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { SLA_CHANGED } from "../routing/sla-service.ts";
import { type Actor, audited } from "./audited.ts";
import { departments } from "./schema.ts";

export type Department = {
  id: number;
  code: string;
  name: string;
  hours: { zone: string; from: string; to: string };
};

export type DepartmentInput = { name?: string; hours?: { zone?: string; from: string; to: string } };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function minuteOf(value: string, field: string): number {
  const m = HHMM.exec(value);
  if (!m) throw errors.validation("Время — в виде ЧЧ:ММ, от 00:00 до 24:00.", { field });
  return value === "24:00" ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

function view(r: typeof departments.$inferSelect): Department {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    hours: { zone: r.workZone, from: hhmm(r.workStartMinute), to: hhmm(r.workEndMinute) },
  };
}

function hoursColumns(hours: NonNullable<DepartmentInput["hours"]>) {
  const start = minuteOf(hours.from, "hours.from");
  const end = minuteOf(hours.to, "hours.to");
  if (end <= start) {
    throw errors.validation("Рабочий день должен кончаться позже, чем начинается.", { field: "hours.to" });
  }
  const zone = hours.zone ?? "Europe/Moscow";
  if (!IANAZone.isValidZone(zone)) {
    throw errors.validation(`Неизвестный часовой пояс «${zone}».`, { field: "hours.zone" });
  }
  return { workZone: zone, workStartMinute: start, workEndMinute: end };
}

export async function listDepartmentsWithHours(db: Db): Promise<Department[]> {
  return (await db.select().from(departments).orderBy(asc(departments.id))).map(view);
}

export async function addDepartment(
  db: Db,
  input: { code: string; name: string; hours?: DepartmentInput["hours"] },
  by: Actor,
): Promise<Department> {
  if (!/^[a-z][a-z0-9_]{1,39}$/.test(input.code)) {
    throw errors.validation("Код подразделения — латинские строчные буквы, цифры и «_», от 2 до 40 знаков.", {
      field: "code",
    });
  }
  const name = input.name.trim();
  if (!name) throw errors.validation("Укажите название подразделения.", { field: "name" });
  const hours = input.hours ? hoursColumns(input.hours) : {};
  return db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.code, input.code));
    if (taken) throw errors.conflict("department_exists", `Подразделение с кодом «${input.code}» уже есть.`);
    const [row] = await tx
      .insert(departments)
      .values({ code: input.code, name, ...hours })
      .returning();
    const made = view(row!);
    await audit(tx, {
      ...audited(by, { code: made.code, hours: made.hours, name: made.name }),
      action: "department.create",
      subjectType: "department",
      subjectId: String(made.id),
    });
    await emit(tx, SLA_CHANGED, {});
    return made;
  });
}

export async function changeDepartment(db: Db, id: number, input: DepartmentInput, by: Actor): Promise<Department> {
  const patch: Partial<typeof departments.$inferInsert> = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (!name) throw errors.validation("Укажите название подразделения.", { field: "name" });
    patch.name = name;
  }
  if (input.hours) Object.assign(patch, hoursColumns(input.hours));
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(departments).where(eq(departments.id, id)).for("update");
    if (!before) throw errors.notFound("department");
    if (Object.keys(patch).length === 0) return view(before);
    const [row] = await tx.update(departments).set(patch).where(eq(departments.id, id)).returning();
    const was = view(before);
    const now = view(row!);
    await audit(tx, {
      ...audited(by, { to: { hours: now.hours, name: now.name }, from: { hours: was.hours, name: was.name } }),
      action: "department.update",
      subjectType: "department",
      subjectId: String(id),
    });
    await emit(tx, SLA_CHANGED, {});
    return now;
  });
}
