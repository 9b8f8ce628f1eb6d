// The outgoing webhooks room: administrators subscribe URLs to Otklik's events; the outbox's events become signed
// deliveries, retried with back-off for a day, kept in order per request (see docs/WEBHOOKS.md).
import { type EventMessage, jobFor } from "../db/outbox.ts";
import type { Room } from "../room.ts";
import { plan, SOURCE_TOPICS } from "./events.ts";
import { webhookRoutes } from "./routes.ts";
import {
  cachedSubscriptions,
  forgetSubscriptions,
  knownSubscriptions,
  policyOf,
  queueFor,
  SUBSCRIPTIONS_CHANGED,
} from "./service.ts";
import { DeliveryWorker } from "./worker.ts";

declare module "../room.ts" {
  interface Services {
    webhooks: DeliveryWorker;
  }
}

export const webhooksRoom: Room = {
  name: "webhooks",
  provides: ["webhooks"],
  async start(ctx) {
    const worker = new DeliveryWorker(ctx.db, policyOf(ctx.config));
    ctx.services.provide("webhooks", worker);
    worker.start();
    // Read before serving, so that the first events are already judged by them (a failed read leaves every event
    // taken as wanted until a read succeeds).
    await cachedSubscriptions(ctx.db).catch(() => {});
    // Another process changed the subscriptions, or the channel was lost meanwhile: read them again.
    const heard = ctx.bus.subscribe((e) => {
      if (e.topic === SUBSCRIPTIONS_CHANGED) forgetSubscriptions();
    });
    const resumed = ctx.bus.onResume(forgetSubscriptions);
    return () => {
      heard();
      resumed();
      return worker.stop();
    };
  },
  routes: webhookRoutes,
  jobs: (ctx) => {
    // Most installations have no subscription, or none for most events: those events are not even claimed.
    const wants = (e: EventMessage) => {
      const planned = plan(e);
      if (planned.length === 0) return false;
      const subs = knownSubscriptions(ctx.db);
      return !subs || planned.some((p) => subs.some((s) => s.events.includes(p.type)));
    };
    const job = jobFor(wants, async (e) => {
      if ((await queueFor(ctx.db, ctx.config, e)) > 0) void ctx.services.maybe("webhooks")?.kick();
    });
    return Object.fromEntries(SOURCE_TOPICS.map((t) => [t, job]));
  },
};
