import { describe, expect, it } from "vitest";
import { WindowLimiter } from "../../window-limiter.ts";

describe("chat message limiter", () => {
  it("counts per key within a window and starts again when it has passed", () => {
    const l = new WindowLimiter(10_000);
    const t = 1_000_000;
    for (let i = 0; i < 20; i++) expect(l.take("chat:1", 20, t + i)).toBe(true);
    expect(l.take("chat:1", 20, t + 100)).toBe(false);
    // Another conversation has an allowance of its own.
    expect(l.take("chat:2", 20, t + 100)).toBe(true);
    // A refusal does not use up the next window.
    expect(l.take("chat:1", 20, t + 9_999)).toBe(false);
    expect(l.take("chat:1", 20, t + 10_000)).toBe(true);
  });

  it("forgets windows that have passed, so the process does not keep every conversation it ever saw", () => {
    const l = new WindowLimiter(10_000);
    for (let i = 0; i < 1000; i++) l.take(`chat:${i}`, 20, 1_000_000);
    expect(l.size).toBe(1000);
    l.take("chat:new", 20, 1_020_000);
    expect(l.size).toBe(1);
  });
});
