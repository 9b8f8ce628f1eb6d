import { describe, expect, it } from "vitest";
import type { WorkCalendar } from "./sla.ts";
import {
  type ClockRow,
  choosePolicy,
  clockOnStatus,
  dueFor,
  type EscalationRule,
  ladder,
  type Policy,
  raisedPriority,
  shiftDue,
  stepsDue,
} from "./sla-clock.ts";

const msk = (s: string) => new Date(`${s}+03:00`);
// 2026 as the production calendar has it around the November holiday: 3 Nov shortened, 4 Nov a holiday.
const cal: WorkCalendar = {
  isWorkingDay: (d) => {
    if (d === "2026-11-04" || d === "2026-12-31") return false;
    const wd = new Date(`${d}T12:00:00Z`).getUTCDay();
    return wd !== 0 && wd !== 6;
  },
  isShortDay: (d) => d === "2026-11-03",
};

const P = (
  id: number,
  channel: string | null,
  category: string | null,
  priority: string | null,
  first = 60,
  resolution = 600,
): Policy => ({
  id,
  channel,
  category,
  priority,
  firstResponse: { minutes: first, basis: "calendar" },
  resolution: { minutes: resolution, basis: "working" },
});

describe("choosing a policy", () => {
  const policies = [
    P(1, "email", null, null),
    P(2, "web", null, null),
    P(3, null, "technical", null),
    P(4, "web", "technical", null),
    P(5, null, null, "urgent"),
    P(6, "chat", null, "urgent"),
    P(7, null, null, null),
  ];
  const cases: [string, string | null, string, number][] = [
    ["email", "access", "normal", 1],
    ["web", "access", "normal", 2],
    ["web", "technical", "normal", 4],
    ["email", "technical", "normal", 1], // channel outranks category between equally specific
    ["phone", "technical", "normal", 3],
    ["phone", "access", "urgent", 5],
    ["chat", "access", "urgent", 6],
    ["web", "technical", "urgent", 4], // two fields beat one
    ["phone", null, "normal", 7],
    ["chat", null, "low", 7],
  ];
  for (const [channel, category, priority, id] of cases) {
    it(`${channel}/${category}/${priority} → policy ${id}`, () => {
      expect(choosePolicy(policies, { channel, category, priority })?.id).toBe(id);
    });
  }
  it("nothing matches an empty list", () => {
    expect(choosePolicy([], { channel: "web", category: null, priority: "normal" })).toBeUndefined();
  });
});

describe("shifting a due time by a pause", () => {
  it("calendar basis adds the minutes as they are", () => {
    expect(shiftDue(msk("2026-11-27T17:00:00"), "calendar", { minutes: 90, workingMinutes: 0 }, cal)).toEqual(
      msk("2026-11-27T18:30:00"),
    );
  });
  it("working basis carries over the night and the weekend", () => {
    // Friday 17:00 + 120 working minutes: one hour on Friday, one on Monday.
    expect(shiftDue(msk("2026-11-27T17:00:00"), "working", { minutes: 5000, workingMinutes: 120 }, cal)).toEqual(
      msk("2026-11-30T10:00:00"),
    );
  });
  it("working basis skips the holiday after the shortened day", () => {
    expect(shiftDue(msk("2026-11-03T16:30:00"), "working", { minutes: 0, workingMinutes: 60 }, cal)).toEqual(
      msk("2026-11-05T09:30:00"),
    );
  });
  it("a pause with no working minutes leaves a due time outside office hours where it is", () => {
    const due = msk("2026-11-27T18:00:00");
    expect(shiftDue(due, "working", { minutes: 600, workingMinutes: 0 }, cal)).toEqual(due);
  });
});

describe("due times from a policy", () => {
  const policy = P(1, "web", null, null, 9 * 60, 30 * 24 * 60);
  policy.firstResponse = { minutes: 9 * 60, basis: "working" };
  policy.resolution = { minutes: 30 * 24 * 60, basis: "calendar" };
  it("one working day and 30 calendar days from a Friday evening", () => {
    const d = dueFor(msk("2026-11-27T20:00:00"), policy, { minutes: 0, workingMinutes: 0 }, cal);
    expect(d.firstResponseDueAt).toEqual(msk("2026-11-30T18:00:00"));
    expect(d.resolutionDueAt).toEqual(msk("2026-12-27T20:00:00"));
    expect([d.firstResponseBasis, d.resolutionBasis]).toEqual(["working", "calendar"]);
  });
  it("pauses so far are added in each target's basis", () => {
    const d = dueFor(msk("2026-11-27T20:00:00"), policy, { minutes: 3 * 24 * 60, workingMinutes: 60 }, cal);
    expect(d.firstResponseDueAt).toEqual(msk("2026-12-01T10:00:00"));
    expect(d.resolutionDueAt).toEqual(msk("2026-12-30T20:00:00"));
  });
});

describe("the clock on a change of status", () => {
  const row = (over: Partial<ClockRow> = {}): ClockRow => ({
    status: "in_progress",
    firstResponseDueAt: msk("2026-11-27T17:00:00"),
    resolutionDueAt: msk("2026-12-27T20:00:00"),
    firstResponseBasis: "working",
    resolutionBasis: "calendar",
    slaPausedAt: null,
    slaPausedMinutes: 0,
    slaPausedWorkingMinutes: 0,
    ...over,
  });

  it("entering «waiting» stops it, once", () => {
    const now = msk("2026-11-27T16:00:00");
    expect(clockOnStatus(row(), "waiting", now, cal)).toEqual({ slaPausedAt: now });
    expect(clockOnStatus(row({ slaPausedAt: now }), "waiting", msk("2026-11-27T16:30:00"), cal)).toEqual({});
  });

  it("a status that is not waiting, with no pause running, changes nothing", () => {
    expect(clockOnStatus(row(), "escalated", msk("2026-11-27T16:00:00"), cal)).toEqual({});
  });

  it("waiting over a weekend: calendar target moves by the whole pause, working target by office hours only", () => {
    // Paused Friday 16:00, the applicant answers Monday 10:00: 66 calendar hours, 3 working hours.
    const r = row({ status: "waiting", slaPausedAt: msk("2026-11-27T16:00:00") });
    const patch = clockOnStatus(r, "in_progress", msk("2026-11-30T10:00:00"), cal);
    expect(patch.slaPausedAt).toBeNull();
    expect(patch.slaPausedMinutes).toBe(66 * 60);
    expect(patch.slaPausedWorkingMinutes).toBe(3 * 60);
    // Friday 17:00 + 3 working hours = Monday 11:00.
    expect(patch.firstResponseDueAt).toEqual(msk("2026-11-30T11:00:00"));
    expect(patch.resolutionDueAt).toEqual(msk("2026-12-30T14:00:00"));
  });

  it("waiting across the November holiday counts the shortened day and skips the holiday", () => {
    // Paused 3 Nov 15:00 (day ends 17:00), resumed 5 Nov 10:00: 2 + 1 working hours.
    const r = row({ status: "waiting", slaPausedAt: msk("2026-11-03T15:00:00"), slaPausedWorkingMinutes: 30 });
    const patch = clockOnStatus(r, "resolved", msk("2026-11-05T10:00:00"), cal);
    expect(patch.slaPausedWorkingMinutes).toBe(30 + 180);
  });

  it("waiting overnight only adds no working time", () => {
    const r = row({ status: "waiting", slaPausedAt: msk("2026-11-26T19:00:00") });
    const patch = clockOnStatus(r, "in_progress", msk("2026-11-27T08:30:00"), cal);
    expect(patch.slaPausedWorkingMinutes).toBe(0);
    expect(patch.firstResponseDueAt).toEqual(r.firstResponseDueAt);
    expect(patch.resolutionDueAt).toEqual(msk("2026-12-28T09:30:00"));
  });

  it("a request without due times resumes without inventing them", () => {
    const r = row({ status: "waiting", slaPausedAt: msk("2026-11-26T10:00:00"), firstResponseDueAt: null });
    expect(clockOnStatus(r, "in_progress", msk("2026-11-26T11:00:00"), cal).firstResponseDueAt).toBeNull();
  });
});

describe("escalation ladder", () => {
  const rules: EscalationRule[] = [
    { id: 1, trigger: "resolution", afterMinutes: 240, action: "notify_supervisors" },
    { id: 2, trigger: "first_response", afterMinutes: 0, action: "notify_assignee" },
    { id: 3, trigger: "resolution", afterMinutes: 0, action: "notify_assignee" },
    { id: 4, trigger: "resolution", afterMinutes: 1440, action: "raise_priority" },
  ];
  const due = msk("2026-11-26T12:00:00");
  const res = ladder(rules, "resolution");

  it("orders each trigger's steps by delay", () => {
    expect(res.map((r) => r.id)).toEqual([3, 1, 4]);
    expect(ladder(rules, "first_response").map((r) => r.id)).toEqual([2]);
  });

  it("takes nothing before the due time and the first step exactly at it", () => {
    expect(stepsDue(res, 0, due, msk("2026-11-26T11:59:59")).level).toBe(0);
    expect(stepsDue(res, 0, due, due)).toEqual({ steps: [res[0]], level: 1 });
  });

  it("catches up several steps after a long outage, and none twice", () => {
    const late = stepsDue(res, 0, due, msk("2026-11-27T13:00:00"));
    expect(late.steps.map((s) => s.id)).toEqual([3, 1, 4]);
    expect(late.level).toBe(3);
    expect(stepsDue(res, 3, due, msk("2026-12-30T00:00:00"))).toEqual({ steps: [], level: 3 });
    expect(stepsDue(res, 1, due, msk("2026-11-26T16:00:00")).steps.map((s) => s.id)).toEqual([1]);
  });

  it("no due time, no steps", () => {
    expect(stepsDue(res, 0, null, msk("2030-01-01T00:00:00"))).toEqual({ steps: [], level: 0 });
  });

  it("priority climbs one step and stops at urgent", () => {
    expect(["low", "normal", "high", "urgent", "odd"].map(raisedPriority)).toEqual([
      "normal",
      "high",
      "urgent",
      "urgent",
      "normal",
    ]);
  });
});
