// Server-Sent Events plumbing shared by every live stream (tracking page, console queue, phone, notifications):
// headers that keep proxies from buffering, a heartbeat, and registration so that shutdown can end the stream.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { EventMessage } from "../db/outbox.ts";
import { contain, every, guarded } from "../guard.ts";
import { STAFF_ACCESS_CHANGED, type StaffUser } from "../staff/service.ts";
import { staffOf, stillSignedIn } from "./access.ts";

const HEARTBEAT_MS = 25_000;
/**
 * How often a staff stream checks its credentials without being told to: what no announcement covers (a session that
 * expired) ends within this time.
 */
const RECHECK_MS = 60_000;

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
  options: {
    /**
     * Whether the stream may go on (a staff stream: its credentials still sign in the same employee with the same
     * rights), asked when `concerns` says an event may have changed that, and every RECHECK_MS; when it answers no,
     * the stream says `signed_out` and ends.
     */
    allowed?: () => Promise<boolean>;
    concerns?: (e: EventMessage) => boolean;
  } = {},
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
  const { allowed, concerns } = options;
  // Asked in the events' own order, so no event after the change is sent before the answer.
  const recheck = () =>
    contain("sse.recheck", async () => {
      if (!allowed || res.destroyed || res.writableEnded || (await allowed())) return;
      stream.send("signed_out", {});
      res.end();
    });
  const unsubscribe = ctx.bus.subscribe((e) => {
    queue = queue.then(() =>
      concerns?.(e) ? recheck() : contain("sse.event", () => (res.writableEnded ? undefined : onEvent(e, stream))),
    );
  });
  const heartbeat = every("sse.heartbeat", HEARTBEAT_MS, () => write(": ping\n\n"));
  const rechecking = allowed
    ? every("sse.recheck", RECHECK_MS, () => {
        queue = queue.then(recheck);
      })
    : undefined;
  req.raw.on(
    "close",
    guarded("sse.close", () => {
      clearInterval(heartbeat);
      if (rechecking) clearInterval(rechecking);
      unsubscribe();
    }),
  );
  ctx.streams.add(res);
  res.on("close", () => ctx.streams.delete(res));
}

/**
 * A staff member's stream: it lasts as long as the credentials it was opened with still sign in the same employee with
 * the same rights (switched off, a role or department changed, signed out, the token revoked: it ends at once).
 */
export function openStaffStream(
  ctx: AppContext,
  req: FastifyRequest,
  reply: FastifyReply,
  onEvent: (e: EventMessage, stream: EventStream) => void | Promise<void>,
) {
  const user = staffOf(req);
  openEventStream(ctx, req, reply, onEvent, {
    allowed: () => stillSignedIn(ctx, req, user),
    concerns: (e) => e.topic === STAFF_ACCESS_CHANGED && e.data.userId === user.id,
  });
}

/** A staff member's stream of one feed: each event the feed lets through becomes an `update`. */
export function openFeedStream(ctx: AppContext, req: FastifyRequest, reply: FastifyReply, feed: Feed) {
  openStaffStream(ctx, req, reply, async (e, stream) => {
    const data = await feed(e);
    if (data) stream.send("update", data);
  });
}
