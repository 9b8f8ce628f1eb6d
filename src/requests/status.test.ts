import { describe, expect, it } from "vitest";
import { canTransition, isOpen, STATUSES, statusAfterApplicantMessage } from "./status.ts";

describe("status machine", () => {
  it("follows the main path new → in progress → waiting → escalated → resolved → closed", () => {
    expect(canTransition("new", "in_progress")).toBe(true);
    expect(canTransition("in_progress", "waiting")).toBe(true);
    expect(canTransition("waiting", "escalated")).toBe(true);
    expect(canTransition("escalated", "resolved")).toBe(true);
    expect(canTransition("resolved", "closed")).toBe(true);
  });

  it("refuses illegal transitions", () => {
    expect(canTransition("closed", "in_progress")).toBe(false);
    expect(canTransition("resolved", "new")).toBe(false);
    expect(canTransition("in_progress", "new")).toBe(false);
    expect(canTransition("escalated", "closed")).toBe(false);
    for (const s of STATUSES) expect(canTransition(s, s)).toBe(false);
    for (const s of STATUSES) expect(canTransition(s, "new")).toBe(false);
  });

  it("closed is final", () => {
    for (const s of STATUSES) expect(canTransition("closed", s)).toBe(false);
  });

  it("an applicant's reply reopens a resolved request and wakes a waiting one", () => {
    expect(statusAfterApplicantMessage("resolved")).toBe("in_progress");
    expect(statusAfterApplicantMessage("waiting")).toBe("in_progress");
    expect(statusAfterApplicantMessage("in_progress")).toBeNull();
    expect(statusAfterApplicantMessage("closed")).toBeNull();
    for (const s of STATUSES) {
      const next = statusAfterApplicantMessage(s);
      if (next) expect(canTransition(s, next)).toBe(true);
    }
  });

  it("open means not resolved or closed", () => {
    expect(STATUSES.filter(isOpen)).toEqual(["new", "in_progress", "waiting", "escalated"]);
  });
});
