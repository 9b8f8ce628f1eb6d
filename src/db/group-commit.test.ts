import { describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.ts";

describe("GroupCommit", () => {
  it("writes what arrives together as one group, and a caller alone at once", async () => {
    const groups: number[][] = [];
    const gc = new GroupCommit<number, string>(
      async (items) => {
        groups.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items.map((i) => `#${i}`);
      },
      { parallel: 1, maxBatch: 4 },
    );
    expect(await gc.submit(0)).toBe("#0");
    const out = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => gc.submit(i)));
    expect(out).toEqual(["#1", "#2", "#3", "#4", "#5", "#6"]);
    // One alone, then the six that came together in groups of at most four.
    expect(groups).toEqual([[0], [1, 2, 3, 4], [5, 6]]);
  });

  it("writes a failed group again one by one: only the bad item fails", async () => {
    const gc = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(3)) throw new Error("bad item");
        return items.map((i) => i * 10);
      },
      { parallel: 2 },
    );
    const settled = await Promise.allSettled([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : "failed"))).toEqual([10, 20, "failed", 40]);
  });

  it("keeps at most `parallel` groups in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const gc = new GroupCommit<number, number>(
      async (items) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return items;
      },
      { parallel: 2, maxBatch: 1 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    expect(most).toBe(2);
  });
});
