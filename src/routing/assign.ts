// Automatic assignment inside a department: the employee on shift with the fewest requests in work gets the
// new or escalated request; with nobody on shift it waits, unassigned, in the department's queue.
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../db/client.ts";
import { emit, rowsOf } from "../db/outbox.ts";
import { requestHistory, requests } from "../requests/schema.ts";

/** Statuses that count as work in hand; «waiting» is the applicant's turn and does not load the operator. */
const IN_HAND = sql`('new', 'in_progress', 'escalated')`;

/**
 * Which of the departments have someone on shift who takes requests: a select of `department_id`, for departments
 * among `ids` (an SQL list or subquery). Registration asks it in its own statement (src/requests/create.ts).
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

/** Gives an unassigned request of a department to someone on shift; records it. Returns the assignee. */
export async function assignInDepartment(
  tx: Tx,
  req: { id: number; number: string; departmentId: number | null; assigneeId: number | null },
  now = new Date(),
): Promise<number | null> {
  if (req.assigneeId !== null || req.departmentId === null) return null;
  const assigneeId = await pickAssignee(tx, req.departmentId);
  if (assigneeId === null) return null;
  await tx.update(requests).set({ assigneeId, updatedAt: now }).where(eq(requests.id, req.id));
  await tx.insert(requestHistory).values({
    requestId: req.id,
    actorType: "system",
    action: "assigned",
    changes: { assigneeId: [null, assigneeId], rule: "least_loaded_on_shift" },
    createdAt: now,
  });
  await emit(tx, "request.assigned", {
    requestId: req.id,
    number: req.number,
    departmentId: req.departmentId,
    assigneeId,
  });
  return assigneeId;
}

/**
 * Someone came on shift: the department's queue (requests that arrived while nobody was) is handed out by the same
 * rule, oldest first. Returns how many were assigned.
 */
export async function distributeQueue(tx: Tx, departmentId: number, now = new Date(), limit = 200): Promise<number> {
  const queued = await tx.execute<{ id: number; number: string }>(sql`
    select id, number from requests
    where department_id = ${departmentId} and assignee_id is null and status in ${IN_HAND}
    order by created_at, id
    limit ${limit}
    for update skip locked`);
  let n = 0;
  for (const r of rowsOf<{ id: number; number: string }>(queued)) {
    const who = await assignInDepartment(
      tx,
      { id: Number(r.id), number: r.number, departmentId, assigneeId: null },
      now,
    );
    if (who === null) break;
    n++;
  }
  return n;
}
