// The IVR's allowance of request-status look-ups: per caller's number and for the whole process, in hourly windows.
import { describe, expect, it } from "vitest";
import { StatusLookupLimiter } from "./status-limit.ts";

const HOUR = 3600_000;
const t0 = new Date("2026-11-25T09:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

describe("StatusLookupLimiter", () => {
  it("allows each caller their own few look-ups an hour, then none until their hour has passed", () => {
    const l = new StatusLookupLimiter({ perCaller: 3, perProcess: 100, windowSeconds: 3600 });
    expect([1, 2, 3, 4].map(() => l.take("+79001234567", t0))).toEqual([true, true, true, false]);
    expect(l.take("+79007654321", t0)).toBe(true);
    expect(l.take("+79001234567", later(HOUR - 1))).toBe(false);
    expect(l.take("+79001234567", later(HOUR))).toBe(true);
  });

  it("counts every withheld or unrecognised number as one caller", () => {
    const l = new StatusLookupLimiter({ perCaller: 2, perProcess: 100, windowSeconds: 3600 });
    expect([l.take(null, t0), l.take(null, t0), l.take(null, t0)]).toEqual([true, true, false]);
  });

  it("stops every caller once the process's ceiling is reached, and starts again with the next window", () => {
    const l = new StatusLookupLimiter({ perCaller: 2, perProcess: 5, windowSeconds: 3600 });
    const allowed = Array.from({ length: 8 }, (_, i) => l.take(`+7900000000${i}`, later(i * 1000)));
    expect(allowed).toEqual([true, true, true, true, true, false, false, false]);
    expect(l.take("+79009999999", later(HOUR - 1))).toBe(false);
    expect(l.take("+79009999999", later(HOUR))).toBe(true);
  });

  it("does not spend the process's allowance on a caller refused by their own", () => {
    const l = new StatusLookupLimiter({ perCaller: 1, perProcess: 3, windowSeconds: 3600 });
    expect(l.take("+79001111111", t0)).toBe(true);
    for (let i = 0; i < 10; i++) expect(l.take("+79001111111", t0)).toBe(false);
    expect([l.take("+79002222222", t0), l.take("+79003333333", t0), l.take("+79004444444", t0)]).toEqual([
      true,
      true,
      false,
    ]);
  });
});
