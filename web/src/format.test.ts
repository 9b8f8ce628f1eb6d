import { describe, expect, it } from "vitest";
import { count, durationGenitive, plural } from "./format.ts";

describe("plural", () => {
  it("follows the Russian rules, teens and compounds included", () => {
    const forms = (n: number) => plural(n, "статья", "статьи", "статей");
    expect([1, 21, 101, 1001].map(forms)).toEqual(["статья", "статья", "статья", "статья"]);
    expect([2, 3, 4, 22, 34, 102].map(forms)).toEqual(Array(6).fill("статьи"));
    expect([0, 5, 11, 12, 14, 19, 111, 112, 25].map(forms)).toEqual(Array(9).fill("статей"));
    expect(forms(1.5)).toBe("статьи");
  });

  it("writes the number with its word", () => {
    expect(count(21, "оценка", "оценки", "оценок")).toBe("21 оценка");
    expect(count(11, "оценка", "оценки", "оценок")).toBe("11 оценок");
    expect(count(2000, "оценка", "оценки", "оценок")).toBe("2 000 оценок".replace(" ", "\u00a0"));
  });

  it("puts a span after «в течение» in the genitive", () => {
    expect(durationGenitive(21 * 60_000)).toBe("21 минуты");
    expect(durationGenitive(11 * 60_000)).toBe("11 минут");
    expect(durationGenitive(3 * 3_600_000)).toBe("3 часов");
    expect(durationGenitive(21 * 3_600_000)).toBe("21 часа");
    expect(durationGenitive(5 * 86_400_000)).toBe("5 дней");
  });
});
