// What routing does to a request in the transaction that registers it: assignment inside its department and
// links to known incidents (whose message the applicant then reads at once).
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { assignInDepartment, departmentsOnShift } from "./assign.ts";
import { linkMatching } from "./incidents.ts";

export async function routeNewRequests(
  _ctx: AppContext,
  tx: Tx,
  list: { id: number; number: string; departmentId: number | null; now: Date }[],
) {
  // Departments with nobody on shift keep their new requests in the queue: one look for the whole group.
  const staffed = await departmentsOnShift(
    tx,
    list.flatMap((r) => (r.departmentId === null ? [] : [r.departmentId])),
  );
  for (const r of list) {
    if (r.departmentId !== null && staffed.has(r.departmentId)) {
      await assignInDepartment(tx, { ...r, assigneeId: null }, r.now);
    }
  }
  if (list.length > 0) await linkMatching(tx, { requestIds: list.map((r) => r.id) }, list.at(-1)!.now);
}
