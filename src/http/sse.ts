// Server-Sent Events plumbing shared by every live stream (tracking page, console queue, phone, notifications):
// headers that keep proxies from buffering, a heartbeat, and registration so that shutdown can end the stream.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";

const HEARTBEAT_MS = 25_000;

export type EventStream = { send(event: string, data: unknown): void };

/**
 * Opens a stream and subscribes `onEvent` to this process's event bus until the client goes away. Events carry ids
 * only; the page then reads what changed through the API.
 */
export function openEventStream(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  onEvent: (e: EventMessage, stream: EventStream) => void | Promise<void>,
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
  const stream: EventStream = {
    send: (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
  };
  stream.send("ready", {});
  const unsubscribe = ctx.bus.subscribe((e) => onEvent(e, stream));
  const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
  req.raw.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
  ctx.streams.add(res);
  res.on("close", () => ctx.streams.delete(res));
}
