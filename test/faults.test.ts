// Bad days: a full attachments disk, hostile filter strings. (Crash and restart: crash.test.ts; a database
// server restarted under load: test/pg-restart.fault.ts, run by `npm run test:faults`.)
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "./harness.ts";

let s: TestServer;
let op: { authorization: string };
let mounted = false;

beforeAll(async () => {
  // The disk store (OTKLIK_FILES=disk): the database store's full disk is the database's, covered by db-outage.test.ts.
  s = await createTestServer({ files: "disk" });
  op = await s.staff("supervisor");
  const dir = path.join(s.dataDir, "attachments");
  mkdirSync(dir, { recursive: true });
  try {
    // A 64 KiB file system stands for a disk that is full (needs root, as in CI).
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(async () => {
  if (mounted) execFileSync("umount", [path.join(s.dataDir, "attachments")], { stdio: "ignore" });
  await s?.close();
});

const total = async () =>
  (await s.app.inject({ method: "GET", url: "/api/v1/requests?limit=1", headers: op })).json().total as number;

describe("a full attachments disk", () => {
  it("answers a clear error, registers nothing and leaves no half-written file", async (t) => {
    if (!mounted) t.skip("mounting a small file system needs root");
    const pngHead = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const big = Buffer.concat([pngHead, Buffer.alloc(200 * 1024, 1)]);
    const before = await total();
    const form = new FormData();
    form.append("data", JSON.stringify({ text: "Скриншот не помещается на диск" }));
    form.append("files", new Blob([big], { type: "image/png" }), "big.png");
    const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: form as never });
    expect(res.statusCode).toBe(507);
    expect(res.json().code).toBe("storage_unavailable");
    expect(res.json().detail).toMatch(/хранилище/);
    expect(await total()).toBe(before);
    const left = readdirSync(path.join(s.dataDir, "attachments"), { recursive: true }).map(String);
    expect(left.filter((f) => f.endsWith(".part") || /[0-9a-f-]{36}$/.test(f))).toEqual([]);

    const small = new FormData();
    small.append("data", JSON.stringify({ text: "А этот файл маленький" }));
    small.append("files", new Blob([pngHead], { type: "image/png" }), "small.png");
    expect((await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: small as never })).statusCode).toBe(
      201,
    );
  });
});

describe("hostile strings in every filter", () => {
  const attacks = [
    "' or '1'='1",
    "1; drop table requests; --",
    "\\' union select * from users --",
    "%' or 1=1 --",
    "$1",
    "\u0000",
    "ʼ OR 1=1",
  ];
  it("never fail and never widen the result", async () => {
    await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Обычное обращение" } });
    const all = await total();
    for (const a of attacks) {
      for (const param of ["q", "status", "category", "channel", "department", "assignee"]) {
        const res = await s.app.inject({
          method: "GET",
          url: `/api/v1/requests?${param}=${encodeURIComponent(a)}`,
          headers: op,
        });
        expect(res.statusCode, `${param}=${a}`).toBeLessThan(500);
        if (res.statusCode === 200) expect(res.json().total, `${param}=${a}`).toBeLessThanOrEqual(all);
      }
    }
    expect(await total()).toBe(all);
  });
});
