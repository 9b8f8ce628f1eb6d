// The webhooks' SQL: subscriptions, queuing deliveries, claiming the due ones in order, recording each attempt.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Queryable, Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { users } from "../staff/schema.ts";
import { webhookDeliveries, webhookSubscriptions } from "./db-schema.ts";

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** How long a delivery is retried before it is given up. */
export const RETRY_WINDOW_HOURS = 24;
/** How long a delivered or given-up delivery stays in the log (its body may carry contacts). */
export const LOG_DAYS = 30;

const VIEW = {
  id: webhookSubscriptions.id,
  url: webhookSubscriptions.url,
  events: webhookSubscriptions.events,
  includePersonalData: webhookSubscriptions.includePersonalData,
  status: webhookSubscriptions.status,
  disabledAt: webhookSubscriptions.disabledAt,
  createdAt: webhookSubscriptions.createdAt,
  updatedAt: webhookSubscriptions.updatedAt,
};
export type SubscriptionView = {
  id: number;
  url: string;
  events: string[];
  includePersonalData: boolean;
  status: "active" | "paused" | "disabled";
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export async function insertSubscription(
  db: Queryable,
  s: { url: string; events: string[]; includePersonalData: boolean; secret: string; createdBy: number },
): Promise<number> {
  const [row] = await db.insert(webhookSubscriptions).values(s).returning({ id: webhookSubscriptions.id });
  return row!.id;
}

export async function listSubscriptions(db: Queryable): Promise<SubscriptionView[]> {
  return db.select(VIEW).from(webhookSubscriptions).orderBy(webhookSubscriptions.id);
}

export async function subscriptionView(db: Queryable, id: number): Promise<SubscriptionView | undefined> {
  const [row] = await db.select(VIEW).from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  return row;
}

/** The deliveries' counts per subscription: what waits, what failed, when the last one arrived. */
export async function deliveryStats(db: Queryable) {
  const rows = await db
    .select({
      subscriptionId: webhookDeliveries.subscriptionId,
      pending: sql<number>`count(*) filter (where ${webhookDeliveries.status} = 'pending')::int`,
      failed: sql<number>`count(*) filter (where ${webhookDeliveries.status} = 'failed')::int`,
      lastDeliveredAt: sql<string | null>`max(${webhookDeliveries.deliveredAt})`,
    })
    .from(webhookDeliveries)
    .groupBy(webhookDeliveries.subscriptionId);
  return new Map(rows.map((r) => [r.subscriptionId, r]));
}

export async function setStatus(
  db: Queryable,
  id: number,
  status: "active" | "paused" | "disabled",
  onlyFrom?: readonly ("active" | "paused" | "disabled")[],
): Promise<boolean> {
  const rows = await db
    .update(webhookSubscriptions)
    .set({ status, updatedAt: new Date(), disabledAt: status === "disabled" ? new Date() : null })
    .where(
      and(eq(webhookSubscriptions.id, id), onlyFrom ? inArray(webhookSubscriptions.status, [...onlyFrom]) : undefined),
    )
    .returning({ id: webhookSubscriptions.id });
  return rows.length > 0;
}

/** A subscription back in service: what waited is tried now, with a fresh day of retries. */
export async function restartPending(db: Queryable, id: number) {
  await db
    .update(webhookDeliveries)
    .set({
      nextAttemptAt: new Date(),
      expiresAt: sql`now() + make_interval(hours => ${RETRY_WINDOW_HOURS})`,
      lockedUntil: null,
    })
    .where(and(eq(webhookDeliveries.subscriptionId, id), eq(webhookDeliveries.status, "pending")));
}

export async function deleteSubscription(db: Queryable, id: number): Promise<boolean> {
  const rows = await db
    .delete(webhookSubscriptions)
    .where(eq(webhookSubscriptions.id, id))
    .returning({ id: webhookSubscriptions.id });
  return rows.length > 0;
}

/** Active subscriptions with the events they take (no secrets: queuing does not sign). */
export async function activeSubscriptions(db: Queryable) {
  return db
    .select({
      id: webhookSubscriptions.id,
      url: webhookSubscriptions.url,
      events: webhookSubscriptions.events,
      includePersonalData: webhookSubscriptions.includePersonalData,
    })
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.status, "active"));
}

/** Queues one delivery; a repeat of the same outbox event (the outbox is at least once) adds nothing. */
export async function queueDelivery(
  tx: Tx,
  d: {
    subscriptionId: number;
    deliveryId: string;
    eventId: number;
    type: string;
    subject: string;
    body: string;
    personalData: boolean;
  },
): Promise<boolean> {
  const rows = await tx
    .insert(webhookDeliveries)
    .values({ ...d, expiresAt: sql`now() + make_interval(hours => ${RETRY_WINDOW_HOURS})` })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/**
 * Claims due deliveries with a lease. A delivery waits while an earlier one (by outbox event) of the same
 * subscription and subject is still pending, and while an earlier outbox event of its request has not been handled
 * yet (in flight in another process, or not claimed): its deliveries are not queued yet. That keeps a request's
 * events in order at the receiver. An earlier event that failed in another room's job does not hold it: the
 * webhooks' job runs first on every topic (src/rooms.ts), so that event's deliveries were queued before it failed.
 */
export async function claimDue(db: Db, limit: number, leaseSeconds: number): Promise<number[]> {
  const rows = await db.execute(sql`
    update webhook_deliveries set locked_until = now() + make_interval(secs => ${leaseSeconds})
    where id in (
      select d.id from webhook_deliveries d
      join webhook_subscriptions s on s.id = d.subscription_id and s.status = 'active'
      where d.status = 'pending' and d.next_attempt_at <= now()
        and (d.locked_until is null or d.locked_until < now())
        and not exists (
          select 1 from webhook_deliveries p
          where p.subscription_id = d.subscription_id and p.subject = d.subject and p.status = 'pending'
            and (p.event_id < d.event_id or (p.event_id = d.event_id and p.id < d.id)))
        and not exists (
          select 1 from events e
          where e.processed_at is null and e.last_error is null and e.id < d.event_id and e.topic like 'request.%'
            and 'request:' || (e.payload->>'requestId') = d.subject)
      order by d.event_id, d.id
      limit ${limit}
      for update of d skip locked)
    returning id`);
  return rowsOf<{ id: number }>(rows).map((r) => Number(r.id));
}

/** The claimed deliveries with what sending them takes: the subscription's URL and secret. */
export async function deliveriesToSend(db: Queryable, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: webhookDeliveries.id,
      deliveryId: webhookDeliveries.deliveryId,
      subscriptionId: webhookDeliveries.subscriptionId,
      type: webhookDeliveries.type,
      body: webhookDeliveries.body,
      attempts: webhookDeliveries.attempts,
      expiresAt: webhookDeliveries.expiresAt,
      url: webhookSubscriptions.url,
      secret: webhookSubscriptions.secret,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(inArray(webhookDeliveries.id, ids))
    .orderBy(webhookDeliveries.eventId, webhookDeliveries.id);
}

export type AttemptRecord = {
  status: number | null;
  durationMs: number;
  error: string | null;
  excerpt: string | null;
};

/** Delay before attempt n+1 after n failed ones: 10 s, 20 s, 40 s… doubling up to an hour. */
export function backoffSeconds(failedAttempts: number): number {
  return Math.min(3600, 10 * 2 ** Math.max(0, Math.min(failedAttempts - 1, 12)));
}

export async function recordAttempt(
  db: Queryable,
  id: number,
  outcome: "delivered" | "retry" | "failed",
  a: AttemptRecord,
  failedAttempts: number,
) {
  const now = new Date();
  await db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastAttemptAt: now,
      lastStatus: a.status,
      lastDurationMs: a.durationMs,
      lastError: a.error,
      lastResponse: a.excerpt,
      lockedUntil: null,
      ...(outcome === "delivered" ? { status: "delivered" as const, deliveredAt: now } : {}),
      ...(outcome === "failed" ? { status: "failed" as const } : {}),
      ...(outcome === "retry"
        ? { nextAttemptAt: new Date(now.getTime() + backoffSeconds(failedAttempts) * 1000) }
        : {}),
    })
    .where(eq(webhookDeliveries.id, id));
}

export async function deliveryLog(db: Queryable, subscriptionId: number, limit: number) {
  return db
    .select({
      id: webhookDeliveries.id,
      deliveryId: webhookDeliveries.deliveryId,
      type: webhookDeliveries.type,
      subject: webhookDeliveries.subject,
      personalData: webhookDeliveries.personalData,
      status: webhookDeliveries.status,
      attempts: webhookDeliveries.attempts,
      createdAt: webhookDeliveries.createdAt,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      lastAttemptAt: webhookDeliveries.lastAttemptAt,
      deliveredAt: webhookDeliveries.deliveredAt,
      lastStatus: webhookDeliveries.lastStatus,
      lastDurationMs: webhookDeliveries.lastDurationMs,
      lastError: webhookDeliveries.lastError,
      lastResponse: webhookDeliveries.lastResponse,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.subscriptionId, subscriptionId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(limit);
}

export async function activeAdministrators(db: Queryable): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "administrator"), eq(users.active, true)));
  return rows.map((r) => r.id);
}

/** Forgets deliveries done or given up more than LOG_DAYS ago; answers how many. */
export async function pruneLog(db: Queryable): Promise<number> {
  const rows = await db
    .delete(webhookDeliveries)
    .where(
      and(
        inArray(webhookDeliveries.status, ["delivered", "failed"]),
        sql`${webhookDeliveries.createdAt} < now() - make_interval(days => ${LOG_DAYS})`,
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return rows.length;
}
