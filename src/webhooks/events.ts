// Which webhook events an outbox event makes, and what each carries. The rooms' own events name ids only; the
// payload is read here, once, when the deliveries are queued, and is the same on every attempt.
import { eq, sql } from "drizzle-orm";
import { phoneCalls } from "../channels/phone/db-schema.ts";
import type { Queryable } from "../db/client.ts";
import type { EventMessage } from "../db/outbox.ts";
import { events } from "../db/schema.ts";
import { publicMessage, requestRowById } from "../requests/queries.ts";
import { incidentRequests, incidents } from "../routing/sla-schema.ts";

export const WEBHOOK_EVENTS = [
  "request.created",
  "request.status_changed",
  "request.replied",
  "request.escalated",
  "request.resolved",
  "request.rated",
  "incident.declared",
  "incident.resolved",
  "call.missed",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * The request core's actions that can bear one of the events above: a status can change with a reply, an
 * assignment, an escalation, a merge or the applicant's own message (a resolved request reopened). Notes are not here.
 */
const REQUEST_ACTIONS = [
  "created",
  "replied",
  "asked",
  "applicant_replied",
  "status_changed",
  "escalated",
  "returned",
  "updated",
  "assigned",
  "rated",
  "rating_changed",
  "incident_linked",
  "incident_updated",
  "incident_resolved",
  "recheck_due",
  // A duplicate merged into another request is closed by the merge: subscribers hear of its status.
  "merged",
] as const;

/** The outbox topics the webhooks room listens to. */
export const SOURCE_TOPICS = [
  ...REQUEST_ACTIONS.map((a) => `request.${a}`),
  "incident.declared",
  "incident.resolved",
  "phone.call",
];

export type Planned = { type: WebhookEvent; subject: string };

/** What an outbox event means for subscribers, in the order they hear it. Pure: tested without a database. */
export function plan(e: EventMessage): Planned[] {
  const out: Planned[] = [];
  if (e.topic.startsWith("request.")) {
    const subject = `request:${Number(e.data.requestId)}`;
    const action = e.topic.slice("request.".length);
    if (action === "created") out.push({ type: "request.created", subject });
    // The service's public words; an applicant's own message and a note are not replies.
    if (
      typeof e.data.messageId === "number" &&
      e.data.visibility === "public" &&
      action !== "applicant_replied" &&
      action !== "created"
    ) {
      out.push({ type: "request.replied", subject });
    }
    if (action === "escalated") out.push({ type: "request.escalated", subject });
    const status = e.data.status as [string, string] | undefined;
    if (status && status[0] !== status[1]) {
      out.push({ type: "request.status_changed", subject });
      if (status[1] === "resolved") out.push({ type: "request.resolved", subject });
    }
    if (action === "rated" || action === "rating_changed") out.push({ type: "request.rated", subject });
  } else if (e.topic === "incident.declared" || e.topic === "incident.resolved") {
    out.push({ type: e.topic, subject: `incident:${Number(e.data.incidentId)}` });
  } else if (e.topic === "phone.call" && e.data.state === "abandoned" && e.data.event === "hangup") {
    out.push({ type: "call.missed", subject: `call:${Number(e.data.callId)}` });
  }
  return out;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** When the change happened: the outbox row's time. */
export async function occurredAt(db: Queryable, eventId: number): Promise<string> {
  const [row] = await db.select({ at: events.createdAt }).from(events).where(eq(events.id, eventId));
  return (row?.at ?? new Date()).toISOString();
}

/**
 * The `data` of one webhook event, with or without the applicant's contacts and words; null when what it speaks of
 * is gone (purged) or is not news for subscribers (an outgoing call nobody answered).
 */
export async function dataOf(
  db: Queryable,
  type: WebhookEvent,
  e: EventMessage,
  personal: boolean,
  publicUrl: string,
): Promise<Record<string, unknown> | null> {
  if (type.startsWith("request.")) {
    const row = await requestRowById(db, Number(e.data.requestId));
    if (!row) return null;
    const request: Record<string, unknown> = {
      id: row.id,
      number: row.number,
      status: row.status,
      channel: row.channel,
      category: row.category,
      priority: row.priority,
      departmentId: row.departmentId,
      createdAt: iso(row.createdAt),
      resolutionDueAt: iso(row.resolutionDueAt),
      consoleUrl: `${publicUrl.replace(/\/$/, "")}/console/requests/${row.number}`,
    };
    if (personal) {
      request.subject = row.subject;
      request.applicant = { name: row.contactName, email: row.contactEmail, phone: row.contactPhone };
    }
    const data: Record<string, unknown> = { request };
    const status = e.data.status as [string, string] | undefined;
    if (type === "request.status_changed" && status) data.change = { from: status[0], to: status[1] };
    if (type === "request.replied" && typeof e.data.messageId === "number") {
      const message: Record<string, unknown> = { id: e.data.messageId };
      if (personal) message.text = (await publicMessage(db, e.data.messageId))?.body ?? null;
      data.message = message;
    }
    if (type === "request.rated") {
      data.rating = { score: row.rating, ...(personal ? { comment: row.ratingComment } : {}) };
    }
    return data;
  }
  if (type === "incident.declared" || type === "incident.resolved") {
    const [i] = await db
      .select()
      .from(incidents)
      .where(eq(incidents.id, Number(e.data.incidentId)));
    if (!i) return null;
    const [linked] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(incidentRequests)
      .where(eq(incidentRequests.incidentId, i.id));
    return {
      incident: {
        id: i.id,
        title: i.title,
        status: i.status,
        publicMessage: i.publicMessage,
        since: iso(i.since),
        expectedRecoveryAt: iso(i.expectedRecoveryAt),
        resolvedAt: iso(i.resolvedAt),
        resolutionMessage: i.resolutionMessage,
        requests: Number(linked?.n ?? 0),
      },
    };
  }
  const [c] = await db
    .select()
    .from(phoneCalls)
    .where(eq(phoneCalls.id, Number(e.data.callId)));
  if (c?.direction !== "in") return null;
  const call: Record<string, unknown> = {
    id: c.id,
    lineId: c.lineId,
    queue: c.queue,
    startedAt: iso(c.startedAt),
    endedAt: iso(c.endedAt),
    cause: c.cause,
  };
  if (personal) call.from = c.fromNumber;
  return { call };
}
