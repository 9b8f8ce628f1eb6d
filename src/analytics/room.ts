// The statistics room: dashboards and exports over the registry, and the daily summary by e-mail.
import type { AppContext } from "../context.ts";
import type { Room } from "../rooms.ts";
import { analyticsRoutes } from "./routes.ts";
import { queueDueSummary, SUMMARY_TOPIC, summaryJob } from "./summary.ts";

/** How often each process looks whether the daily summary is due. */
const CLOCK_MS = 60_000;
const clocks = new WeakMap<AppContext, NodeJS.Timeout>();

export const analyticsRoom: Room = {
  name: "analytics",
  async start(ctx) {
    const timer = setInterval(() => {
      void queueDueSummary(ctx).catch(() => {
        // The next tick tries again; nothing was queued for a transaction that failed.
      });
    }, CLOCK_MS);
    timer.unref();
    clocks.set(ctx, timer);
  },
  async stop(ctx) {
    clearInterval(clocks.get(ctx));
  },
  routes: analyticsRoutes,
  jobs: (ctx) => ({ [SUMMARY_TOPIC]: summaryJob(ctx) }),
};
