// The SLA room: policies and escalation rules loaded per process, a sweep every OTKLIK_SLA_SWEEP_SECONDS (30 by
// default) in every process that sweeps (the database decides who takes each step), incidents, shifts and staff notifications (followers and the department
// a request is escalated to hear of it: follow-notify.ts).
import { every } from "../guard.ts";
import type { Room } from "../room.ts";
import { sweep } from "./escalation.ts";
import { followJobs } from "./follow-notify.ts";
import { incidentRoutes } from "./incident-routes.ts";
import { notificationRoutes, notificationsFeed } from "./notification-routes.ts";
import { shiftRoutes } from "./shift-routes.ts";
import { slaAdminRoutes } from "./sla-admin-routes.ts";
import { slaRoutes } from "./sla-routes.ts";
import { loadSla, SLA_CHANGED, seedSlaDefaults } from "./sla-service.ts";

type Sweeper = { running: Promise<unknown> | undefined; stopped: boolean };

export const slaRoom: Room = {
  name: "sla",
  // The working calendar is the directory's production calendar.
  needs: ["directory"],
  provides: ["sla"],
  feeds: () => ({ notifications: notificationsFeed }),
  // The receiving department and the followers of a request hear of its changes.
  jobs: (ctx) => followJobs(ctx),
  async start(ctx) {
    await seedSlaDefaults(ctx.db);
    await loadSla(ctx);
    const unsubscribe = ctx.bus.subscribe(async (e) => {
      if (e.topic === SLA_CHANGED) await loadSla(ctx);
    });
    const s: Sweeper = { running: undefined, stopped: false };
    // A failed pass is logged by the guard; the next one retries: nothing was committed for the batch that failed.
    const seconds = ctx.config.slaSweepSeconds;
    if (seconds === 0) {
      return () => {
        unsubscribe();
      };
    }
    const timer = every("sla.sweep", seconds * 1000, () => {
      if (s.stopped) return;
      s.running = sweep(ctx).finally(() => {
        s.running = undefined;
      });
      return s.running;
    });
    timer.unref();
    return async () => {
      unsubscribe();
      s.stopped = true;
      clearInterval(timer);
      await s.running?.catch(() => {});
    };
  },
  async routes(app, opts) {
    await slaAdminRoutes(app, opts);
    await shiftRoutes(app, opts);
    await notificationRoutes(app, opts);
    await slaRoutes(app, opts);
    await incidentRoutes(app, opts);
  },
};
