// The supervisor's wallboard, counted from the call log: per queue the calls waiting and the longest wait,
// answered and abandoned today and the service level (answered within 20 seconds); operators on calls and free.
import { and, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { AppContext } from "../../context.ts";
import { staffShifts } from "../../routing/sla-schema.ts";
import { users } from "../../staff/schema.ts";
import { phoneCalls } from "./db-schema.ts";

export const SERVICE_LEVEL_SECONDS = 20;
/** A call still «ringing» after this long lost its hangup: it no longer counts as waiting. */
export const STALE_RINGING_MS = 2 * 60 * 60 * 1000;

export type CallFacts = {
  queue: string | null;
  state: string;
  userId: number | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
};

export type QueueBoard = {
  queue: string;
  waiting: number;
  longestWaitSeconds: number;
  answeredToday: number;
  abandonedToday: number;
  serviceLevel: number | null;
};

/** Pure: the figures for a list of calls at a moment, «today» beginning at `dayStart`. */
export function computeBoard(calls: CallFacts[], now: Date, dayStart: Date) {
  const queues = new Map<string, QueueBoard & { within: number }>();
  const of = (q: string | null) => {
    const name = q ?? "—";
    let b = queues.get(name);
    if (!b) {
      b = {
        queue: name,
        waiting: 0,
        longestWaitSeconds: 0,
        answeredToday: 0,
        abandonedToday: 0,
        serviceLevel: null,
        within: 0,
      };
      queues.set(name, b);
    }
    return b;
  };
  const onCalls = new Set<number>();
  for (const c of calls) {
    const b = of(c.queue);
    if (c.state === "ringing" && now.getTime() - c.startedAt.getTime() < STALE_RINGING_MS) {
      b.waiting++;
      b.longestWaitSeconds = Math.max(b.longestWaitSeconds, Math.round((now.getTime() - c.startedAt.getTime()) / 1000));
    }
    if (c.state === "answered" && c.userId !== null) onCalls.add(c.userId);
    if (c.answeredAt && c.answeredAt >= dayStart) {
      b.answeredToday++;
      if (c.answeredAt.getTime() - c.startedAt.getTime() <= SERVICE_LEVEL_SECONDS * 1000) b.within++;
    }
    if (c.state === "abandoned" && c.endedAt && c.endedAt >= dayStart) b.abandonedToday++;
  }
  const list = [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  const finish = ({ within, ...b }: QueueBoard & { within: number }): QueueBoard => {
    const offered = b.answeredToday + b.abandonedToday;
    return { ...b, serviceLevel: offered ? Math.round((within / offered) * 1000) / 10 : null };
  };
  const total = {
    queue: "all",
    waiting: 0,
    longestWaitSeconds: 0,
    answeredToday: 0,
    abandonedToday: 0,
    serviceLevel: null,
    within: 0,
  };
  for (const b of list) {
    total.waiting += b.waiting;
    total.longestWaitSeconds = Math.max(total.longestWaitSeconds, b.longestWaitSeconds);
    total.answeredToday += b.answeredToday;
    total.abandonedToday += b.abandonedToday;
    total.within += b.within;
  }
  return { queues: list.map(finish), total: finish(total), onCalls };
}

export async function callsSince(ctx: AppContext, since: Date): Promise<CallFacts[]> {
  return (
    ctx.db
      .select({
        queue: phoneCalls.queue,
        state: phoneCalls.state,
        userId: phoneCalls.userId,
        startedAt: phoneCalls.startedAt,
        answeredAt: phoneCalls.answeredAt,
        endedAt: phoneCalls.endedAt,
      })
      .from(phoneCalls)
      // Calls in progress started before «since» still count; a call «answered» for half a day lost its hangup.
      .where(
        or(
          gt(phoneCalls.startedAt, since),
          and(
            inArray(phoneCalls.state, ["ringing", "answered"]),
            gt(phoneCalls.startedAt, new Date(since.getTime() - 12 * 60 * 60 * 1000)),
          ),
        ),
      )
  );
}

export async function wallboard(ctx: AppContext, now = new Date()) {
  const dayStart = DateTime.fromJSDate(now).setZone("Europe/Moscow").startOf("day").toJSDate();
  const since = new Date(Math.min(dayStart.getTime(), now.getTime() - STALE_RINGING_MS));
  const board = computeBoard(await callsSince(ctx, since), now, dayStart);
  const onShift = await ctx.db
    .select({ id: users.id, name: users.name })
    .from(staffShifts)
    .innerJoin(users, eq(users.id, staffShifts.userId))
    .where(and(eq(staffShifts.onShift, true), eq(users.active, true), isNotNull(users.id)));
  const onCallIds = [...board.onCalls];
  const names = onCallIds.length
    ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(sql`${users.id} in ${onCallIds}`)
    : [];
  return {
    at: now.toISOString(),
    serviceLevelSeconds: SERVICE_LEVEL_SECONDS,
    queues: board.queues,
    total: board.total,
    operators: {
      onCalls: names.map((u) => ({ id: u.id, name: u.name })),
      free: onShift.filter((u) => !board.onCalls.has(u.id)).map((u) => ({ id: u.id, name: u.name })),
    },
  };
}

/** Waiting calls and the longest wait in one queue now: what the IVR compares with a line's thresholds. */
export async function queueLoad(ctx: AppContext, queue: string, now = new Date()) {
  const rows = await ctx.db
    .select({ startedAt: phoneCalls.startedAt })
    .from(phoneCalls)
    .where(
      and(
        eq(phoneCalls.state, "ringing"),
        eq(phoneCalls.queue, queue),
        gt(phoneCalls.startedAt, new Date(now.getTime() - STALE_RINGING_MS)),
      ),
    );
  const longest = rows.reduce((m, r) => Math.max(m, now.getTime() - r.startedAt.getTime()), 0);
  return { waiting: rows.length, longestWaitSeconds: Math.round(longest / 1000) };
}
