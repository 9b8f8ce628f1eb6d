// From the core's events to the channels: after commit, each event that carries news for the applicant (the
// registration, a public message from the service, a change of status, a resolution) becomes deliveries, handed to every channel adapter;
// each adapter decides whether it reaches this applicant. At least once: an adapter that fails makes the outbox retry
// the event, so adapters key what they send by the message or history row.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import type { EventMessage, JobHandler } from "../../db/outbox.ts";
import { requests } from "../schema.ts";
import type { Status } from "../status.ts";
import type { ChannelAdapter, Delivery, DeliveryTarget } from "./ports.ts";

/**
 * The actions whose events may carry news for the applicant (see `deliveriesOf`). The others change nothing the
 * applicant waits to hear of (a request taken into work, reopened by their own message, reassigned) and are not
 * handed to the channels (the outgoing webhooks take some of them: src/webhooks/events.ts).
 */
export const DELIVERING_ACTIONS = [
  "created",
  "replied",
  "asked",
  "status_changed",
  "escalated",
  "incident_linked",
  "incident_updated",
  "incident_resolved",
  "merged",
] as const;

/** What an event of the core means for the applicant. */
export function deliveriesOf(e: EventMessage): Delivery[] {
  const requestId = Number(e.data.requestId);
  const number = String(e.data.number ?? "");
  const out: Delivery[] = [];
  if (e.topic === "request.created") return [{ kind: "registered", requestId, number }];
  const historyId = typeof e.data.historyId === "number" ? e.data.historyId : null;
  // A merge closes the duplicate: the one piece of news is where it went, not that it is closed.
  if (e.topic === "request.merged") return [{ kind: "merged", requestId, number, historyId }];
  const status = e.data.status as [Status, Status] | undefined;
  const changed = Boolean(status && status[0] !== status[1]);
  const resolves = changed && status![1] === "resolved";
  const messageId = e.data.messageId;
  // The applicant's own words are not news to them; a note never leaves.
  const spoken =
    typeof messageId === "number" && e.data.visibility === "public" && e.topic !== "request.applicant_replied";
  if (spoken) {
    const action = e.topic.slice("request.".length);
    const via = typeof e.data.via === "string" ? { via: e.data.via } : {};
    out.push({ kind: "message.public", requestId, number, messageId, action, resolves, ...via });
  }
  if (changed) {
    out.push({ kind: "status.changed", requestId, number, from: status![0], to: status![1], historyId });
    if (resolves) out.push({ kind: "resolved", requestId, number, historyId, ...(spoken ? { messageId } : {}) });
  }
  return out;
}

export function deliveryJobs(db: Db, adapters: () => readonly ChannelAdapter[]): Record<string, JobHandler> {
  const job: JobHandler = async (e) => {
    const list = deliveriesOf(e);
    const delivering = adapters().filter((a) => a.deliver);
    if (list.length === 0 || delivering.length === 0) return;
    // The event says which contacts the request has (every event of the core does, src/requests/core/row.ts
    // `eventFacts`; events written before it did are looked up).
    if (
      typeof e.data.channel === "string" &&
      typeof e.data.hasEmail === "boolean" &&
      typeof e.data.hasPhone === "boolean"
    ) {
      const request: DeliveryTarget = {
        id: list[0]!.requestId,
        channel: String(e.data.channel),
        hasEmail: e.data.hasEmail,
        hasPhone: e.data.hasPhone,
      };
      for (const d of list) for (const a of delivering) await a.deliver!(d, request);
      return;
    }
    const [row] = await db
      .select({
        id: requests.id,
        channel: requests.channel,
        email: requests.contactEmailHash,
        phone: requests.contactPhoneHash,
      })
      .from(requests)
      .where(eq(requests.id, list[0]!.requestId));
    if (!row) return;
    const request: DeliveryTarget = {
      id: row.id,
      channel: row.channel,
      hasEmail: row.email !== null,
      hasPhone: row.phone !== null,
    };
    for (const d of list) for (const a of delivering) await a.deliver!(d, request);
  };
  return Object.fromEntries(DELIVERING_ACTIONS.map((a) => [`request.${a}`, job]));
}
