// Routing's rules, plugged into the request core at start: due times from the SLA policies, the clock's pauses on the
// production calendar, the least-loaded employee on shift, the classifier, the first department of each category,
// and what follows a registration (assignment, incident notices).
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { isCategoryCode } from "../requests/categories.ts";
import type { Classification, NewlyRegistered, RequestRules } from "../requests/core/index.ts";
import { departmentsOnShiftIn, pickAssignee } from "./assign.ts";
import { DEFAULT_ROUTE } from "./departments.ts";
import { announceLinks, INCIDENT_MATCH } from "./incidents.ts";
import { clockOnStatus } from "./sla-clock.ts";
import { calendarOf, hoursOf, recomputedDue, slaDueAt } from "./sla-service.ts";

/** The SQL routing adds to the registration statement (the benchmark's raw side sends the same text). */
export const REGISTRATION_SQL = { staffedDepartments: departmentsOnShiftIn, incidentMatch: INCIDENT_MATCH };

export function routingRules(ctx: AppContext, classify: (text: string) => Classification | null): RequestRules {
  return {
    dueAt: (key, createdAt) => slaDueAt(ctx, key, createdAt),
    recomputeDue: (row) => recomputedDue(ctx, row),
    clockOn: (row, to, now) => clockOnStatus(row, to, now, calendarOf(ctx), hoursOf(ctx, row.departmentId)),
    pickAssignee,
    onRegistered: (tx, list) => routeNewRequests(ctx, tx, list),
    classify,
    departmentFor: (category) => (isCategoryCode(category) ? DEFAULT_ROUTE[category] : null),
    registration: REGISTRATION_SQL,
  };
}

/**
 * What routing does to requests in the transaction that registers them. The registration's own statement already
 * asked which departments have someone on shift and linked the requests to the active incidents they match; what
 * follows needs a statement or more per request, and happens only when there is someone to assign to or an incident
 * to tell about. `list` is in registration order (ascending ids).
 */
async function routeNewRequests(ctx: AppContext, tx: Tx, list: NewlyRegistered[]) {
  // Departments with nobody on shift keep their new requests in the queue.
  for (const r of list) {
    if (r.departmentId !== null && r.staffed)
      await ctx.requests.assign(tx, r.id, "auto", { type: "system" }, { now: r.now });
  }
  const links = list.flatMap((r) => r.incidents.map((incidentId) => ({ incidentId, requestId: r.id })));
  if (links.length > 0) await announceLinks(ctx, tx, links, list.at(-1)!.now);
}
