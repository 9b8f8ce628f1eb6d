// The SLA clock of one request, pure: which policy applies, the due times it gives, and how a pause while
// waiting for the applicant moves them. No I/O: the policies and the calendar are passed in.
import {
  addTarget,
  OFFICE_HOURS,
  type Target,
  type WorkCalendar,
  type WorkingHours,
  workingMinutesBetween,
} from "./sla.ts";

export type Basis = Target["basis"];

export type Policy = {
  id: number;
  channel: string | null;
  category: string | null;
  priority: string | null;
  firstResponse: Target;
  resolution: Target;
};

export type PolicyKey = { channel: string; category: string | null; priority: string };

/**
 * The most specific policy: more matching fields wins; between equally specific ones channel outranks category,
 * category outranks priority. A null field matches anything; a set field must equal the request's.
 */
export function choosePolicy(policies: readonly Policy[], key: PolicyKey): Policy | undefined {
  let best: Policy | undefined;
  let bestScore = -1;
  for (const p of policies) {
    if (p.channel !== null && p.channel !== key.channel) continue;
    if (p.category !== null && p.category !== key.category) continue;
    if (p.priority !== null && p.priority !== key.priority) continue;
    const fields = [p.channel, p.category, p.priority].filter((f) => f !== null).length;
    const score = fields * 8 + (p.channel !== null ? 4 : 0) + (p.category !== null ? 2 : 0) + (p.priority ? 1 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/** The time already spent waiting for the applicant, in both bases. */
export type Paused = { minutes: number; workingMinutes: number };

/** Moves a due time later by a pause, counted in the target's own basis. */
export function shiftDue(
  due: Date,
  basis: Basis,
  paused: Paused,
  calendar: WorkCalendar,
  hours: WorkingHours = OFFICE_HOURS,
): Date {
  if (basis === "calendar") return new Date(due.getTime() + paused.minutes * 60_000);
  // Zero working minutes must not move a due time that falls outside office hours to the next opening.
  if (paused.workingMinutes <= 0) return due;
  return addTarget(due, { minutes: paused.workingMinutes, basis: "working" }, calendar, hours);
}

export type Due = {
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseBasis: Basis;
  resolutionBasis: Basis;
};

/** Due times from the moment of registration, with the pauses so far added; working time in the department's hours. */
export function dueFor(
  createdAt: Date,
  policy: Policy,
  paused: Paused,
  calendar: WorkCalendar,
  hours: WorkingHours = OFFICE_HOURS,
): Due {
  const first = addTarget(createdAt, policy.firstResponse, calendar, hours);
  const resolution = addTarget(createdAt, policy.resolution, calendar, hours);
  return {
    firstResponseDueAt: shiftDue(first, policy.firstResponse.basis, paused, calendar, hours),
    resolutionDueAt: shiftDue(resolution, policy.resolution.basis, paused, calendar, hours),
    firstResponseBasis: policy.firstResponse.basis,
    resolutionBasis: policy.resolution.basis,
  };
}

/** The clock's columns of a request row. */
export type ClockRow = {
  status: string;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstResponseBasis: string | null;
  resolutionBasis: string | null;
  slaPausedAt: Date | null;
  slaPausedMinutes: number;
  slaPausedWorkingMinutes: number;
};

/**
 * What a change of status does to the clock: entering «waiting» stops it; leaving «waiting» starts it again
 * with the pause added to both due times (each in its basis) and to the running totals.
 */
export function clockOnStatus(
  row: ClockRow,
  to: string,
  now: Date,
  calendar: WorkCalendar,
  hours: WorkingHours = OFFICE_HOURS,
): Partial<ClockRow> {
  if (to === "waiting") return row.slaPausedAt ? {} : { slaPausedAt: now };
  if (!row.slaPausedAt) return {};
  const pause: Paused = {
    minutes: Math.max(0, Math.round((now.getTime() - row.slaPausedAt.getTime()) / 60_000)),
    workingMinutes: workingMinutesBetween(row.slaPausedAt, now, calendar, hours),
  };
  const basisOf = (b: string | null): Basis => (b === "working" ? "working" : "calendar");
  return {
    slaPausedAt: null,
    slaPausedMinutes: row.slaPausedMinutes + pause.minutes,
    slaPausedWorkingMinutes: row.slaPausedWorkingMinutes + pause.workingMinutes,
    firstResponseDueAt: row.firstResponseDueAt
      ? shiftDue(row.firstResponseDueAt, basisOf(row.firstResponseBasis), pause, calendar, hours)
      : null,
    resolutionDueAt: row.resolutionDueAt
      ? shiftDue(row.resolutionDueAt, basisOf(row.resolutionBasis), pause, calendar, hours)
      : null,
  };
}

export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

/** One step up the priority ladder; urgent stays urgent. */
export function raisedPriority(p: string): string {
  const i = PRIORITIES.indexOf(p as (typeof PRIORITIES)[number]);
  return PRIORITIES[Math.min(PRIORITIES.length - 1, Math.max(0, i) + 1)]!;
}

export type EscalationRule = {
  id: number;
  trigger: "first_response" | "resolution";
  afterMinutes: number;
  action: "notify_assignee" | "notify_supervisors" | "raise_priority" | "move_up";
};

/** Rules of one trigger in the order they fire. */
export function ladder(rules: readonly EscalationRule[], trigger: EscalationRule["trigger"]): EscalationRule[] {
  return rules.filter((r) => r.trigger === trigger).sort((a, b) => a.afterMinutes - b.afterMinutes || a.id - b.id);
}

/**
 * The steps due now for one target: those of the ladder beyond `level` whose moment (due + afterMinutes) has
 * come. Returns the steps and the new level.
 */
export function stepsDue(
  steps: readonly EscalationRule[],
  level: number,
  due: Date | null,
  now: Date,
): { steps: EscalationRule[]; level: number } {
  if (!due) return { steps: [], level };
  const out: EscalationRule[] = [];
  let l = level;
  while (l < steps.length && due.getTime() + steps[l]!.afterMinutes * 60_000 <= now.getTime()) out.push(steps[l++]!);
  return { steps: out, level: l };
}
