// Kill -9 during an intake load, reopen the data folder, and count: every request that got a 201 is there,
// exactly once. Also: SIGTERM lets requests in flight finish and closes the database cleanly.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.ts";
import { exited, startChild } from "./process.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function load(url: string, until: () => boolean, concurrency: number, progress = { n: 0 }) {
  const acked: { number: string; marker: string }[] = [];
  let seq = 0;
  const worker = async () => {
    while (!until()) {
      const marker = `crash-marker-${process.pid}-${seq++}`;
      try {
        const res = await fetch(`${url}/api/v1/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ text: `Проверка устойчивости ${marker}`, category: "technical" }),
        });
        if (res.status === 201) {
          acked.push({ number: ((await res.json()) as { number: string }).number, marker });
          progress.n = acked.length;
        }
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return acked;
}

async function countStored(dataDir: string, acked: { number: string; marker: string }[]) {
  const database = await openDatabase({ dataDir });
  try {
    const rows = await database.db.execute<{ number: string; n: string }>(
      sql`select r.number, count(m.id)::text as n from requests r join messages m on m.request_id = r.id
          where m.body like 'Проверка устойчивости crash-marker-%' group by r.number`,
    );
    const found = new Map(
      (rows as unknown as { rows: { number: string; n: string }[] }).rows.map((r) => [r.number, Number(r.n)]),
    );
    return {
      missing: acked.filter((a) => !found.has(a.number)),
      doubled: [...found.values()].filter((n) => n !== 1).length,
      stored: found.size,
    };
  } finally {
    await database.close();
  }
}

describe("embedded database under a crash", () => {
  it("keeps every acknowledged request after SIGKILL mid-load", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-crash-"));
    dirs.push(dataDir);
    const child = await startChild({ OTKLIK_DATA_DIR: dataDir }, 150_000);
    let killed = false;
    const progress: { n: number } = { n: 0 };
    const loading = load(child.url, () => killed, 6, progress);
    // Kill mid-load: once a good number of requests have been answered (however fast this machine is).
    const until = Date.now() + 60_000;
    while (progress.n < 40 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    child.proc.kill("SIGKILL");
    killed = true;
    await exited(child.proc);
    const acked = await loading;
    expect(acked.length).toBeGreaterThan(20);
    console.info(`SIGKILL after ${acked.length} acknowledged requests`);

    const { missing, doubled, stored } = await countStored(dataDir, acked);
    expect(missing).toEqual([]);
    expect(doubled).toBe(0);
    // Requests committed but not yet acknowledged when the kill came may also be there; none beyond that.
    expect(stored - acked.length).toBeLessThanOrEqual(6);

    // And the server starts again on the same folder (the dead process's lock is taken over).
    const again = await startChild({ OTKLIK_DATA_DIR: dataDir }, 150_000);
    const res = await fetch(`${again.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "После перезапуска" }),
    });
    expect(res.status).toBe(201);
    again.proc.kill("SIGTERM");
    expect(await exited(again.proc)).toBe(0);
  }, 400_000);

  it("on SIGTERM finishes requests in flight, then exits 0", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-term-"));
    dirs.push(dataDir);
    const child = await startChild({ OTKLIK_DATA_DIR: dataDir }, 150_000);
    let stop = false;
    const progress = { n: 0 };
    const loading = load(child.url, () => stop, 4, progress);
    const until = Date.now() + 60_000;
    while (progress.n < 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    child.proc.kill("SIGTERM");
    const signalled = Date.now();
    stop = true;
    const code = await exited(child.proc);
    const acked = await loading;
    expect(code).toBe(0);
    // The load's keep-alive connections stay open here: the server must close them once their requests are
    // answered, not wait out the keep-alive timeout (72 s).
    expect(Date.now() - signalled).toBeLessThan(60_000);
    expect(child.output()).toContain("SIGTERM");
    const { missing, doubled } = await countStored(dataDir, acked);
    expect(missing).toEqual([]);
    expect(doubled).toBe(0);
  }, 400_000);
});
