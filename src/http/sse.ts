// Server-Sent Events plumbing shared by every live stream (tracking page, console queue, phone, notifications):
// headers that keep proxies from buffering, a heartbeat, and registration so that shutdown can end the stream.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";
import { contain, every, guarded } from "../guard.ts";
import type { StaffUser } from "../staff/service.ts";

const HEARTBEAT_MS = 25_000;

export type EventStream = { send(event: string, data: unknown): void };

/**
 * What one staff member hears of the event bus: the payload of an `update` for an event they may see, or null.
 * Rooms offer feeds by name; the console takes them all over one stream (see console-stream.ts).
 */
export type Feed = (e: EventMessage) => Record<string, unknown> | null | Promise<Record<string, unknown> | null>;
export type FeedFactory = (user: StaffUser) => Feed | Promise<Feed>;

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
  // A client that went away mid-write is routine: the stream ends with its connection.
  res.on("error", () => {});
  const write = (chunk: string) => {
    if (!res.destroyed && !res.writableEnded) res.write(chunk);
  };
  write("retry: 3000\n\n");
  const stream: EventStream = {
    send: (event, data) => write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
  };
  stream.send("ready", {});
  // Events reach the client in the order they came, even when deciding about one takes a database read. Each runs
  // under the guard: a feed that fails (or cannot decide while the database is away) skips that event, logged without
  // its message, and the stream and every other one go on; the page catches up later.
  let queue = Promise.resolve();
  const unsubscribe = ctx.bus.subscribe((e) => {
    queue = queue.then(() => contain("sse.event", () => onEvent(e, stream)));
  });
  const heartbeat = every("sse.heartbeat", HEARTBEAT_MS, () => write(": ping\n\n"));
  req.raw.on(
    "close",
    guarded("sse.close", () => {
      clearInterval(heartbeat);
      unsubscribe();
    }),
  );
  ctx.streams.add(res);
  res.on("close", () => ctx.streams.delete(res));
}

/** A stream of one feed: each event the feed lets through becomes an `update`. */
export function openFeedStream(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, feed: Feed) {
  openEventStream(ctx, req, reply, async (e, stream) => {
    const data = await feed(e);
    if (data) stream.send("update", data);
  });
}
