import { describe, expect, it } from "vitest";
import { addTarget, addTargetByCalendar, type WorkCalendar, workingMinutesBetween } from "./sla.ts";

const msk = (s: string) => new Date(`${s}+03:00`);
// 2026: 4 November is a holiday (Wednesday), 3 November a shortened day.
const calendar2026: WorkCalendar = {
  isWorkingDay: (d) => {
    if (d === "2026-11-04") return false;
    const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6;
  },
  isShortDay: (d) => d === "2026-11-03",
};

describe("SLA arithmetic", () => {
  it("calendar time ignores nights and weekends", () => {
    expect(addTarget(msk("2026-11-27T10:00:00"), { minutes: 24 * 60, basis: "calendar" })).toEqual(
      msk("2026-11-28T10:00:00"),
    );
  });

  it("one working day from Friday afternoon ends on Monday afternoon", () => {
    const due = addTarget(msk("2026-11-27T15:00:00"), { minutes: 9 * 60, basis: "working" }, calendar2026);
    expect(due).toEqual(msk("2026-11-30T15:00:00"));
  });

  it("a request at night starts counting at 09:00", () => {
    const due = addTarget(msk("2026-11-25T23:30:00"), { minutes: 60, basis: "working" }, calendar2026);
    expect(due).toEqual(msk("2026-11-26T10:00:00"));
  });

  it("skips a holiday on a weekday and shortens the pre-holiday day", () => {
    // 3 Nov ends at 17:00; 4 Nov is a holiday; the remainder runs on 5 Nov from 09:00.
    const due = addTarget(msk("2026-11-03T16:00:00"), { minutes: 120, basis: "working" }, calendar2026);
    expect(due).toEqual(msk("2026-11-05T10:00:00"));
  });

  it("a target ending exactly at closing stays on that day", () => {
    expect(addTarget(msk("2026-11-26T09:00:00"), { minutes: 540, basis: "working" }, calendar2026)).toEqual(
      msk("2026-11-26T18:00:00"),
    );
  });

  it("counts working minutes back", () => {
    expect(workingMinutesBetween(msk("2026-11-27T15:00:00"), msk("2026-11-30T15:00:00"), calendar2026)).toBe(540);
    expect(workingMinutesBetween(msk("2026-11-03T16:00:00"), msk("2026-11-05T10:00:00"), calendar2026)).toBe(120);
    expect(workingMinutesBetween(msk("2026-11-05T10:00:00"), msk("2026-11-03T16:00:00"), calendar2026)).toBe(0);
  });
});

describe("working-time arithmetic in milliseconds", () => {
  // A calendar with holidays and shortened days scattered over the years, weekends off.
  const scattered: WorkCalendar = {
    isWorkingDay: (d) => {
      const t = Date.parse(`${d}T00:00:00Z`) / 86_400_000;
      const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
      return wd !== 0 && wd !== 6 && t % 17 !== 0;
    },
    isShortDay: (d) => (Date.parse(`${d}T00:00:00Z`) / 86_400_000) % 13 === 0,
  };
  // A fixed pseudo-random sequence: the same cases on every run.
  let seed = 20261126;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const zones = [
    { zone: "Europe/Moscow", startMinute: 9 * 60, endMinute: 18 * 60 },
    // Clock changes: in the small hours, at midnight (São Paulo until 2019), by half an hour (Lord Howe).
    { zone: "Europe/Berlin", startMinute: 8 * 60, endMinute: 17 * 60 },
    { zone: "America/Sao_Paulo", startMinute: 0, endMinute: 12 * 60 },
    { zone: "Australia/Lord_Howe", startMinute: 7 * 60 + 30, endMinute: 16 * 60 },
    { zone: "Asia/Kolkata", startMinute: 10 * 60, endMinute: 19 * 60 },
  ];

  it("gives the same instant as the calendar arithmetic, to the millisecond", () => {
    const from2010 = Date.parse("2010-01-01T00:00:00Z");
    const span = Date.parse("2030-01-01T00:00:00Z") - from2010;
    for (const hours of zones) {
      for (let i = 0; i < 300; i++) {
        // Whole minutes, odd milliseconds, and moments right at opening and closing.
        const ms = from2010 + Math.floor(random() * span);
        const from = new Date(i % 3 === 0 ? ms - (ms % 60_000) : ms);
        const target = { minutes: Math.floor(random() * (i % 2 ? 600 : 6000)), basis: "working" as const };
        for (const calendar of [scattered, undefined]) {
          expect(addTarget(from, target, calendar, hours).getTime(), `${hours.zone} ${from.toISOString()}`).toBe(
            addTargetByCalendar(from, target, calendar, hours).getTime(),
          );
        }
      }
    }
  });
});
