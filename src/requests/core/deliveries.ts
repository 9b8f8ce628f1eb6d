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
  /** The event's deliveries and the request they are about (events written before they carried its facts look it up). */
  const itemsOf = async (e: EventMessage) => {
    const list = deliveriesOf(e);
    if (list.length === 0) return [];
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
      if (!row) return [];
      request = { id: row.id, channel: row.channel, hasEmail: row.email !== null, hasPhone: row.phone !== null };
    }
    return list.map((delivery) => ({ event: e, delivery, request: request! }));
  };
  const job = jobFor(
    wants,
    async (e) => {
      const delivering = adapters().filter((a) => a.deliver);
      if (delivering.length === 0) return;
      for (const { delivery, request } of await itemsOf(e)) {
        for (const a of delivering) if (reaches(a, delivery, request)) await a.deliver!(delivery, request);
      }
    },
    // A burst of events (registrations): each channel gets the deliveries it reaches together when it can take them so.
    async (events) => {
      const failed = new Map<number, unknown>();
      const items: Awaited<ReturnType<typeof itemsOf>> = [];
      for (const e of events) {
        try {
          items.push(...(await itemsOf(e)));
        } catch (error) {
          failed.set(e.id, error);
        }
      }
      for (const a of adapters().filter((a) => a.deliver)) {
        const mine = items.filter((i) => !failed.has(i.event.id) && reaches(a, i.delivery, i.request));
        if (mine.length === 0) continue;
        if (a.deliverMany) {
          for (const [place, error] of await a.deliverMany(mine)) failed.set(mine[place]!.event.id, error);
          continue;
        }
        for (const i of mine) {
          if (failed.has(i.event.id)) continue;
          try {
            await a.deliver!(i.delivery, i.request);
          } catch (error) {
            failed.set(i.event.id, error);
          }
        }
      }
      return failed;
    },
  );
  return Object.fromEntries(DELIVERING_ACTIONS.map((a) => [`request.${a}`, job]));
}
