// Automatic assignment inside a department: the employee on shift with the fewest requests in work gets the
// new or escalated request; with nobody on shift it waits, unassigned, in the department's queue.
import { sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";

/** Statuses that count as work in hand; «waiting» is the applicant's turn and does not load the operator. */
const IN_HAND = sql`('new', 'in_progress', 'escalated')`;

/**
 * Which of the departments have someone on shift who takes requests: a select of `department_id`, for departments
 * among `ids` (an SQL list or subquery). Registration asks it in its own statement (src/requests/core/register.ts).
 */
export const departmentsOnShiftIn = (ids: string) => `select distinct u.department_id
    from users u join staff_shifts s on s.user_id = u.id and s.on_shift
    where u.active and u.department_id in (${ids}) and u.role in ('operator', 'specialist')`;

export async function pickAssignee(tx: Tx, departmentId: number): Promise<number | null> {
  // Nobody on shift (nights, or a department without a rota): nothing to pick, and no lock to queue behind — the
  // lock below would otherwise serialise every registration of the department. Someone coming on shift meanwhile
  // takes the queue through distributeQueue.
  const anyone = await tx.execute<{ n: number }>(sql`
    select 1 as n from users u join staff_shifts s on s.user_id = u.id and s.on_shift
    where u.active and u.department_id = ${departmentId} and u.role in ('operator', 'specialist') limit 1`);
  if (rowsOf(anyone).length === 0) return null;
  // One assignment at a time per department, so two arrivals at once do not both pick the same least-loaded person.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-assign'), ${departmentId}::int)`);
  const result = await tx.execute<{ id: number }>(sql`
    select u.id
    from users u join staff_shifts s on s.user_id = u.id and s.on_shift
    where u.active and u.department_id = ${departmentId} and u.role in ('operator', 'specialist')
    order by (select count(*) from requests r where r.assignee_id = u.id and r.status in ${IN_HAND}),
      s.changed_at, u.id
    limit 1`);
  const row = rowsOf<{ id: number }>(result)[0];
  return row ? Number(row.id) : null;
}

/**
 * Someone came on shift: the department's queue (requests that arrived while nobody was) is handed out by the same
 * rule, oldest first. Returns how many were assigned.
 */
export async function distributeQueue(
  ctx: AppContext,
  tx: Tx,
  departmentId: number,
  now = new Date(),
  limit = 200,
): Promise<number> {
  const queued = await tx.execute<{ id: number; number: string }>(sql`
    select id, number from requests
    where department_id = ${departmentId} and assignee_id is null and status in ${IN_HAND}
    order by created_at, id
    limit ${limit}
    for no key update skip locked`);
  let n = 0;
  for (const r of rowsOf<{ id: number; number: string }>(queued)) {
    const row = await ctx.requests.assign(tx, Number(r.id), "auto", { type: "system" }, { now });
    if (row.assigneeId === null) break;
    n++;
  }
  return n;
}
