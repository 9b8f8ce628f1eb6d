// The statistics room: dashboards and exports over the registry, the rollups behind them, and the daily summary by
// e-mail. At start and every minute each process brings the rollups up to date (one at a time: rollup.ts).
import { contain, every } from "../guard.ts";
import type { Room } from "../room.ts";
import { ensureBuilt, rebuildAll } from "./rollup.ts";
import { analyticsRoutes } from "./routes.ts";
import { queueDueSummary, SUMMARY_TOPIC, summaryJob } from "./summary.ts";

/** How often each process looks whether the daily summary is due. */
const CLOCK_MS = 60_000;

export const analyticsRoom: Room = {
  name: "analytics",
  async start(ctx) {
    // The first start after an upgrade fills the rollups (a month of days per transaction) without holding up start.
    // A failure is logged by the guard; the clock below and the first period board try again.
    void contain("analytics.rebuild", () => rebuildAll(ctx.db));
    // Each tried again on the next tick (the rollups also before a period board is read; nothing was queued for a
    // summary whose transaction failed).
    const timer = every("analytics.clock", CLOCK_MS, () =>
      Promise.all([contain("analytics.rollup", () => ensureBuilt(ctx.db)), queueDueSummary(ctx)]),
    );
    timer.unref();
    return () => clearInterval(timer);
  },
  routes: analyticsRoutes,
  jobs: (ctx) => ({ [SUMMARY_TOPIC]: summaryJob(ctx) }),
};
