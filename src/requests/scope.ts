// Who sees which requests. Supervisors and administrators see all; operators see the first-line queue,
// their department's and their own; specialists see their department's and their own; everyone sees what they follow
// (a request they escalated or wrote a note in, src/requests/core/watchers.ts).
import { eq, isNull, or, type SQL, sql } from "drizzle-orm";
import { departments } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { requests, requestWatchers } from "./schema.ts";

export function scopeCondition(user: StaffUser): SQL | undefined {
  if (user.role === "supervisor" || user.role === "administrator") return undefined;
  const own = eq(requests.assigneeId, user.id);
  const department = user.departmentId === null ? undefined : eq(requests.departmentId, user.departmentId);
  const followed = sql`${requests.id} in (select ${requestWatchers.requestId} from ${requestWatchers} where ${requestWatchers.userId} = ${user.id})`;
  if (user.role === "operator") {
    const firstLine = or(
      isNull(requests.departmentId),
      sql`${requests.departmentId} = (select ${departments.id} from ${departments} where ${departments.code} = 'first_line')`,
    );
    return or(own, department, firstLine, followed);
  }
  return or(own, department, followed);
}

/** The same rule for one loaded request (for events pushed to a console); `followed`: the employee follows it. */
export function canSee(
  user: StaffUser,
  req: { departmentId: number | null; assigneeId: number | null },
  firstLineId: number | null,
  followed = false,
): boolean {
  if (user.role === "supervisor" || user.role === "administrator" || followed) return true;
  if (req.assigneeId === user.id) return true;
  if (user.departmentId !== null && req.departmentId === user.departmentId) return true;
  return user.role === "operator" && (req.departmentId === null || req.departmentId === firstLineId);
}
