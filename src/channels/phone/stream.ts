// The console's live phone stream (Server-Sent Events): calls ringing in one's queue, answered, ended. Each
// message carries ids and states only; the console then reads the call screen through the API.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { openEventStream } from "../../http/sse.ts";
import type { StaffUser } from "../../staff/service.ts";
import { departmentOfQueue, PHONE_TOPIC } from "./events.ts";

export function phoneStream(ctx: AppContext, user: StaffUser, req: FastifyRequest, reply: FastifyReply) {
  const everything = user.role === "supervisor" || user.role === "administrator";
  openEventStream(ctx, req, reply, async (e, stream) => {
    if (e.topic !== PHONE_TOPIC) return;
    const d = e.data as { callId: number; event: string; state: string; queue: string | null; userId: number | null };
    let mine = everything || d.userId === user.id || user.departmentId === null;
    if (!mine) mine = (await departmentOfQueue(ctx.db, d.queue)) === user.departmentId;
    if (!mine) return;
    stream.send("update", {
      topic: e.topic,
      callId: d.callId,
      event: d.event,
      state: d.state,
      userId: d.userId,
      queue: d.queue,
    });
  });
}
