// Views of the queue: the built-in ones every employee has, their own saved views and those shared with their
// department. A view is the console's address query (the same words a shared link carries), counted live.
import { Type } from "@sinclair/typebox";
import { asc, eq, or } from "drizzle-orm";
import type { Queryable } from "../../db/client.ts";
import { errors } from "../../http/errors.ts";
import { departments } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { countRequests, type ListFilter } from "../queries.ts";
import { queueViews } from "../schema.ts";
import { STATUSES, type Status } from "../status.ts";
import { type Direction, SORTS, type Sort } from "./order.ts";

const OPEN: Status[] = ["new", "in_progress", "waiting", "escalated"];
const word = (pattern: string, maxLength = 200) => Type.Optional(Type.String({ maxLength, pattern }));
const LIST = "^[a-z_]+(,[a-z_]+)*$";

/** The console's address query, as a view keeps it. */
export const ViewFilters = Type.Object(
  {
    status: word(LIST),
    category: word(LIST),
    channel: word(LIST),
    department: word("^[a-z_]+$", 40),
    mine: word("^1$", 1),
    overdue: word("^1$", 1),
    q: Type.Optional(Type.String({ maxLength: 200 })),
    sort: word(`^(${SORTS.join("|")})$`, 20),
    dir: word("^(asc|desc)$", 4),
  },
  { additionalProperties: false },
);
export type ViewFilters = {
  status?: string | undefined;
  category?: string | undefined;
  channel?: string | undefined;
  department?: string | undefined;
  mine?: string | undefined;
  overdue?: string | undefined;
  q?: string | undefined;
  sort?: string | undefined;
  dir?: string | undefined;
};

/** The views every employee has, in this order. */
export const BUILT_IN: { id: string; name: string; filters: ViewFilters }[] = [
  { id: "open", name: "Все открытые", filters: {} },
  { id: "mine", name: "Мои", filters: { mine: "1" } },
  { id: "overdue", name: "Просроченные", filters: { overdue: "1" } },
  { id: "waiting", name: "Ждут ответа заявителя", filters: { status: "waiting" } },
  { id: "uncategorised", name: "Без категории", filters: { category: "none" } },
];

/** The address query as the queue's filter: no status means the open ones, «all» every status. */
export function filterOf(v: ViewFilters): ListFilter {
  const list = (s: string | undefined) => (s ? s.split(",") : undefined);
  const status = !v.status || v.status === "open" ? OPEN : v.status === "all" ? undefined : list(v.status);
  if (status?.some((s) => !(STATUSES as readonly string[]).includes(s)))
    throw errors.validation("В подборке указан неизвестный статус.", { field: "status" });
  return {
    status,
    category: list(v.category),
    channel: list(v.channel),
    department: v.department,
    assignee: v.mine === "1" ? "me" : undefined,
    overdue: v.overdue === "1" || undefined,
    q: v.q,
    sort: v.sort as Sort | undefined,
    dir: v.dir as Direction | undefined,
  };
}

export type View = {
  id: string;
  name: string;
  kind: "default" | "personal" | "shared";
  department: string | null;
  filters: ViewFilters;
  count: number;
  countCapped: boolean;
  removable: boolean;
};

const mayShareAny = (user: StaffUser) => user.role === "supervisor" || user.role === "administrator";

/** The employee's views with the number of requests each shows now, within the employee's scope. */
export async function listViews(db: Queryable, user: StaffUser): Promise<View[]> {
  const saved = await db
    .select({
      id: queueViews.id,
      name: queueViews.name,
      ownerId: queueViews.ownerId,
      departmentId: queueViews.departmentId,
      department: departments.code,
      filters: queueViews.filters,
    })
    .from(queueViews)
    .leftJoin(departments, eq(departments.id, queueViews.departmentId))
    .where(
      // One's own (personal, or shared with another department by a supervisor), and those of one's department.
      or(
        eq(queueViews.ownerId, user.id),
        user.departmentId === null ? undefined : eq(queueViews.departmentId, user.departmentId),
      ),
    )
    .orderBy(asc(queueViews.id));
  const views: Omit<View, "count" | "countCapped">[] = [
    ...BUILT_IN.map((v) => ({ ...v, kind: "default" as const, department: null, removable: false })),
    ...saved.map((v) => ({
      id: String(v.id),
      name: v.name,
      kind: v.departmentId === null ? ("personal" as const) : ("shared" as const),
      department: v.department,
      filters: v.filters as ViewFilters,
      removable: v.ownerId === user.id || (v.departmentId !== null && mayShareAny(user)),
    })),
  ];
  // A saved view whose filters no longer read (a status renamed) counts nothing rather than failing the list.
  const counts = await Promise.all(
    views.map(async (v) => {
      let filter: ListFilter;
      try {
        filter = filterOf(v.filters);
      } catch {
        return { n: 0, capped: false };
      }
      return countRequests(db, user, { ...filter, sort: undefined, dir: undefined });
    }),
  );
  return views.map((v, i) => ({ ...v, count: counts[i]!.n, countCapped: counts[i]!.capped }));
}

/**
 * Saves a view: the employee's own, or shared with a department — their own department, or any one for a supervisor
 * or an administrator.
 */
export async function saveView(
  db: Queryable,
  user: StaffUser,
  input: { name: string; filters: ViewFilters; department?: string | undefined },
): Promise<number> {
  const name = input.name.trim();
  if (!name) throw errors.validation("Назовите подборку.", { field: "name" });
  filterOf(input.filters);
  let departmentId: number | null = null;
  if (input.department) {
    const [dept] = await db
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.code, input.department));
    if (!dept) throw errors.validation(`Неизвестное подразделение «${input.department}».`, { field: "department" });
    if (dept.id !== user.departmentId && !mayShareAny(user))
      throw errors.forbidden("Поделиться подборкой можно только со своим подразделением.");
    departmentId = dept.id;
  }
  const [row] = await db
    .insert(queueViews)
    .values({ name, ownerId: user.id, departmentId, filters: input.filters })
    .returning({ id: queueViews.id });
  return row!.id;
}

/** Removes a view: one's own, or a shared one for a supervisor or an administrator; another's is not there. */
export async function removeView(db: Queryable, user: StaffUser, id: number): Promise<void> {
  const [row] = await db.select().from(queueViews).where(eq(queueViews.id, id));
  const visible =
    row && (row.ownerId === user.id || (row.departmentId !== null && row.departmentId === user.departmentId));
  if (!row || !(visible || (row.departmentId !== null && mayShareAny(user)))) throw errors.notFound("queue_view");
  if (row.ownerId !== user.id && !mayShareAny(user))
    throw errors.forbidden("Удалить общую подборку может её автор, руководитель или администратор.");
  await db.delete(queueViews).where(eq(queueViews.id, id));
}
