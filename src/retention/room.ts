// The purge runs once a day in every process; its statements are idempotent, so two processes do no harm.
import type { AppContext } from "../context.ts";
import type { Room } from "../rooms.ts";
import { purge } from "./retention.ts";

const DAY_MS = 86_400_000;
const timers = new WeakMap<AppContext, NodeJS.Timeout>();

export function policyOf(ctx: AppContext) {
  return {
    requestDays: ctx.config.retentionRequestDays,
    rawMailDays: ctx.config.retentionRawMailDays,
    auditDays: ctx.config.retentionAuditDays,
    eventDays: 30,
  };
}

export const retentionRoom: Room = {
  name: "retention",
  async start(ctx) {
    const run = () => {
      purge(ctx.database, ctx.files, policyOf(ctx)).catch(() => {
        // A failed purge is retried the next day; the error text could quote data, so it is not logged.
      });
    };
    const first = setTimeout(run, 60_000);
    first.unref();
    const daily = setInterval(run, DAY_MS);
    daily.unref();
    timers.set(ctx, daily);
  },
  async stop(ctx) {
    const t = timers.get(ctx);
    if (t) clearInterval(t);
  },
};
