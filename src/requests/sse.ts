// Live updates of requests for the tracking page and the console: an `update` event names the request that changed.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";
import { openEventStream } from "../http/sse.ts";

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
