// From the core's events to the channels: after commit, each event that carries news for the applicant (the
// registration, a public message from the service, a change of status, a resolution) becomes deliveries, handed to every channel adapter;
// each adapter decides whether it reaches this applicant. At least once: an adapter that fails makes the outbox retry
// the event, so adapters key what they send by the message or history row.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type EventMessage, type JobHandler, jobFor } from "../../db/outbox.ts";
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

/** The request's facts as its event carries them (every event of the core does, `eventFacts` in row.ts). */
function targetOf(e: EventMessage, requestId: number): DeliveryTarget | undefined {
  const { channel, hasEmail, hasPhone } = e.data;
  if (typeof channel !== "string" || typeof hasEmail !== "boolean" || typeof hasPhone !== "boolean") return undefined;
  return { id: requestId, channel, hasEmail, hasPhone };
}

const reaches = (a: ChannelAdapter, d: Delivery, r: DeliveryTarget) => (a.reaches ? a.reaches(d, r) : true);

export function deliveryJobs(db: Db, adapters: () => readonly ChannelAdapter[]): Record<string, JobHandler> {
  // An event no channel reaches (a registration without contacts, through the web form) is not even claimed.
  const wants = (e: EventMessage) => {
    const list = deliveriesOf(e);
    if (list.length === 0) return false;
    const target = targetOf(e, list[0]!.requestId);
    if (!target) return true;
    return list.some((d) => adapters().some((a) => a.deliver && reaches(a, d, target)));
  };
  const job = jobFor(wants, async (e) => {
    const list = deliveriesOf(e);
    const delivering = adapters().filter((a) => a.deliver);
    if (list.length === 0 || delivering.length === 0) return;
    // Events written before they carried the request's facts have them looked up.
    let request = targetOf(e, list[0]!.requestId);
    if (!request) {
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
      request = { id: row.id, channel: row.channel, hasEmail: row.email !== null, hasPhone: row.phone !== null };
    }
    for (const d of list) for (const a of delivering) if (reaches(a, d, request)) await a.deliver!(d, request);
  });
  return Object.fromEntries(DELIVERING_ACTIONS.map((a) => [`request.${a}`, job]));
}
