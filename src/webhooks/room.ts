// The outgoing webhooks room: administrators subscribe URLs to Otklik's events; the outbox's events become signed
// deliveries, retried with back-off for a day, kept in order per request (see docs/WEBHOOKS.md).
import type { Room } from "../room.ts";
import { SOURCE_TOPICS } from "./events.ts";
import { webhookRoutes } from "./routes.ts";
import { forgetSubscriptions, policyOf, queueFor, SUBSCRIPTIONS_CHANGED } from "./service.ts";
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
    const job = async (e: Parameters<typeof queueFor>[2]) => {
      if ((await queueFor(ctx.db, ctx.config, e)) > 0) void ctx.services.maybe("webhooks")?.kick();
    };
    return Object.fromEntries(SOURCE_TOPICS.map((t) => [t, job]));
  },
};
