// Live updates of requests for the tracking page and the console: an `update` event names the request that changed.
import { eq } from "drizzle-orm";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";
import { type FeedFactory, openEventStream } from "../http/sse.ts";
import { departments } from "../staff/schema.ts";
import { requestWatchers } from "./schema.ts";
import { canSee } from "./scope.ts";

/**
 * The tracking page's stream: an `update` when something the applicant sees changed — a public message, the status,
 * the rating. Staff-only changes (a note, a reassignment, a call logged) are not even hinted at.
 */
export function streamApplicantEvents(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, requestId: number) {
  openEventStream(ctx, req, reply, (e, stream) => {
    if (e.data.requestId !== requestId || !seenByApplicant(e)) return;
    stream.send("update", { topic: e.topic, number: e.data.number });
  });
}

export function seenByApplicant(e: EventMessage): boolean {
  if (!e.topic.startsWith("request.")) return false;
  if (e.topic === "request.created" || e.topic === "request.rated" || e.topic === "request.rating_changed") return true;
  if (e.data.visibility === "public") return true;
  return Array.isArray(e.data.status);
}

/**
 * The console's feed of request changes: those the staff member may see (the same rule as the queue's scope, the
 * requests they follow included — loaded when the feed opens, and added to as `request.watched` arrives).
 */
export function requestsFeed(ctx: AppContext): FeedFactory {
  return async (user) => {
    const [firstLine] = await ctx.db
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.code, "first_line"));
    const followed = new Set(
      (
        await ctx.db
          .select({ requestId: requestWatchers.requestId })
          .from(requestWatchers)
          .where(eq(requestWatchers.userId, user.id))
      ).map((r) => r.requestId),
    );
    return (e) => {
      if (!e.topic.startsWith("request.")) return null;
      const requestId = Number(e.data.requestId);
      if (e.topic === "request.watched") {
        if (e.data.userId !== user.id) return null;
        followed.add(requestId);
        return { topic: e.topic, number: e.data.number };
      }
      const visible = canSee(
        user,
        {
          departmentId: (e.data.departmentId as number | null) ?? null,
          assigneeId: (e.data.assigneeId as number | null) ?? null,
        },
        firstLine?.id ?? null,
        followed.has(requestId),
      );
      return visible ? { topic: e.topic, number: e.data.number } : null;
    };
  };
}
