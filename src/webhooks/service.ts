// The rules of outgoing webhooks: who may be subscribed where, what an outbox event queues for each subscription,
// and what a failed attempt means. Knows nothing of HTTP routes.
import { randomUUID } from "node:crypto";
import { audit } from "../audit/audit.ts";
import type { Config } from "../config.ts";
import type { Db, Queryable } from "../db/client.ts";
import { type EventMessage, emit } from "../db/outbox.ts";
import { AppError, errors } from "../http/errors.ts";
import { notifyStaff } from "../routing/notify.ts";
import { randomBytes } from "../security/random.ts";
import { type AddressPolicy, AddressRefused, checkUrlShape, hostOf, resolveChecked } from "./address.ts";
import { dataOf, occurredAt, plan, type WebhookEvent } from "./events.ts";
import {
  activeAdministrators,
  activeSubscriptions,
  deleteSubscription,
  deliveryLog,
  deliveryStats,
  insertSubscription,
  listSubscriptions,
  queueDelivery,
  restartPending,
  setStatus,
  subscriptionView,
} from "./store.ts";

/** The address rules of the running configuration (read at each use, like the other settings on the context). */
export const policyOf = (config: Config): AddressPolicy => ({
  get allowLoopback() {
    return config.webhookAllowLoopback;
  },
  get allowHosts() {
    return config.webhookAllowHosts;
  },
});

const notFound = () => new AppError("not_found", "Такой подписки на события нет.", 404);

/** The outbox topic that tells every process the set of active subscriptions changed. */
export const SUBSCRIPTIONS_CHANGED = "webhooks.changed";

type ActiveSubscription = Awaited<ReturnType<typeof activeSubscriptions>>[number];

/**
 * The active subscriptions, read once and kept until they change: every outbox event of a request asks for them, and
 * most installations have none. A change made in this process is forgotten as soon as its transaction has committed;
 * one made by another process is heard through the events channel (`webhooks.changed`), and all is read again after
 * the channel was lost.
 */
const subscriptionsCache = new WeakMap<object, Promise<ActiveSubscription[]>>();
let cacheGeneration = 0;

export function forgetSubscriptions() {
  cacheGeneration++;
}

const cachedGeneration = new WeakMap<object, number>();
/** The subscriptions once read, for questions that cannot wait for a read (`knownSubscriptions`). */
const settledSubscriptions = new WeakMap<object, { generation: number; list: ActiveSubscription[] }>();

export function cachedSubscriptions(db: Db): Promise<ActiveSubscription[]> {
  const kept = subscriptionsCache.get(db);
  if (kept && cachedGeneration.get(db) === cacheGeneration) return kept;
  const generation = cacheGeneration;
  const read = activeSubscriptions(db);
  subscriptionsCache.set(db, read);
  cachedGeneration.set(db, generation);
  read.then(
    (list) => settledSubscriptions.set(db, { generation, list }),
    // A failed read is not kept.
    () => {
      if (subscriptionsCache.get(db) === read) subscriptionsCache.delete(db);
    },
  );
  return read;
}

/**
 * The active subscriptions if they are known and current, without waiting; undefined otherwise (a read is started,
 * so the next question has its answer).
 */
export function knownSubscriptions(db: Db): ActiveSubscription[] | undefined {
  const settled = settledSubscriptions.get(db);
  if (settled && settled.generation === cacheGeneration) return settled.list;
  cachedSubscriptions(db).catch(() => {});
  return undefined;
}

/** Records a change of the subscriptions in its transaction, so that other processes forget theirs on commit. */
const changed = (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => emit(tx, SUBSCRIPTIONS_CHANGED, {});

/** Subscribes a URL after checking where it leads; answers the id and the signing secret, shown this once. */
export async function subscribe(
  db: Db,
  policy: AddressPolicy,
  input: { url: string; events: WebhookEvent[]; includePersonalData?: boolean | undefined },
  by: number,
): Promise<{ id: number; secret: string }> {
  try {
    const url = checkUrlShape(input.url, policy);
    await resolveChecked(url, policy);
  } catch (e) {
    if (e instanceof AddressRefused) throw errors.badInput(`webhook_${e.code}`, e.reason, { field: "url" });
    throw e;
  }
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const includePersonalData = input.includePersonalData ?? false;
  const id = await db.transaction(async (tx) => {
    const made = await insertSubscription(tx, {
      url: input.url,
      events: [...new Set(input.events)],
      includePersonalData,
      secret,
      createdBy: by,
    });
    await changed(tx);
    // Sending contacts out of Otklik is a decision about personal data: it is on the record who made it.
    if (includePersonalData) {
      await audit(tx, {
        actorId: by,
        action: "webhook.subscribe_personal_data",
        subjectType: "webhook",
        subjectId: String(made),
        details: { host: hostOf(new URL(input.url)), events: input.events },
      });
    }
    return made;
  });
  forgetSubscriptions();
  return { id, secret };
}

export async function subscriptions(db: Queryable) {
  const [list, stats] = await Promise.all([listSubscriptions(db), deliveryStats(db)]);
  return list.map((s) => {
    const st = stats.get(s.id);
    return {
      ...s,
      pending: Number(st?.pending ?? 0),
      failed: Number(st?.failed ?? 0),
      lastDeliveredAt: st?.lastDeliveredAt ? new Date(st.lastDeliveredAt) : null,
    };
  });
}

export async function pause(db: Db, id: number) {
  if (!(await subscriptionView(db, id))) throw notFound();
  await db.transaction(async (tx) => {
    if (await setStatus(tx, id, "paused", ["active"])) await changed(tx);
  });
  forgetSubscriptions();
  return (await subscriptionView(db, id))!;
}

export async function resume(db: Db, id: number) {
  if (!(await subscriptionView(db, id))) throw notFound();
  await db.transaction(async (tx) => {
    if (await setStatus(tx, id, "active", ["paused", "disabled"])) {
      await restartPending(tx, id);
      await changed(tx);
    }
  });
  forgetSubscriptions();
  return (await subscriptionView(db, id))!;
}

export async function remove(db: Db, id: number) {
  const removed = await db.transaction(async (tx) => {
    const done = await deleteSubscription(tx, id);
    if (done) await changed(tx);
    return done;
  });
  forgetSubscriptions();
  if (!removed) throw notFound();
}

export async function log(db: Queryable, id: number, limit: number) {
  if (!(await subscriptionView(db, id))) throw notFound();
  return deliveryLog(db, id, limit);
}

/**
 * The outbox job: queues a delivery per active subscription that takes each event this outbox event makes. A
 * delivery with the applicant's contacts is written to the audit log in the same transaction that queues it.
 * Answers how many were queued (the worker is woken when there are any).
 */
export async function queueFor(db: Db, config: Config, e: EventMessage): Promise<number> {
  const planned = plan(e);
  if (planned.length === 0) return 0;
  const subs = (await cachedSubscriptions(db)).filter((s) => planned.some((p) => s.events.includes(p.type)));
  if (subs.length === 0) return 0;
  const at = await occurredAt(db, e.id);
  let queued = 0;
  for (const p of planned) {
    const takers = subs.filter((s) => s.events.includes(p.type));
    const bodies = new Map<boolean, Record<string, unknown> | null>();
    for (const s of takers) {
      // An incident names no applicant: its body is the same either way and is not audited.
      const personal = s.includePersonalData && !p.type.startsWith("incident.");
      if (!bodies.has(personal)) bodies.set(personal, await dataOf(db, p.type, e, personal, config.publicUrl));
      const data = bodies.get(personal);
      if (!data) continue;
      const deliveryId = randomUUID();
      const body = JSON.stringify({ id: deliveryId, type: p.type, occurredAt: at, data });
      const added = await db.transaction(async (tx) => {
        const ok = await queueDelivery(tx, {
          subscriptionId: s.id,
          deliveryId,
          eventId: e.id,
          type: p.type,
          subject: p.subject,
          body,
          personalData: personal,
        });
        if (ok && personal) {
          const [kind, id] = p.subject.split(":") as [string, string];
          await audit(tx, {
            actorId: null,
            action: "webhook.personal_data_sent",
            subjectType: kind,
            subjectId: id,
            details: { subscriptionId: s.id, deliveryId, type: p.type, host: hostOf(new URL(s.url)) },
          });
        }
        return ok;
      });
      if (added) queued++;
    }
  }
  return queued;
}

/** A delivery given up after its day of retries: the subscription stops and the administrators hear of it. */
export async function disableForFailure(db: Db, subscriptionId: number, url: string) {
  await db.transaction(async (tx) => {
    if (!(await setStatus(tx, subscriptionId, "disabled", ["active"]))) return;
    await changed(tx);
    const host = hostOf(new URL(url));
    await notifyStaff(tx, await activeAdministrators(tx), {
      requestId: null,
      kind: "webhook_disabled",
      title: `Отправка событий на ${host} остановлена: получатель не принимал их 24 часа. Проверьте его и включите подписку снова в разделе «Вебхуки».`,
    });
  });
  forgetSubscriptions();
}
