// Live updates of requests for the tracking page and the console: an `update` event names the request that changed.
import { eq } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";
import { type FeedFactory, openEventStream } from "../http/sse.ts";
import { departments } from "../staff/schema.ts";
import { canSee } from "./scope.ts";

export function streamEvents(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  filter: (e: EventMessage) => boolean | Promise<boolean>,
) {
  openEventStream(ctx, req, reply, async (e, stream) => {
    if (!e.topic.startsWith("request.")) return;
    if (!(await filter(e))) return;
    stream.send("update", { topic: e.topic, number: e.data.number });
  });
}

/** The console's feed of request changes: those the staff member may see (the same rule as the queue's scope). */
export function requestsFeed(ctx: AppContext): FeedFactory {
  return async (user) => {
    const [firstLine] = await ctx.db
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.code, "first_line"));
    return (e) => {
      if (!e.topic.startsWith("request.")) return null;
      const visible = canSee(
        user,
        {
          departmentId: (e.data.departmentId as number | null) ?? null,
          assigneeId: (e.data.assigneeId as number | null) ?? null,
        },
        firstLine?.id ?? null,
      );
      return visible ? { topic: e.topic, number: e.data.number } : null;
    };
  };
}
