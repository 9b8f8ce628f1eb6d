import { describe, expect, it } from "vitest";
import { checkDigit, formatRequestNumber, isValidRequestNumber, normalizeRequestNumber } from "./number.ts";

describe("request numbers", () => {
  it("appends a Damm check digit (known vector 572 → 4)", () => {
    expect(checkDigit("572")).toBe(4);
    expect(formatRequestNumber(572)).toBe("5724");
    expect(formatRequestNumber(100001)).toMatch(/^100001\d$/);
  });

  it("accepts every number it makes", () => {
    for (let n = 100001; n < 102001; n++) expect(isValidRequestNumber(formatRequestNumber(n))).toBe(true);
  });

  it("catches every single mistyped digit", () => {
    for (let n = 100001; n < 100301; n++) {
      const good = formatRequestNumber(n);
      for (let pos = 0; pos < good.length; pos++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === good[pos]) continue;
          const bad = good.slice(0, pos) + d + good.slice(pos + 1);
          expect(isValidRequestNumber(bad), `${good} → ${bad}`).toBe(false);
        }
      }
    }
  });

  it("catches every swap of two adjacent different digits", () => {
    for (let n = 100001; n < 101001; n++) {
      const good = formatRequestNumber(n);
      for (let pos = 0; pos + 1 < good.length; pos++) {
        if (good[pos] === good[pos + 1]) continue;
        const bad = good.slice(0, pos) + good[pos + 1] + good[pos] + good.slice(pos + 2);
        expect(isValidRequestNumber(bad), `${good} → ${bad}`).toBe(false);
      }
    }
  });

  it("reads numbers as people type them", () => {
    const n = formatRequestNumber(123456);
    expect(normalizeRequestNumber(`№ ${n.slice(0, 3)} ${n.slice(3)}`)).toBe(n);
    expect(normalizeRequestNumber(`${n.slice(0, 3)}-${n.slice(3)}`)).toBe(n);
    expect(normalizeRequestNumber("12ab45")).toBeNull();
    expect(normalizeRequestNumber("123")).toBeNull();
    expect(isValidRequestNumber("")).toBe(false);
  });
});
