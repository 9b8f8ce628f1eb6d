// What routing does to a request in the transaction that registers it: assignment inside its department and
// links to known incidents (whose message the applicant then reads at once).
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { assignInDepartment } from "./assign.ts";
import { linkMatching } from "./incidents.ts";

export async function routeNewRequest(
  _ctx: AppContext,
  tx: Tx,
  req: { id: number; number: string; departmentId: number | null },
  now: Date,
) {
  await assignInDepartment(tx, { ...req, assigneeId: null }, now);
  await linkMatching(tx, { requestId: req.id }, now);
}
