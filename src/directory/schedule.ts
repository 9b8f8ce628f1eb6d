// Opening hours arithmetic. Pure: the instant asked about, the line's zone and the calendar are all arguments.
// Periods are half-open, [from, to): a line open «until 20:00» is closed at 20:00:00 exactly.
import { DateTime } from "luxon";
import { addDays, dayStatus, type ProductionCalendar, weekdayOf } from "./calendar.ts";
import { type DayRule, type Period, type Schedule, WEEKDAYS } from "./types.ts";

/** What the arithmetic needs of a line. A DirectoryLine fits. */
export interface Hours {
  schedule: Schedule;
  timezone: string;
}

export interface OpenState {
  /** null when the line's hours are unknown. */
  open: boolean | null;
  /** Next opening (ISO with the line's offset) when closed; null when open or unknown. */
  opensAt: string | null;
  /** When the current open stretch ends, if open; null when closed or never closing (24/7). */
  closesAt: string | null;
}

// Far enough to cross any New Year holidays; a line shut for longer than a year counts as never opening.
const HORIZON_DAYS = 400;
const SHORT_DAY_MINUTES = 60;

function ruleMatches(rule: DayRule, date: string, working: boolean): boolean {
  if (rule === "all") return true;
  if (rule === "working") return working;
  if (rule === "nonworking") return !working;
  return rule.includes(WEEKDAYS[weekdayOf(date) - 1]!);
}

/** The open intervals of one local date, in minutes from midnight, sorted and merged. */
export function openIntervals(schedule: Schedule, calendar: ProductionCalendar, date: string): Array<[number, number]> {
  if (schedule.kind === "always") return [[0, 1440]];
  if (schedule.kind === "unknown") return [];
  const status = dayStatus(calendar, date);
  const raw: Array<[number, number]> = [];
  for (const p of schedule.periods) {
    if (!ruleMatches(p.days, date, status.working)) continue;
    // Labour law shortens the office day before a holiday by one hour; round-the-clock shifts are not cut.
    const to = status.short && p.days === "working" ? p.to - SHORT_DAY_MINUTES : p.to;
    if (to > p.from) raw.push([p.from, to]);
  }
  raw.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of raw) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Open minutes of one local date under a schedule: what the SLA clock counts as working time. */
export function workingMinutes(schedule: Schedule, calendar: ProductionCalendar, date: string): number {
  return openIntervals(schedule, calendar, date).reduce((sum, [from, to]) => sum + (to - from), 0);
}

function toLocal(at: Date | string, zone: string): DateTime {
  const dt = typeof at === "string" ? DateTime.fromISO(at, { setZone: true }) : DateTime.fromJSDate(at);
  if (!dt.isValid) throw new RangeError(`invalid instant: ${String(at)}`);
  const local = dt.setZone(zone);
  if (!local.isValid) throw new RangeError(`unknown time zone: ${zone}`);
  return local;
}

function minuteOfDay(local: DateTime): number {
  return local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60000;
}

function instantOf(date: string, minutes: number, zone: string): DateTime {
  const day = minutes >= 1440 ? addDays(date, 1) : date;
  const m = minutes % 1440;
  const [y, mo, d] = day.split("-").map(Number);
  return DateTime.fromObject({ year: y, month: mo, day: d, hour: Math.floor(m / 60), minute: m % 60 }, { zone });
}

export function isOpenAt(hours: Hours, calendar: ProductionCalendar, at: Date | string): boolean | null {
  if (hours.schedule.kind === "unknown") return null;
  const local = toLocal(at, hours.timezone);
  const m = minuteOfDay(local);
  return openIntervals(hours.schedule, calendar, local.toISODate()!).some(([f, t]) => m >= f && m < t);
}

/** The first moment at or after `at` when the line is open (`at` itself when open now); null if none within a year. */
export function nextOpening(hours: Hours, calendar: ProductionCalendar, at: Date | string): DateTime | null {
  if (hours.schedule.kind === "unknown") return null;
  const local = toLocal(at, hours.timezone);
  const today = local.toISODate()!;
  const m = minuteOfDay(local);
  for (let k = 0; k <= HORIZON_DAYS; k++) {
    const date = addDays(today, k);
    for (const [f, t] of openIntervals(hours.schedule, calendar, date)) {
      if (k === 0 && m >= t) continue;
      if (k === 0 && m >= f) return local;
      return instantOf(date, f, hours.timezone);
    }
  }
  return null;
}

/** When the open stretch containing `at` ends (across midnights); null if closed at `at` or open without end. */
export function nextClosing(hours: Hours, calendar: ProductionCalendar, at: Date | string): DateTime | null {
  if (hours.schedule.kind !== "periods") return null;
  const local = toLocal(at, hours.timezone);
  let date = local.toISODate()!;
  const m = minuteOfDay(local);
  const current = openIntervals(hours.schedule, calendar, date).find(([f, t]) => m >= f && m < t);
  if (!current) return null;
  let end = current[1];
  for (let k = 0; end === 1440 && k < HORIZON_DAYS; k++) {
    date = addDays(date, 1);
    const first = openIntervals(hours.schedule, calendar, date)[0];
    if (!first || first[0] > 0) return instantOf(date, 0, hours.timezone);
    end = first[1];
  }
  return end === 1440 ? null : instantOf(date, end, hours.timezone);
}

export function openState(hours: Hours, calendar: ProductionCalendar, at: Date | string): OpenState {
  const open = isOpenAt(hours, calendar, at);
  if (open === null) return { open: null, opensAt: null, closesAt: null };
  if (open) return { open, opensAt: null, closesAt: nextClosing(hours, calendar, at)?.toISO() ?? null };
  return { open, opensAt: nextOpening(hours, calendar, at)?.toISO() ?? null, closesAt: null };
}

/**
 * The instant when `minutes` of open time have passed after `at` (open time only is counted), e.g. «one working
 * day» for the SLA clock. Null when the schedule is unknown or runs out within a year.
 */
export function addOpenMinutes(
  hours: Hours,
  calendar: ProductionCalendar,
  at: Date | string,
  minutes: number,
): DateTime | null {
  if (hours.schedule.kind === "unknown") return null;
  const local = toLocal(at, hours.timezone);
  const today = local.toISODate()!;
  const start = minuteOfDay(local);
  let left = minutes;
  for (let k = 0; k <= HORIZON_DAYS; k++) {
    const date = addDays(today, k);
    for (const [f, t] of openIntervals(hours.schedule, calendar, date)) {
      const from = k === 0 ? Math.max(f, start) : f;
      if (from >= t) continue;
      if (from + left <= t) {
        return k === 0 && from === start
          ? local.plus({ minutes: left })
          : instantOf(date, from, hours.timezone).plus({ minutes: left });
      }
      left -= t - from;
    }
  }
  return null;
}

// ---- reading and comparing schedules ----

const TIME_RE = /^([01]\d|2[0-4]):([0-5]\d)$/;

export function parseTime(text: string): number | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : undefined;
}

export function formatTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function daysIntersect(a: DayRule, b: DayRule): boolean {
  if (a === "all" || b === "all") return true;
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.some((d) => b.includes(d));
  // A calendar rule meets any weekday: holidays fall on weekdays and working Saturdays exist.
  const list = Array.isArray(a) ? a : (b as string[]);
  return list.length > 0;
}

/** Pairs of periods (indexes) that can be open at the same moment. */
export function overlappingPeriods(periods: Period[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < periods.length; i++)
    for (let j = i + 1; j < periods.length; j++) {
      const a = periods[i]!;
      const b = periods[j]!;
      if (daysIntersect(a.days, b.days) && a.from < b.to && b.from < a.to) pairs.push([i, j]);
    }
  return pairs;
}

/** A canonical text of a schedule in its zone: two lines with equal keys keep the same hours. */
export function scheduleKey(hours: Hours): string {
  const s = hours.schedule;
  if (s.kind === "unknown") return "unknown";
  const periods = s.kind === "always" ? [] : s.periods;
  const always = s.kind === "always" || periods.some((p) => p.days === "all" && p.from === 0 && p.to === 1440);
  if (always) return "always";
  const parts = periods
    .map((p) => `${Array.isArray(p.days) ? [...p.days].sort().join("+") : p.days}@${p.from}-${p.to}`)
    .sort();
  return `${hours.timezone}|${parts.join(",")}`;
}

// Russian zones keep one offset all year; a foreign zone's offset is the one in force at `at`.
const REFERENCE = new Date("2026-01-01T00:00:00Z");

const DAY_WORDS: Record<string, string> = {
  all: "ежедневно",
  working: "в рабочие дни",
  nonworking: "в выходные и праздничные дни",
};
const WEEKDAY_WORDS: Record<string, string> = {
  mon: "пн",
  tue: "вт",
  wed: "ср",
  thu: "чт",
  fri: "пт",
  sat: "сб",
  sun: "вс",
};

export function describeSchedule(hours: Hours, at: Date = REFERENCE): string {
  const s = hours.schedule;
  if (s.kind === "always" || scheduleKey(hours) === "always") return "круглосуточно, без выходных";
  if (s.kind === "unknown") return "часы работы не указаны";
  const zone = zoneLabel(hours.timezone, at);
  const parts = s.periods.map((p) => {
    const days = Array.isArray(p.days) ? p.days.map((d) => WEEKDAY_WORDS[d]).join(", ") : DAY_WORDS[p.days];
    return `${days} ${formatTime(p.from)}–${formatTime(p.to)}`;
  });
  return `${parts.join("; ")} (${zone})`;
}

export function zoneLabel(zone: string, at: Date = REFERENCE): string {
  if (zone === "Europe/Moscow") return "по московскому времени";
  const offset = DateTime.fromJSDate(at).setZone(zone).toFormat("ZZ");
  return `по времени UTC${offset}`;
}
