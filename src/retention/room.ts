// The purge runs once a day in every process; its statements are idempotent, so two processes do no harm.
import type { AppContext } from "../context.ts";
import { after, every } from "../guard.ts";
import type { Room } from "../room.ts";
import { purge } from "./retention.ts";

const DAY_MS = 86_400_000;

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
    // A failed purge is retried the next day; the guard logs its class and code, never its text (it could quote data).
    const run = () => purge(ctx.database, ctx.requests, ctx.files, policyOf(ctx));
    const first = after("retention.purge", 60_000, run);
    first.unref();
    const daily = every("retention.purge", DAY_MS, run);
    daily.unref();
    return () => {
      clearTimeout(first);
      clearInterval(daily);
    };
  },
};
