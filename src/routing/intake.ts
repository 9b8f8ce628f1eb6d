// What routing does to a request in the transaction that registers it: assignment inside its department and
// links to known incidents (whose message the applicant then reads at once). The registration's own statement
// (src/requests/create.ts) already asked which departments have someone on shift (`departmentsOnShiftIn`) and
// linked the requests to the active incidents they match (`INCIDENT_MATCH`); what follows needs a statement or
// more per request, and happens only when there is someone to assign to or an incident to tell about.
import type { Tx } from "../db/client.ts";
import { assignInDepartment } from "./assign.ts";
import { announceLinks } from "./incidents.ts";

export { departmentsOnShiftIn } from "./assign.ts";
export { INCIDENT_MATCH } from "./incidents.ts";

export type NewlyRegistered = {
  id: number;
  number: string;
  departmentId: number | null;
  now: Date;
  /** Someone in its department is on shift. */
  staffed: boolean;
  /** Incidents it was linked to, in the order the links were made. */
  incidents: number[];
};

/** `list` in registration order (ascending ids). */
export async function routeNewRequests(tx: Tx, list: NewlyRegistered[]) {
  // Departments with nobody on shift keep their new requests in the queue.
  for (const r of list) {
    if (r.departmentId !== null && r.staffed) await assignInDepartment(tx, { ...r, assigneeId: null }, r.now);
  }
  const links = list.flatMap((r) => r.incidents.map((incidentId) => ({ incidentId, requestId: r.id })));
  if (links.length > 0) await announceLinks(tx, links, list.at(-1)!.now);
}
