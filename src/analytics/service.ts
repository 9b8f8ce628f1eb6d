// The dashboards: which measures each one gathers. The «today» board is the supervisor's live view; the period
// board is the manager's, with the previous period of the same length beside it.
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { Queryable } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import type { StaffUser } from "../staff/service.ts";
import { type Filters, previousPeriod, seesEverything, sliceCondition, ZONE } from "./filters.ts";
import { backlog, calls, deflection, summary, tableExists, volume } from "./measures.ts";
import * as period from "./period.ts";
import { pending } from "./rollup.ts";

/**
 * The period board reads the rollups (rollup.ts); the current day, past days changed since the last rebuild and the
 * slices a rollup does not keep come from the raw tables.
 */
export async function periodBoard(db: Queryable, f: Filters, now = new Date()) {
  const dirty = await pending(db, now);
  const shared: period.Shared = new Map();
  const [current, previous, series, vol, regions, escalation, open, phone, kb, operators] = await Promise.all([
    period.summary(db, f, now, dirty),
    period.summary(db, previousPeriod(f), now, dirty),
    period.daily(db, f, now, dirty),
    period.volume(db, f, now, dirty, shared),
    period.byRegion(db, f, now, dirty, shared),
    period.escalationAndFcr(db, f, now, dirty),
    backlog(db, f, now),
    period.calls(db, f, now, dirty),
    deflection(db, f),
    period.byOperator(db, f, now, dirty),
  ]);
  return {
    period: { from: f.from.toISOString(), to: f.to.toISOString() },
    summary: current,
    previous,
    daily: series,
    volume: vol,
    regions,
    escalation,
    backlog: open,
    calls: phone,
    deflection: kb,
    operators,
  };
}

/**
 * The board as `viewer` may see it: the table by employee holds every colleague's figures only for those who see
 * everything (supervisors, administrators); anyone else finds their own row there, as asking for another employee's
 * figures is refused them (filters.ts).
 */
export function boardFor<B extends { operators: { operatorId: number }[] }>(board: B, viewer: StaffUser): B {
  if (seesEverything(viewer)) return board;
  return { ...board, operators: board.operators.filter((o) => o.operatorId === viewer.id) };
}

export async function todayBoard(db: Queryable, f: Omit<Filters, "from" | "to">, now = new Date()) {
  const start = DateTime.fromJSDate(now, { zone: ZONE }).startOf("day");
  const today: Filters = { ...f, from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() };
  const at = sql`${now.toISOString()}::timestamptz`;
  const [s, open, vol, phone, risk, waiting] = await Promise.all([
    summary(db, today),
    backlog(db, today, now),
    volume(db, today),
    calls(db, today),
    db.execute(
      sql`select count(*) filter (where r.first_responded_at is null and r.first_response_due_at >= ${at}
            and r.first_response_due_at < ${at} + interval '1 hour') as first_response_soon,
          count(*) filter (where r.first_responded_at is null and r.first_response_due_at < ${at}) as first_response_overdue
        from requests r where r.status not in ('resolved', 'closed') and ${sliceCondition(today)}`,
    ),
    waitingCalls(db),
  ]);
  const r = rowsOf<Record<string, unknown>>(risk)[0]!;
  return {
    day: start.toISODate(),
    summary: s,
    backlog: open,
    byChannel: vol.channel,
    byHour: vol.hour,
    calls: phone,
    callsWaiting: waiting,
    firstResponseDueSoon: Number(r.first_response_soon),
    firstResponseOverdue: Number(r.first_response_overdue),
  };
}

async function waitingCalls(db: Queryable): Promise<number | null> {
  if (!(await tableExists(db, "phone_calls"))) return null;
  const [r] = rowsOf<{ n: string }>(
    await db.execute(sql`select count(*) as n from phone_calls where state = 'ringing' and direction = 'in'`),
  );
  return Number(r!.n);
}
