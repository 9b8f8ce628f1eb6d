import { describe, expect, it, vi } from "vitest";
import {
  count,
  displayPhone,
  displayRequestNumber,
  durationGenitive,
  formatDateTime,
  formatDeadline,
  formatShort,
  formatTime,
  plural,
} from "./format.ts";

// The browser is in Novosibirsk (UTC+7): the times shown must still be Moscow's.
vi.stubEnv("TZ", "Asia/Novosibirsk");

describe("plural", () => {
  it("follows the Russian rules, teens and compounds included", () => {
    const forms = (n: number) => plural(n, "статья", "статьи", "статей");
    expect([1, 21, 101, 1001].map(forms)).toEqual(["статья", "статья", "статья", "статья"]);
    expect([2, 3, 4, 22, 34, 102].map(forms)).toEqual(Array(6).fill("статьи"));
    expect([0, 5, 11, 12, 14, 19, 111, 112, 25].map(forms)).toEqual(Array(9).fill("статей"));
    expect(forms(1.5)).toBe("статьи");
  });

  it("writes the number with its word", () => {
    expect(count(21, "оценка", "оценки", "оценок")).toBe("21\u00a0оценка");
    expect(count(11, "оценка", "оценки", "оценок")).toBe("11\u00a0оценок");
    expect(count(2000, "оценка", "оценки", "оценок")).toBe("2\u00a0000\u00a0оценок");
  });

  it("puts a span after «в течение» in the genitive", () => {
    expect(durationGenitive(21 * 60_000)).toBe("21\u00a0минуты");
    expect(durationGenitive(11 * 60_000)).toBe("11\u00a0минут");
    expect(durationGenitive(3 * 3_600_000)).toBe("3\u00a0часов");
    expect(durationGenitive(21 * 3_600_000)).toBe("21\u00a0часа");
    expect(durationGenitive(5 * 86_400_000)).toBe("5\u00a0дней");
  });
});

describe("times, numbers and phones as the pages show them", () => {
  const due = "2026-12-06T19:00:00Z"; // 22:00 in Moscow, 02:00 on 7 December in Novosibirsk

  it("show Moscow time in a browser elsewhere, labelled where it is a deadline", () => {
    expect(new Date(due).getHours()).toBe(2);
    const thisYear = new Date().getFullYear() === 2026;
    expect(formatDateTime(due)).toBe(thisYear ? "6 декабря в 22:00" : "6 декабря 2026 г. в 22:00");
    expect(formatDeadline(due)).toMatch(/^6 декабря (2026 г\. )?в 22:00 по московскому времени \(воскресенье\)$/);
    expect(formatShort(due)).toBe("06.12.2026, 22:00");
    expect(formatTime(due)).toBe("22:00");
  });

  it("write request numbers and phones one way", () => {
    expect(displayRequestNumber("1030026")).toBe("1 030 026");
    expect(displayPhone("+78005553535")).toBe("8 800 555-35-35");
  });
});
