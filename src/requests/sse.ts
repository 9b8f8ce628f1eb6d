// Server-Sent Events: the tracking page and the console learn of changes without reloading.
// Events carry only ids and numbers; the page then reads what changed through the API.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";

const HEARTBEAT_MS = 25_000;

export function streamEvents(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  filter: (e: EventMessage) => boolean | Promise<boolean>,
) {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 3000\n\n");
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send("ready", {});
  const unsubscribe = ctx.bus.subscribe(async (e) => {
    if (!e.topic.startsWith("request.")) return;
    if (!(await filter(e))) return;
    send("update", { topic: e.topic, number: e.data.number });
  });
  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.raw.on("close", close);
  ctx.streams.add(res);
  res.on("close", () => ctx.streams.delete(res));
}
