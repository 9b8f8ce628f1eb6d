// SLA arithmetic: due times in calendar time or in the department's working time, by the Russian
// production calendar. Pure: no I/O, the calendar is passed in.
import { DateTime, IANAZone } from "luxon";

export interface WorkCalendar {
  /** Working day by the production calendar (weekends, holidays and transferred days applied). */
  isWorkingDay(isoDate: string): boolean;
  /** A shortened pre-holiday working day (one hour shorter). */
  isShortDay(isoDate: string): boolean;
}

/** Weekends only: the fallback when no calendar data is loaded. */
export const WEEKDAYS_ONLY: WorkCalendar = {
  isWorkingDay: (d) => DateTime.fromISO(d).weekday <= 5,
  isShortDay: () => false,
};

export type WorkingHours = { zone: string; startMinute: number; endMinute: number };

/**
 * A time zone that remembers its UTC offset per quarter hour. Asking the platform for an offset is the slow part of
 * date arithmetic (every request's due time needs several); offsets only change on a quarter hour in every zone.
 */
class RememberingZone extends IANAZone {
  private readonly offsets = new Map<number, number>();

  override offset(ts: number): number {
    const quarter = Math.floor(ts / 900_000);
    let off = this.offsets.get(quarter);
    if (off === undefined) {
      off = super.offset(ts);
      if (this.offsets.size > 20_000) this.offsets.clear();
      this.offsets.set(quarter, off);
    }
    return off;
  }
}

const zones = new Map<string, RememberingZone>();

function zoneOf(name: string): RememberingZone {
  let z = zones.get(name);
  if (!z) {
    z = new RememberingZone(name);
    zones.set(name, z);
  }
  return z;
}

/** The support service's office hours for working-time targets: 09:00–18:00 Moscow time. */
export const OFFICE_HOURS: WorkingHours = { zone: "Europe/Moscow", startMinute: 9 * 60, endMinute: 18 * 60 };

export type Target = { minutes: number; basis: "calendar" | "working" };

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Adds a target to a moment. Working time counts only the office hours of working days.
 *
 * Every new request needs this, so the usual case is worked out in plain arithmetic on milliseconds: days whose UTC
 * offset is the same at their start as at the next day's start (no clock change that day). A day with a change of
 * offset — or a zone whose offsets differ around the moment — goes through `addTargetByCalendar`, the same rule in
 * Luxon's date arithmetic; both give the same instant (a test compares them over years of random moments).
 */
export function addTarget(
  from: Date,
  target: Target,
  calendar: WorkCalendar = WEEKDAYS_ONLY,
  hours: WorkingHours = OFFICE_HOURS,
): Date {
  if (target.basis === "calendar") return new Date(from.getTime() + target.minutes * MINUTE);
  const zone = zoneOf(hours.zone);
  let left = target.minutes;
  let t = from.getTime();
  const offset = zone.offset(t) * MINUTE;
  for (let guard = 0; guard < 3700; guard++) {
    const dayStart = Math.floor((t + offset) / DAY) * DAY - offset;
    const nextStart = dayStart + DAY;
    // A clock change that day (or a moment whose offset is not its day's): the calendar arithmetic decides.
    if (zone.offset(dayStart) * MINUTE !== offset || zone.offset(nextStart) * MINUTE !== offset) {
      return addTargetByCalendar(new Date(t), { minutes: left, basis: "working" }, calendar, hours);
    }
    const day = isoDay(dayStart + offset);
    if (calendar.isWorkingDay(day)) {
      const end = hours.endMinute - (calendar.isShortDay(day) ? 60 : 0);
      const start = dayStart + hours.startMinute * MINUTE;
      const stop = dayStart + end * MINUTE;
      const at = t < start ? start : t;
      if (at < stop) {
        const available = (stop - at) / MINUTE;
        if (left <= available) return new Date(at + minutesToMillis(left));
        left -= available;
      }
    }
    t = nextStart;
  }
  throw new Error("working-time target does not fit in ten years of calendar");
}

/** Minutes to milliseconds exactly as Luxon's `plus({ minutes })` converts them (its rounding included). */
function minutesToMillis(minutes: number): number {
  const own = minutes * MINUTE;
  const whole = Math.trunc(own);
  return whole + (own * 1000 - whole * 1000) / 1000;
}

const isoDays = new Map<number, string>();

/** `YYYY-MM-DD` of a local midnight given as milliseconds on the local clock. */
function isoDay(localMidnight: number): string {
  let d = isoDays.get(localMidnight);
  if (d === undefined) {
    d = new Date(localMidnight).toISOString().slice(0, 10);
    if (isoDays.size > 20_000) isoDays.clear();
    isoDays.set(localMidnight, d);
  }
  return d;
}

/** `addTarget` in Luxon's calendar arithmetic: for days with a change of UTC offset, and as its reference. */
export function addTargetByCalendar(
  from: Date,
  target: Target,
  calendar: WorkCalendar = WEEKDAYS_ONLY,
  hours: WorkingHours = OFFICE_HOURS,
): Date {
  if (target.basis === "calendar") return new Date(from.getTime() + target.minutes * MINUTE);
  let left = target.minutes;
  let t = DateTime.fromJSDate(from, { zone: zoneOf(hours.zone) });
  for (let guard = 0; guard < 3700; guard++) {
    const day = t.toISODate()!;
    if (calendar.isWorkingDay(day)) {
      const end = hours.endMinute - (calendar.isShortDay(day) ? 60 : 0);
      const start = t.startOf("day").plus({ minutes: hours.startMinute });
      const stop = t.startOf("day").plus({ minutes: end });
      const from = t < start ? start : t;
      if (from < stop) {
        const available = stop.diff(from, "minutes").minutes;
        if (left <= available) return from.plus({ minutes: left }).toJSDate();
        left -= available;
      }
    }
    t = t.plus({ days: 1 }).startOf("day");
  }
  throw new Error("working-time target does not fit in ten years of calendar");
}

/** Working minutes between two moments (for pauses and reports), the inverse of `addTarget`. */
export function workingMinutesBetween(
  from: Date,
  to: Date,
  calendar: WorkCalendar = WEEKDAYS_ONLY,
  hours: WorkingHours = OFFICE_HOURS,
): number {
  if (to <= from) return 0;
  let total = 0;
  let t = DateTime.fromJSDate(from, { zone: zoneOf(hours.zone) });
  const endAt = DateTime.fromJSDate(to, { zone: zoneOf(hours.zone) });
  while (t < endAt) {
    const day = t.toISODate()!;
    if (calendar.isWorkingDay(day)) {
      const start = t.startOf("day").plus({ minutes: hours.startMinute });
      const stop = t.startOf("day").plus({ minutes: hours.endMinute - (calendar.isShortDay(day) ? 60 : 0) });
      const a = t < start ? start : t;
      const b = endAt < stop ? endAt : stop;
      if (b > a) total += b.diff(a, "minutes").minutes;
    }
    t = t.plus({ days: 1 }).startOf("day");
  }
  return Math.round(total);
}

export type SlaPolicy = { channel: string; firstResponse: Target; resolution: Target };

const HOUR = 60;
const WORKDAY = 9 * HOUR;

// Seed: e-mail answered within 24 hours; portal feedback within one working day; chat within minutes.
// Resolution: the 30-day limit of Federal Law 59-FZ for written appeals.
export const DEFAULT_POLICIES: SlaPolicy[] = [
  {
    channel: "email",
    firstResponse: { minutes: 24 * HOUR, basis: "calendar" },
    resolution: { minutes: 30 * 24 * HOUR, basis: "calendar" },
  },
  {
    channel: "web",
    firstResponse: { minutes: WORKDAY, basis: "working" },
    resolution: { minutes: 30 * 24 * HOUR, basis: "calendar" },
  },
  {
    channel: "chat",
    firstResponse: { minutes: 5, basis: "calendar" },
    resolution: { minutes: 5 * WORKDAY, basis: "working" },
  },
  {
    channel: "phone",
    firstResponse: { minutes: 0, basis: "calendar" },
    resolution: { minutes: 5 * WORKDAY, basis: "working" },
  },
];

export function policyFor(channel: string, policies: SlaPolicy[] = DEFAULT_POLICIES): SlaPolicy {
  return policies.find((p) => p.channel === channel) ?? policies.find((p) => p.channel === "web")!;
}

export function dueTimes(channel: string, createdAt: Date, calendar?: WorkCalendar) {
  const p = policyFor(channel);
  return {
    firstResponseDueAt: addTarget(createdAt, p.firstResponse, calendar),
    resolutionDueAt: addTarget(createdAt, p.resolution, calendar),
  };
}
