// The console's live phone stream (Server-Sent Events): calls ringing in one's queue, answered, ended. Each
// message carries ids and states only; the console then reads the call screen through the API.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import type { StaffUser } from "../../staff/service.ts";
import { departmentOfQueue, PHONE_TOPIC } from "./events.ts";

const HEARTBEAT_MS = 25_000;

export function phoneStream(ctx: AppContext, user: StaffUser, req: FastifyRequest, reply: FastifyReply) {
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
  const everything = user.role === "supervisor" || user.role === "administrator";
  const unsubscribe = ctx.bus.subscribe(async (e) => {
    if (e.topic !== PHONE_TOPIC) return;
    const d = e.data as { callId: number; event: string; state: string; queue: string | null; userId: number | null };
    let mine = everything || d.userId === user.id || user.departmentId === null;
    if (!mine) mine = (await departmentOfQueue(ctx.db, d.queue)) === user.departmentId;
    if (!mine) return;
    send("update", {
      topic: e.topic,
      callId: d.callId,
      event: d.event,
      state: d.state,
      userId: d.userId,
      queue: d.queue,
    });
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
