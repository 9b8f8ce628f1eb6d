// SLA policies and escalation rules as data: seeded from the shipped defaults, edited by administrators, held
// in memory per context and reloaded in every process when any process changes them.
import { sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Queryable } from "../db/client.ts";
import { isShortDay, isWorkingDay, loadCalendar } from "../directory/index.ts";
import { workCalendarOf } from "../directory/room.ts";
import { departments } from "../staff/schema.ts";
import { DEFAULT_ROUTE } from "./departments.ts";
import { DEFAULT_POLICIES, OFFICE_HOURS, WEEKDAYS_ONLY, type WorkCalendar, type WorkingHours } from "./sla.ts";
import {
  type ClockRow,
  choosePolicy,
  type Due,
  dueFor,
  type EscalationRule,
  type Policy,
  type PolicyKey,
} from "./sla-clock.ts";
import { escalationRules, slaPolicies } from "./sla-schema.ts";
import { readPolicies, readRules } from "./sla-store.ts";

export const SLA_CHANGED = "sla.changed";

/** Each department's working hours, by id and by code. */
export type DepartmentHours = { byId: Map<number, WorkingHours>; byCode: Map<string, WorkingHours> };

export type SlaState = {
  policies: Policy[];
  rules: EscalationRule[];
  calendar: WorkCalendar;
  hours: DepartmentHours;
};

declare module "../room.ts" {
  interface Services {
    /** The SLA policies, the escalation ladder and the working calendar, as this process last read them. */
    sla: SlaState;
  }
}

/** Shipped escalation ladder (minutes after the missed target, calendar time). */
export const DEFAULT_RULES: Omit<EscalationRule, "id">[] = [
  { trigger: "first_response", afterMinutes: 0, action: "notify_assignee" },
  { trigger: "first_response", afterMinutes: 60, action: "notify_supervisors" },
  { trigger: "resolution", afterMinutes: 0, action: "notify_assignee" },
  { trigger: "resolution", afterMinutes: 4 * 60, action: "notify_supervisors" },
  { trigger: "resolution", afterMinutes: 24 * 60, action: "raise_priority" },
  { trigger: "resolution", afterMinutes: 48 * 60, action: "move_up" },
];

const RULE_NOTES: Record<EscalationRule["action"], string> = {
  notify_assignee: "Напомнить исполнителю (без исполнителя — руководителям подразделения)",
  notify_supervisors: "Сообщить руководителям подразделения",
  raise_priority: "Поднять приоритет на ступень",
  move_up: "Передать на следующий уровень (профильное подразделение)",
};

/** First start: the shipped policies and ladder, once, even when several processes start together. */
export async function seedSlaDefaults(db: Queryable) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-sla-seed'))`);
    const [{ n } = { n: 0 }] = await tx.select({ n: sql<number>`count(*)::int` }).from(slaPolicies);
    if (Number(n) === 0) {
      await tx.insert(slaPolicies).values(
        DEFAULT_POLICIES.map((p) => ({
          channel: p.channel,
          firstResponseMinutes: p.firstResponse.minutes,
          firstResponseBasis: p.firstResponse.basis,
          resolutionMinutes: p.resolution.minutes,
          resolutionBasis: p.resolution.basis,
          note: "По умолчанию",
        })),
      );
    }
    const [{ r } = { r: 0 }] = await tx.select({ r: sql<number>`count(*)::int` }).from(escalationRules);
    if (Number(r) === 0) {
      await tx.insert(escalationRules).values(DEFAULT_RULES.map((x) => ({ ...x, note: RULE_NOTES[x.action] })));
    }
  });
}

/**
 * The production calendar: the directory's, kept in the database and updated by administrators, when the directory
 * room runs in this process; otherwise the bundled data files.
 */
async function productionCalendar(ctx: AppContext): Promise<WorkCalendar> {
  // No directory room (a command-line tool, a trimmed test server): the bundled calendar.
  if (ctx.services.maybe("directory")) return workCalendarOf(ctx);
  try {
    const cal = await loadCalendar();
    return { isWorkingDay: (d) => isWorkingDay(cal, d), isShortDay: (d) => isShortDay(cal, d) };
  } catch {
    // Without calendar data the clock still runs on weekdays: better than refusing every request.
    return WEEKDAYS_ONLY;
  }
}

async function readHours(db: Queryable): Promise<DepartmentHours> {
  const rows = await db.select().from(departments);
  const hours: DepartmentHours = { byId: new Map(), byCode: new Map() };
  for (const r of rows) {
    const h = { zone: r.workZone, startMinute: r.workStartMinute, endMinute: r.workEndMinute };
    hours.byId.set(r.id, h);
    hours.byCode.set(r.code, h);
  }
  return hours;
}

export async function loadSla(ctx: AppContext) {
  const [policies, rules, hours] = await Promise.all([readPolicies(ctx.db), readRules(ctx.db), readHours(ctx.db)]);
  const calendar = ctx.services.maybe("sla")?.calendar ?? (await productionCalendar(ctx));
  ctx.services.provide("sla", { policies, rules, calendar, hours });
}

export function slaOf(ctx: AppContext): SlaState {
  return (
    ctx.services.maybe("sla") ?? {
      policies: fallbackPolicies,
      rules: [],
      calendar: WEEKDAYS_ONLY,
      hours: { byId: new Map(), byCode: new Map() },
    }
  );
}

/** The working hours of a department (by id); 09:00–18:00 Moscow time for a request without one. */
export function hoursOf(ctx: AppContext, departmentId: number | null): WorkingHours {
  return (departmentId !== null && slaOf(ctx).hours.byId.get(departmentId)) || OFFICE_HOURS;
}

/** The hours a new request's clock runs in: those of the department its category goes to first. */
function hoursForCategory(ctx: AppContext, category: string | null): WorkingHours {
  const code = category && category in DEFAULT_ROUTE ? DEFAULT_ROUTE[category as keyof typeof DEFAULT_ROUTE] : null;
  return (code && slaOf(ctx).hours.byCode.get(code)) || OFFICE_HOURS;
}

export function calendarOf(ctx: AppContext): WorkCalendar {
  return slaOf(ctx).calendar;
}

const fallbackPolicies: Policy[] = DEFAULT_POLICIES.map((p, i) => ({
  id: -(i + 1),
  channel: p.channel,
  category: null,
  priority: null,
  firstResponse: p.firstResponse,
  resolution: p.resolution,
}));

/** The policy for a request; the web form's default when nothing matches (an administrator deleted too much). */
export function policyOf(ctx: AppContext, key: PolicyKey): Policy {
  const { policies } = slaOf(ctx);
  return choosePolicy(policies, key) ?? choosePolicy(fallbackPolicies, key) ?? fallbackPolicies[1]!;
}

/** Due times for a new request. */
export function slaDueAt(ctx: AppContext, key: PolicyKey, createdAt: Date): Due {
  const paused = { minutes: 0, workingMinutes: 0 };
  return dueFor(createdAt, policyOf(ctx, key), paused, calendarOf(ctx), hoursForCategory(ctx, key.category));
}

/** Due times again after the channel, category or priority changed; pauses so far stay counted. */
export function recomputedDue(
  ctx: AppContext,
  row: ClockRow & {
    createdAt: Date;
    channel: string;
    category: string | null;
    priority: string;
    departmentId: number | null;
  },
): Due {
  return dueFor(
    row.createdAt,
    policyOf(ctx, { channel: row.channel, category: row.category, priority: row.priority }),
    { minutes: row.slaPausedMinutes, workingMinutes: row.slaPausedWorkingMinutes },
    calendarOf(ctx),
    hoursOf(ctx, row.departmentId),
  );
}

/** A request's SLA clock as the console shows it: the policy in force, the due times, the pause, the steps taken. */
export function requestClock(
  ctx: AppContext,
  row: ClockRow &
    PolicyKey & {
      firstRespondedAt: Date | null;
      slaFirstLevel: number;
      slaResolutionLevel: number;
      recheckAt: Date | null;
    },
) {
  return {
    policy: policyOf(ctx, { channel: row.channel, category: row.category, priority: row.priority }),
    firstResponseDueAt: row.firstResponseDueAt,
    resolutionDueAt: row.resolutionDueAt,
    firstRespondedAt: row.firstRespondedAt,
    pausedSince: row.slaPausedAt,
    pausedMinutes: row.slaPausedMinutes,
    pausedWorkingMinutes: row.slaPausedWorkingMinutes,
    firstResponseLevel: row.slaFirstLevel,
    resolutionLevel: row.slaResolutionLevel,
    recheckAt: row.recheckAt,
  };
}
