// The console's live phone stream (Server-Sent Events): calls ringing in one's queue, answered, ended. Each
// message carries ids and states only; the console then reads the call screen through the API.
import type { AppContext } from "../../context.ts";
import type { FeedFactory } from "../../http/sse.ts";
import { departmentOfQueue, PHONE_TOPIC } from "./events.ts";

/** Calls of one's own department (supervisors and administrators: every call). */
export function phoneFeed(ctx: AppContext): FeedFactory {
  return (user) => async (e) => {
    const everything = user.role === "supervisor" || user.role === "administrator";
    if (e.topic !== PHONE_TOPIC) return null;
    const d = e.data as { callId: number; event: string; state: string; queue: string | null; userId: number | null };
    let mine = everything || d.userId === user.id || user.departmentId === null;
    if (!mine) mine = (await departmentOfQueue(ctx.db, d.queue)) === user.departmentId;
    if (!mine) return null;
    return {
      topic: e.topic,
      callId: d.callId,
      event: d.event,
      state: d.state,
      userId: d.userId,
      queue: d.queue,
    };
  };
}
