import { describe, expect, it } from "vitest";
import { progress } from "./progress.ts";

const sink = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (s: string) => written.push(s) };
};

describe("progress of a long command", () => {
  // Thousands are separated by a no-break space, as Russian typography wants.
  it("writes whole lines, one per tenth at most, when the output is not a terminal", () => {
    const out = sink(false);
    const p = progress("Обращения", 100_000, out);
    for (let done = 5_000; done <= 100_000; done += 5_000) p.step(done);
    p.done();
    expect(out.written.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
    // The first step (a sign of life), then each tenth once.
    expect(out.written).toHaveLength(11);
    expect(out.written[0]).toBe("Обращения: 5\u00a0000 из 100\u00a0000 (5 %)\n");
    expect(out.written[1]).toBe("Обращения: 10\u00a0000 из 100\u00a0000 (10 %)\n");
    expect(out.written.at(-1)).toBe("Обращения: 100\u00a0000 из 100\u00a0000 (100 %)\n");
  });

  it("redraws one bar in place on a terminal and ends it with a new line", () => {
    const out = sink(true);
    const p = progress("Файлы", 4, out);
    p.step(4);
    p.done();
    expect(out.written[0]).toMatch(/^\r\[#{30}\] Файлы: 4 из 4 \(100 %\)/);
    expect(out.written.at(-1)).toBe("\n");
  });
});
