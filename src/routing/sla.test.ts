import { describe, expect, it } from "vitest";
import { addTarget, type WorkCalendar, workingMinutesBetween } from "./sla.ts";

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
