import { describe, expect, it } from "vitest";
import { randomBytes } from "./random.ts";

describe("random bytes from the pool", () => {
  it("hands out fresh bytes of the asked length, never the same ones twice", () => {
    const seen = new Set<string>();
    // Several refills of the 4 KB pool, in sizes that do not divide it evenly.
    for (let i = 0; i < 2000; i++) {
      const n = [12, 16, 32, 7][i % 4]!;
      const b = randomBytes(n);
      expect(b).toHaveLength(n);
      const hex = b.toString("hex");
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it("gives the caller a copy the pool does not touch afterwards", () => {
    const a = randomBytes(32);
    const kept = Buffer.from(a);
    for (let i = 0; i < 300; i++) randomBytes(32);
    expect(a.equals(kept)).toBe(true);
  });

  it("takes large requests straight from the system", () => {
    expect(randomBytes(4096)).toHaveLength(4096);
  });
});
