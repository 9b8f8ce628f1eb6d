import { describe, expect, it } from "vitest";
import { durationText, joinParts, splitMinutes } from "./Duration.tsx";

describe("durations in days, hours and minutes", () => {
  it("split minutes and join them back", () => {
    expect(splitMinutes(43_200)).toEqual({ days: 30, hours: 0, minutes: 0 });
    expect(splitMinutes(1530)).toEqual({ days: 1, hours: 1, minutes: 30 });
    for (const m of [0, 1, 59, 60, 61, 1439, 1440, 1441, 43_200, 527_040]) {
      const p = splitMinutes(m);
      expect(joinParts({ days: String(p.days), hours: String(p.hours), minutes: String(p.minutes) })).toBe(m);
    }
  });

  it("treat an empty box as nothing, a negative or non-number one as broken", () => {
    expect(joinParts({ days: "", hours: "8", minutes: "" })).toBe(480);
    expect(joinParts({ days: "1", hours: "-1", minutes: "0" })).toBeNaN();
    expect(joinParts({ days: "x", hours: "0", minutes: "0" })).toBeNaN();
  });

  it("read as a person says them", () => {
    expect(durationText(43_200)).toBe("30\u00a0дней");
    expect(durationText(1440 + 4 * 60)).toBe("1\u00a0день 4\u00a0часа");
    expect(durationText(2 * 1440 + 21)).toBe("2\u00a0дня 21\u00a0минута");
    expect(durationText(480)).toBe("8\u00a0часов");
    expect(durationText(0)).toBe("сразу");
  });
});
