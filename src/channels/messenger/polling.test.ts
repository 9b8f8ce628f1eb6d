import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { AppContext } from "../../context.ts";
import { pollUnderLock } from "./polling.ts";

/** Only what polling touches: the database's advisory lock, always granted. */
function contextWithLock(names: string[]) {
  const database = {
    holdLock: async (name: string) => {
      names.push(name);
      return { held: () => true, release: async () => {} };
    },
  };
  return { database } as unknown as AppContext;
}

describe("polling under a lock", () => {
  it("takes the driver's lock, takes over once, and leaves no listener behind its pauses", async () => {
    const locks: string[] = [];
    let takeOvers = 0;
    let polls = 0;
    let listenersAfterPauses = -1;
    let signalSeen: AbortSignal | undefined;
    const stop = pollUnderLock(contextWithLock(locks), {
      name: "test",
      idleMs: 1,
      takeOver: async () => {
        takeOvers++;
      },
      pollOnce: async (signal, sleep) => {
        signalSeen = signal;
        polls++;
        for (let i = 0; i < 30; i++) await sleep(0);
        listenersAfterPauses = getEventListeners(signal, "abort").length;
        await sleep(60_000);
      },
    });
    while (polls === 0 || listenersAfterPauses < 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    // The long pause ends at once when polling stops.
    await stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(locks).toEqual(["test-poll"]);
    expect(takeOvers).toBe(1);
    expect(polls).toBe(1);
    // Thirty pauses over, none of their listeners is left on the signal.
    expect(listenersAfterPauses).toBe(0);
    expect(signalSeen!.aborted).toBe(true);
    expect(getEventListeners(signalSeen!, "abort")).toHaveLength(0);
  });
});
