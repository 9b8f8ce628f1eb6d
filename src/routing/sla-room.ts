// The SLA room: policies and escalation rules loaded per process, a sweep every SWEEP_SECONDS in every process
// (the database decides who takes each step), incidents, shifts and staff notifications.
import { every } from "../guard.ts";
import type { Room } from "../room.ts";
import { sweep } from "./escalation.ts";
import { incidentRoutes } from "./incident-routes.ts";
import { notificationsFeed, slaRoutes } from "./sla-routes.ts";
import { loadSla, SLA_CHANGED, seedSlaDefaults } from "./sla-service.ts";

/** How often each process looks for overdue requests and re-check dates. */
export const SWEEP_SECONDS = 30;

type Sweeper = { timer: NodeJS.Timeout; running: Promise<unknown> | undefined; stopped: boolean };

export const slaRoom: Room = {
  name: "sla",
  // The working calendar is the directory's production calendar.
  needs: ["directory"],
  provides: ["sla"],
  feeds: () => ({ notifications: notificationsFeed }),
  async start(ctx) {
    await seedSlaDefaults(ctx.db);
    await loadSla(ctx);
    const unsubscribe = ctx.bus.subscribe(async (e) => {
      if (e.topic === SLA_CHANGED) await loadSla(ctx);
    });
    const s: Sweeper = { timer: undefined as never, running: undefined, stopped: false };
    // A failed pass is logged by the guard; the next one retries: nothing was committed for the batch that failed.
    s.timer = every("sla.sweep", SWEEP_SECONDS * 1000, () => {
      if (s.stopped) return;
      s.running = sweep(ctx).finally(() => {
        s.running = undefined;
      });
      return s.running;
    });
    s.timer.unref();
    return async () => {
      unsubscribe();
      s.stopped = true;
      clearInterval(s.timer);
      await s.running?.catch(() => {});
    };
  },
  async routes(app, opts) {
    await slaRoutes(app, opts);
    await incidentRoutes(app, opts);
  },
};
