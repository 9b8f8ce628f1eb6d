// The guard: a failure at an entry point is logged without its message, counted, and goes no further.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Database } from "./db/client.ts";
import { EventBus, type EventMessage } from "./db/outbox.ts";
import { configureGuard, describeFault, every, type Fault, onFault, Passes } from "./guard.ts";

configureGuard("silent");

const SECRET = "Иван Петров ivan.petrov@example.ru +7 916 123-45-67";
const seen: Fault[] = [];
let stopWatching = onFault((f) => seen.push(f));
afterEach(() => {
  seen.length = 0;
  stopWatching();
  stopWatching = onFault((f) => seen.push(f));
});
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("the guard", () => {
  it("keeps a timer that throws running and logs the failure without its message", async () => {
    let runs = 0;
    const timer = every("test.job", 5, () => {
      runs++;
      if (runs % 2) throw new TypeError(SECRET);
      return Promise.reject(Object.assign(new Error(SECRET), { code: "E_TEST" }));
    });
    await until(() => runs >= 4);
    clearInterval(timer);
    expect(runs).toBeGreaterThanOrEqual(4);
    const mine = seen.filter((f) => f.where === "timer:test.job");
    expect(mine.map((f) => f.type)).toContain("TypeError");
    expect(mine.find((f) => f.code === "E_TEST")).toBeDefined();
    expect(mine[0]!.frames[0]).toMatch(/^at .*guard\.test\.ts/);
    expect(JSON.stringify(seen)).not.toMatch(/Иван|ivan\.petrov|916 123/);
  });

  it("delivers an event to every bus subscriber when one throws and another rejects", async () => {
    let deliver: (payload: string) => void = () => {};
    const database = {
      listen: async (_channel: string, handler: (payload: string) => void) => {
        deliver = handler;
        return async () => {};
      },
    } as unknown as Database;
    const bus = new EventBus();
    await bus.start(database);
    const heard: EventMessage[] = [];
    bus.subscribe(() => {
      throw new RangeError(SECRET);
    });
    bus.subscribe(async () => {
      throw new TypeError(SECRET);
    });
    bus.subscribe((e) => heard.push(e));
    deliver(JSON.stringify({ id: 1, topic: "request.created", data: { number: "1" } }));
    deliver(JSON.stringify({ id: 2, topic: "request.created", data: { number: "2" } }));
    await until(() => seen.length >= 4);
    expect(heard.map((e) => e.id)).toEqual([1, 2]);
    expect(seen.map((f) => `${f.where} ${f.type}`).sort()).toEqual([
      "bus:request.created RangeError",
      "bus:request.created RangeError",
      "bus:request.created TypeError",
      "bus:request.created TypeError",
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/Иван|ivan\.petrov|916 123/);
    await bus.stop();
  });

  it("as the serve command's last resort, logs and counts what escaped and does not exit", () => {
    const guard = fileURLToPath(new URL("./guard.ts", import.meta.url));
    const script = `
      const { installLastResort, faultCounts } = await import(${JSON.stringify(guard)});
      installLastResort();
      Promise.reject(new TypeError(${JSON.stringify(SECRET)}));
      setTimeout(() => { throw new RangeError(${JSON.stringify(SECRET)}); }, 5);
      setTimeout(() => { process.stdout.write("alive " + faultCounts().escaped + "\\n"); }, 100);
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(out).toMatch(/alive 2\n$/);
    expect(out).toMatch(/"type":"TypeError"/);
    expect(out).toMatch(/"type":"RangeError"/);
    expect(out).not.toMatch(/Иван|ivan\.petrov|916 123/);
  });
});

// The class, not the cases: a timer callback outside the guard would end the process on its first throw.
describe("passes of a background job", () => {
  it("asked while a pass runs, answers only once a pass that began after the call has ended; callers meanwhile share it", async () => {
    const began: number[] = [];
    const ended: number[] = [];
    let n = 0;
    let release!: () => void;
    const passes = new Passes(
      "test.passes",
      async () => {
        const i = n++;
        began.push(i);
        if (i === 0) await new Promise<void>((r) => (release = r));
        else await new Promise((r) => setTimeout(r, 5));
        ended.push(i);
      },
      () => false,
    );
    const first = passes.run();
    const second = passes.run();
    const third = passes.run();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    release();
    await first;
    await second;
    expect(ended).toEqual([0, 1]);
    expect(began).toEqual([0, 1]);
    await passes.run();
    expect(began).toEqual([0, 1, 2]);
  });
});

describe("the server's code", () => {
  const root = fileURLToPath(new URL(".", import.meta.url));
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .filter((f) => f !== "guard.ts");

  it("starts no timer outside the guard (`every`, `after` of src/guard.ts)", () => {
    const bare: string[] = [];
    for (const f of files) {
      const lines = readFileSync(path.join(root, f), "utf8").split("\n");
      lines.forEach((line, i) => {
        if (!/\bset(Interval|Timeout)\(/.test(line)) return;
        // A pause (`new Promise((r) => setTimeout(r, ms))`) or a deadline that rejects a promise cannot throw.
        if (/setTimeout\((r|resolve)\b/.test(line) || /setTimeout\(\(\) => reject\(/.test(line)) return;
        bare.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(bare).toEqual([]);
  });
});

describe("what the guard logs of a failure", () => {
  it("keeps the frames after the message, never a message line that looks like a frame", () => {
    const e = new Error("boom\n    at +79161234567 (passport 4509 123456)");
    const fault = describeFault("test", e);
    expect(fault.frames.join("\n")).not.toMatch(/7916|4509/);
    expect(fault.frames.length).toBeGreaterThan(0);
  });
});
