import { beforeAll, describe, expect, it } from "vitest";
import { buildCalendar, type ProductionCalendar } from "./calendar.ts";
import { loadCalendar } from "./load.ts";
import { parseSchedule } from "./parse.ts";
import {
  addOpenMinutes,
  describeSchedule,
  type Hours,
  isOpenAt,
  nextClosing,
  nextOpening,
  openIntervals,
  openState,
  overlappingPeriods,
  scheduleKey,
  workingMinutes,
} from "./schedule.ts";
import type { Schedule } from "./types.ts";

let cal: ProductionCalendar;
beforeAll(async () => {
  cal = await loadCalendar();
});

function periods(list: Array<{ days: unknown; from: string; to: string }>): Schedule {
  const parsed = parseSchedule(list);
  if (!parsed.schedule) throw new Error(JSON.stringify(parsed.problems));
  return parsed.schedule;
}
const msk = (schedule: Schedule): Hours => ({ schedule, timezone: "Europe/Moscow" });
const daily8to20 = msk(periods([{ days: "all", from: "08:00", to: "20:00" }]));
const office = msk(periods([{ days: "working", from: "09:00", to: "18:00" }]));
const always = msk({ kind: "always" });

describe("«until 20:00» and day boundaries", () => {
  it("is open the minute before closing and closed at the closing minute itself", () => {
    expect(isOpenAt(daily8to20, cal, "2026-03-03T19:59:00+03:00")).toBe(true);
    expect(isOpenAt(daily8to20, cal, "2026-03-03T19:59:59.999+03:00")).toBe(true);
    expect(isOpenAt(daily8to20, cal, "2026-03-03T20:00:00+03:00")).toBe(false);
  });
  it("opens at the opening minute, not before", () => {
    expect(isOpenAt(daily8to20, cal, "2026-03-03T07:59:59+03:00")).toBe(false);
    expect(isOpenAt(daily8to20, cal, "2026-03-03T08:00:00+03:00")).toBe(true);
  });
  it("gives the closing time while open and the next opening while closed", () => {
    expect(openState(daily8to20, cal, "2026-03-03T10:00:00+03:00")).toEqual({
      open: true,
      opensAt: null,
      closesAt: "2026-03-03T20:00:00.000+03:00",
    });
    expect(openState(daily8to20, cal, "2026-03-03T20:00:00+03:00")).toEqual({
      open: false,
      opensAt: "2026-03-04T08:00:00.000+03:00",
      closesAt: null,
    });
    expect(nextOpening(daily8to20, cal, "2026-03-03T02:00:00+03:00")?.toISO()).toBe("2026-03-03T08:00:00.000+03:00");
  });
  it("reads the instant in the line's zone, whatever offset the question uses", () => {
    // 16:59 UTC is 19:59 in Moscow; 17:00 UTC is 20:00.
    expect(isOpenAt(daily8to20, cal, "2026-03-03T16:59:00Z")).toBe(true);
    expect(isOpenAt(daily8to20, cal, "2026-03-03T17:00:00Z")).toBe(false);
    expect(isOpenAt(daily8to20, cal, new Date("2026-03-03T17:00:00Z"))).toBe(false);
  });
  it("joins periods across midnight into one open stretch", () => {
    const night = msk(
      periods([
        { days: "all", from: "20:00", to: "24:00" },
        { days: "all", from: "00:00", to: "02:00" },
      ]),
    );
    expect(isOpenAt(night, cal, "2026-03-03T23:59:00+03:00")).toBe(true);
    expect(isOpenAt(night, cal, "2026-03-04T00:00:00+03:00")).toBe(true);
    expect(isOpenAt(night, cal, "2026-03-04T02:00:00+03:00")).toBe(false);
    expect(nextClosing(night, cal, "2026-03-03T23:00:00+03:00")?.toISO()).toBe("2026-03-04T02:00:00.000+03:00");
  });
  it("closes at midnight when the next day has no early period", () => {
    const workingAllDay = msk(periods([{ days: "working", from: "00:00", to: "24:00" }]));
    // Friday 6 March 2026 → Saturday is off.
    expect(nextClosing(workingAllDay, cal, "2026-03-06T23:59:00+03:00")?.toISO()).toBe("2026-03-07T00:00:00.000+03:00");
    expect(isOpenAt(workingAllDay, cal, "2026-03-07T00:00:00+03:00")).toBe(false);
    expect(nextOpening(workingAllDay, cal, "2026-03-07T00:00:00+03:00")?.toISO()).toBe("2026-03-10T00:00:00.000+03:00");
  });
});

describe("the production calendar", () => {
  it("keeps an office line shut on a holiday that falls on a weekday", () => {
    // 23 February 2026 is a Monday and a public holiday.
    expect(isOpenAt(office, cal, "2026-02-23T10:00:00+03:00")).toBe(false);
    expect(nextOpening(office, cal, "2026-02-23T10:00:00+03:00")?.toISO()).toBe("2026-02-24T09:00:00.000+03:00");
    expect(workingMinutes(office.schedule, cal, "2026-02-23")).toBe(0);
  });
  it("keeps it shut on a day off moved to a weekday", () => {
    // 9 March 2026 (Monday) is the day off for 8 March, a Sunday.
    expect(isOpenAt(office, cal, "2026-03-09T10:00:00+03:00")).toBe(false);
    // 3 November 2025 (Monday) is the day off moved from Saturday 1 November.
    expect(isOpenAt(office, cal, "2025-11-03T10:00:00+03:00")).toBe(false);
  });
  it("opens it on a working Saturday", () => {
    expect(isOpenAt(office, cal, "2025-11-01T10:00:00+03:00")).toBe(true);
    expect(isOpenAt(office, cal, "2025-11-08T10:00:00+03:00")).toBe(false);
    expect(workingMinutes(office.schedule, cal, "2025-11-01")).toBe(540);
  });
  it("closes an office line an hour early on a shortened pre-holiday day", () => {
    // 30 April 2026 (Thursday) precedes 1 May.
    expect(isOpenAt(office, cal, "2026-04-30T16:59:00+03:00")).toBe(true);
    expect(isOpenAt(office, cal, "2026-04-30T17:00:00+03:00")).toBe(false);
    expect(nextClosing(office, cal, "2026-04-30T10:00:00+03:00")?.toISO()).toBe("2026-04-30T17:00:00.000+03:00");
    expect(workingMinutes(office.schedule, cal, "2026-04-30")).toBe(480);
    expect(workingMinutes(office.schedule, cal, "2026-04-29")).toBe(540);
  });
  it("does not shorten a line that works every day in shifts", () => {
    expect(isOpenAt(daily8to20, cal, "2026-04-30T19:30:00+03:00")).toBe(true);
  });
  it("keeps a shortened working Saturday short (20 February 2027)", () => {
    expect(isOpenAt(office, cal, "2027-02-20T16:30:00+03:00")).toBe(true);
    expect(isOpenAt(office, cal, "2027-02-20T17:00:00+03:00")).toBe(false);
  });
  it("keeps a 24/7 line open through a holiday", () => {
    expect(openState(always, cal, "2026-01-01T03:00:00+03:00")).toEqual({
      open: true,
      opensAt: null,
      closesAt: null,
    });
    expect(workingMinutes(always.schedule, cal, "2026-01-07")).toBe(1440);
  });
  it("finds the next opening across the New Year holidays", () => {
    // Tuesday 30 December 2025 after hours → 31 Dec day off, 1–8 Jan holidays, 9 Jan day off, 10–11 weekend.
    expect(nextOpening(office, cal, "2025-12-30T18:00:00+03:00")?.toISO()).toBe("2026-01-12T09:00:00.000+03:00");
    // 2026 → 2027: 31 Dec 2026 day off, 1–8 Jan 2027 holidays, 9–10 weekend.
    expect(nextOpening(office, cal, "2026-12-30T18:30:00+03:00")?.toISO()).toBe("2027-01-11T09:00:00.000+03:00");
  });
  it("falls back to the weekday rule for a year the calendar does not hold", () => {
    expect(isOpenAt(office, cal, "2028-01-04T10:00:00+03:00")).toBe(true);
    expect(isOpenAt(office, cal, "2028-01-08T10:00:00+03:00")).toBe(false);
  });
  it("ignores the calendar for an explicit weekday list", () => {
    const mondays = msk(periods([{ days: ["mon"], from: "10:00", to: "12:00" }]));
    expect(isOpenAt(mondays, cal, "2026-02-23T11:00:00+03:00")).toBe(true);
  });
  it("serves nonworking-day hours on holidays and weekends only", () => {
    const split = msk(
      periods([
        { days: "working", from: "09:00", to: "18:00" },
        { days: "nonworking", from: "10:00", to: "16:00" },
      ]),
    );
    expect(openIntervals(split.schedule, cal, "2026-01-05")).toEqual([[600, 960]]);
    expect(openIntervals(split.schedule, cal, "2026-01-13")).toEqual([[540, 1080]]);
  });
});

describe("time zones from UTC+2 to UTC+12", () => {
  const office = (timezone: string): Hours => ({
    schedule: periods([{ days: "working", from: "09:00", to: "18:00" }]),
    timezone,
  });
  it("Kaliningrad (UTC+2)", () => {
    const h = office("Europe/Kaliningrad");
    expect(isOpenAt(h, cal, "2026-03-03T06:59:00Z")).toBe(false);
    expect(isOpenAt(h, cal, "2026-03-03T07:00:00Z")).toBe(true);
    expect(nextOpening(h, cal, "2026-03-03T06:00:00Z")?.toISO()).toBe("2026-03-03T09:00:00.000+02:00");
  });
  it("Kamchatka (UTC+12), where the local date is already tomorrow", () => {
    const h = office("Asia/Kamchatka");
    // 21:00 UTC on Sunday 1 March is 09:00 on Monday 2 March in Petropavlovsk-Kamchatsky.
    expect(isOpenAt(h, cal, "2026-03-01T21:00:00Z")).toBe(true);
    expect(isOpenAt(h, cal, "2026-03-01T20:59:00Z")).toBe(false);
    // 21:30 UTC on Friday 20 February is Saturday morning there: closed, though Moscow is still on Friday.
    expect(isOpenAt(h, cal, "2026-02-20T21:30:00Z")).toBe(false);
    expect(isOpenAt(office("Europe/Moscow"), cal, "2026-02-20T12:00:00Z")).toBe(true);
    expect(nextOpening(h, cal, "2026-02-20T21:30:00Z")?.toISO()).toBe("2026-02-24T09:00:00.000+12:00");
  });
  it("every zone between agrees on its own 09:00", () => {
    const zones = [
      "Europe/Samara",
      "Asia/Yekaterinburg",
      "Asia/Omsk",
      "Asia/Krasnoyarsk",
      "Asia/Irkutsk",
      "Asia/Yakutsk",
      "Asia/Vladivostok",
      "Asia/Magadan",
    ];
    zones.forEach((zone, i) => {
      const offset = 4 + i;
      // 08:00 local on Tuesday 3 March, asked in UTC (the previous evening for the far-eastern zones).
      const asked = new Date(Date.UTC(2026, 2, 3, 8 - offset)).toISOString();
      expect(isOpenAt(office(zone), cal, asked), zone).toBe(false);
      expect(nextOpening(office(zone), cal, asked)?.toISO(), zone).toBe(
        `2026-03-03T09:00:00.000+${String(offset).padStart(2, "0")}:00`,
      );
    });
  });
  it("rejects an unknown zone", () => {
    expect(() => isOpenAt(office("Mars/Olympus"), cal, "2026-03-03T10:00:00Z")).toThrow(/zone/);
  });
});

describe("open-time arithmetic for the SLA clock", () => {
  it("adds working minutes across a weekend", () => {
    // Friday 6 March 2026, 17:00 + 2 h → Monday 9 March is a day off → Tuesday 10 March, 10:00.
    expect(addOpenMinutes(office, cal, "2026-03-06T17:00:00+03:00", 120)?.toISO()).toBe(
      "2026-03-10T10:00:00.000+03:00",
    );
  });
  it("counts one working day (540 min) from inside the day to the same time next working day", () => {
    expect(addOpenMinutes(office, cal, "2026-03-03T12:00:00+03:00", 540)?.toISO()).toBe(
      "2026-03-04T12:00:00.000+03:00",
    );
  });
  it("starts counting at the next opening when asked outside hours", () => {
    expect(addOpenMinutes(office, cal, "2025-12-30T20:00:00+03:00", 30)?.toISO()).toBe("2026-01-12T09:30:00.000+03:00");
  });
  it("has no answer for unknown hours", () => {
    const unknown = msk({ kind: "unknown" });
    expect(addOpenMinutes(unknown, cal, "2026-03-03T12:00:00+03:00", 10)).toBeNull();
    expect(isOpenAt(unknown, cal, "2026-03-03T12:00:00+03:00")).toBeNull();
    expect(nextOpening(unknown, cal, "2026-03-03T12:00:00+03:00")).toBeNull();
    expect(workingMinutes(unknown.schedule, cal, "2026-03-03")).toBe(0);
  });
  it("reports never opening when the calendar has no working day within a year", () => {
    // Two whole years of holidays: longer than the search horizon, so the line never opens.
    const holidays = (year: number) => ({
      year,
      source: "test",
      days: Array.from({ length: 365 }, (_, i) => ({
        date: new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10),
        type: "holiday" as const,
      })),
    });
    const allOff = buildCalendar([holidays(2030), holidays(2031)]);
    expect(nextOpening(office, allOff, "2030-01-01T10:00:00+03:00")).toBeNull();
  });
});

describe("schedules in words", () => {
  it("names the zone: Moscow by name, others by their offset", () => {
    expect(describeSchedule(always)).toBe("круглосуточно, без выходных");
    expect(describeSchedule(office)).toBe("в рабочие дни 09:00–18:00 (по московскому времени)");
    expect(describeSchedule({ ...office, timezone: "Asia/Kamchatka" })).toBe(
      "в рабочие дни 09:00–18:00 (по времени UTC+12:00)",
    );
    expect(describeSchedule(msk({ kind: "unknown" }))).toBe("часы работы не указаны");
  });
});

describe("comparing and validating schedules", () => {
  it("finds overlapping periods, including calendar rules against weekday lists", () => {
    const p = (days: unknown, from: string, to: string) => ({ days, from, to });
    const parse = (list: ReturnType<typeof p>[]) => (periods(list) as Extract<Schedule, { kind: "periods" }>).periods;
    expect(overlappingPeriods(parse([p("working", "09:00", "18:00"), p(["sat"], "10:00", "12:00")]))).toEqual([[0, 1]]);
    expect(overlappingPeriods(parse([p("working", "09:00", "18:00"), p("nonworking", "09:00", "18:00")]))).toEqual([]);
    expect(overlappingPeriods(parse([p("all", "08:00", "12:00"), p("all", "12:00", "18:00")]))).toEqual([]);
    expect(overlappingPeriods(parse([p(["mon"], "08:00", "12:00"), p(["tue"], "09:00", "18:00")]))).toEqual([]);
    expect(overlappingPeriods(parse([p("all", "08:00", "12:00"), p(["sun"], "11:00", "13:00")]))).toEqual([[0, 1]]);
  });
  it("reports empty and malformed periods", () => {
    expect(parseSchedule([{ days: "all", from: "20:00", to: "08:00" }]).problems[0]?.code).toBe(
      "schedule_empty_period",
    );
    expect(parseSchedule([{ days: "all", from: "09:00", to: "09:00" }]).problems[0]?.code).toBe(
      "schedule_empty_period",
    );
    expect(parseSchedule([]).problems[0]?.code).toBe("schedule_empty_period");
    expect(parseSchedule([{ days: "weekdays", from: "09:00", to: "18:00" }]).problems[0]?.code).toBe(
      "schedule_invalid",
    );
    expect(parseSchedule([{ days: "all", from: "9:00", to: "18:00" }]).problems[0]?.code).toBe("schedule_invalid");
    expect(parseSchedule([{ days: "all", from: "09:00", to: "25:00" }]).problems[0]?.code).toBe("schedule_invalid");
    expect(parseSchedule("sometimes").problems[0]?.code).toBe("schedule_invalid");
  });
  it("treats 24/7 written two ways as the same schedule, and different hours as different", () => {
    expect(scheduleKey(msk(periods([{ days: "all", from: "00:00", to: "24:00" }])))).toBe(scheduleKey(always));
    expect(scheduleKey(daily8to20)).not.toBe(scheduleKey(always));
    expect(scheduleKey(daily8to20)).not.toBe(scheduleKey({ ...daily8to20, timezone: "Asia/Omsk" }));
  });
});
