// From the core's events to the channels: after commit, each event that carries news for the applicant (a public
// message from the service, a change of status, a resolution) becomes deliveries, handed to every channel adapter;
// each adapter decides whether it reaches this applicant. At least once: an adapter that fails makes the outbox retry
// the event, so adapters key what they send by the message or history row.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { EventMessage, JobHandler } from "../../db/outbox.ts";
import { requests } from "../schema.ts";
import type { Status } from "../status.ts";
import type { ChannelAdapter, Delivery } from "./ports.ts";

/**
 * The actions whose events may carry news for the applicant (see `deliveriesOf`). The others change nothing the
 * applicant waits to hear of (a request taken into work, reopened by their own message, reassigned) and are not
 * claimed by the outbox's workers at all.
 */
export const DELIVERING_ACTIONS = [
  "replied",
  "asked",
  "status_changed",
  "escalated",
  "incident_linked",
  "incident_updated",
  "incident_resolved",
] as const;

/** What an event of the core means for the applicant. */
export function deliveriesOf(e: EventMessage): Delivery[] {
  const requestId = Number(e.data.requestId);
  const number = String(e.data.number ?? "");
  const out: Delivery[] = [];
  const messageId = e.data.messageId;
  // The applicant's own words are not news to them; a note never leaves.
  if (typeof messageId === "number" && e.data.visibility === "public" && e.topic !== "request.applicant_replied") {
    out.push({ kind: "message.public", requestId, number, messageId });
  }
  const status = e.data.status as [Status, Status] | undefined;
  const historyId = typeof e.data.historyId === "number" ? e.data.historyId : null;
  if (status && status[0] !== status[1]) {
    out.push({ kind: "status.changed", requestId, number, from: status[0], to: status[1], historyId });
    if (status[1] === "resolved") out.push({ kind: "resolved", requestId, number, historyId });
  }
  return out;
}

export function deliveryJobs(db: Db, adapters: () => readonly ChannelAdapter[]): Record<string, JobHandler> {
  const job: JobHandler = async (e) => {
    const list = deliveriesOf(e);
    const delivering = adapters().filter((a) => a.deliver);
    if (list.length === 0 || delivering.length === 0) return;
    const [request] = await db
      .select({ id: requests.id, channel: requests.channel })
      .from(requests)
      .where(eq(requests.id, list[0]!.requestId));
    if (!request) return;
    for (const d of list) for (const a of delivering) await a.deliver!(d, request);
  };
  return Object.fromEntries(DELIVERING_ACTIONS.map((a) => [`request.${a}`, job]));
}
