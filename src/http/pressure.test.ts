import { describe, expect, it } from "vitest";
import { BURST_REQUESTS, RequestPressure } from "./pressure.ts";

describe("the HTTP side's pressure", () => {
  it("is a burst from eighty requests a second, counted over the last tenth of a second", () => {
    const p = new RequestPressure();
    const t0 = 1_000_000;
    for (let i = 0; i < BURST_REQUESTS - 1; i++) p.hit(t0 + i * 5);
    expect(p.busy(t0 + 40)).toBe(false);
    p.hit(t0 + 45);
    expect(p.busy(t0 + 49)).toBe(true);
    // The next window still sees the last one's requests; the one after has forgotten them.
    expect(p.busy(t0 + 60)).toBe(true);
    expect(p.busy(t0 + 110)).toBe(false);
  });

  it("forgets a burst that ended, and counts one spread over two windows", () => {
    const p = new RequestPressure();
    const t0 = 2_000_000;
    for (let i = 0; i < 4; i++) p.hit(t0 + 40 + i);
    for (let i = 0; i < 4; i++) p.hit(t0 + 55 + i);
    expect(p.busy(t0 + 60)).toBe(true);
    // A quiet stretch, then a single request: no burst.
    p.hit(t0 + 500);
    expect(p.busy(t0 + 501)).toBe(false);
  });
});
