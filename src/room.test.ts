// Rooms start in the order their declared services require, whatever the order of the list.
import { describe, expect, it } from "vitest";
import { type Room, ServiceRegistry, startOrder } from "./room.ts";
import { ROOMS } from "./rooms.ts";

const names = (rooms: Room[]) => rooms.map((r) => r.name);
const room = (name: string, needs: string[] = [], provides: string[] = []) =>
  ({ name, needs, provides }) as unknown as Room;

describe("start order", () => {
  it("starts each room after the providers of what it needs, keeping the given order otherwise", () => {
    const order = startOrder([room("chat", ["knowledge"]), room("a"), room("knowledge", [], ["knowledge"])]);
    expect(names(order)).toEqual(["knowledge", "chat", "a"]);
  });

  it("refuses a need nobody provides, a service provided twice, and needs in a circle", () => {
    expect(() => startOrder([room("chat", ["knowledge"])])).toThrow(/needs the service «knowledge»/);
    expect(() => startOrder([room("a", [], ["x"]), room("b", [], ["x"])])).toThrow(/both provide the service «x»/);
    expect(() => startOrder([room("a", ["y"], ["x"]), room("b", ["x"], ["y"])])).toThrow(/in a circle: a → b → a/);
  });

  it("gives Otklik's rooms a valid order whatever order the list is in", () => {
    const valid = (order: Room[]) => {
      const provided = new Set<string>();
      for (const r of order) {
        for (const n of r.needs ?? []) expect(provided.has(n), `${r.name} needs ${n}`).toBe(true);
        for (const p of r.provides ?? []) provided.add(p);
      }
    };
    valid(startOrder(ROOMS));
    valid(startOrder([...ROOMS].reverse()));
    for (let i = 0; i < 20; i++) valid(startOrder([...ROOMS].sort(() => Math.random() - 0.5)));
  });
});

describe("services", () => {
  it("names the missing service instead of answering undefined", () => {
    const s = new ServiceRegistry();
    expect(() => s.get("directory")).toThrow(/service «directory» is not available/);
    expect(s.maybe("directory")).toBeUndefined();
  });

  it("stops the rooms' work in reverse order, once", async () => {
    const s = new ServiceRegistry();
    const stopped: string[] = [];
    s.onStop(() => void stopped.push("first"));
    s.onStop(async () => void stopped.push("second"));
    await s.stopAll();
    await s.stopAll();
    expect(stopped).toEqual(["second", "first"]);
  });
});
