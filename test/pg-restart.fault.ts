// `npm run test:faults`: restarts the machine's PostgreSQL server while an Otklik process takes requests on it.
// The server must reconnect by itself, and every request answered 201 must be stored exactly once.
// (Separate from `npm test`, whose other files use the same PostgreSQL server at the same time.)
import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { exited, startChild } from "./process.ts";

const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `otklik_fault_${randomBytes(4).toString("hex")}`;
const admin = async (q: string) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
};

await admin(`create schema ${schema}`);
const u = new URL(url);
u.searchParams.set("options", `-c search_path=${schema}`);
const dir = mkdtempSync(path.join(os.tmpdir(), "otklik-fault-"));
const child = await startChild({ DATABASE_URL: u.toString(), OTKLIK_DATA_DIR: dir }, 120_000);

const acked: string[] = [];
let failed = 0;
let stop = false;
let lastOk = 0;
const loop = async () => {
  let i = 0;
  while (!stop) {
    try {
      const res = await fetch(`${child.url}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: `Отказ базы ${i++}` }),
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 201) {
        acked.push(((await res.json()) as { number: string }).number);
        lastOk = Date.now();
      } else {
        failed++;
        await res.arrayBuffer();
      }
    } catch {
      failed++;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
};
const loops = Promise.all([loop(), loop(), loop()]);
await new Promise((r) => setTimeout(r, 2000));
const before = acked.length;
const cluster = execSync("ls /etc/postgresql").toString().trim().split("\n")[0];
const restartAt = Date.now();
execSync(`pg_ctlcluster --skip-systemctl-redirect ${cluster} main restart`, { stdio: "inherit" });
const deadline = Date.now() + 60_000;
while (Date.now() < deadline && lastOk < restartAt + 500) await new Promise((r) => setTimeout(r, 200));
const recoveredAfter = lastOk > restartAt ? (lastOk - restartAt) / 1000 : null;
await new Promise((r) => setTimeout(r, 2000));
stop = true;
await loops;
child.proc.kill("SIGTERM");
const code = await exited(child.proc);

const stored = await admin(`select number from ${schema}.requests where number = any('{${acked.join(",")}}')`);
const found = new Set(stored.rows.map((r) => r.number));
const missing = acked.filter((n) => !found.has(n)).length;
await admin(`drop schema ${schema} cascade`);
rmSync(dir, { recursive: true, force: true });

console.log(
  `PostgreSQL restart: ${before} acknowledged before, ${acked.length} in all, ${failed} refused or cut during the restart, ` +
    `recovered ${recoveredAfter === null ? "never" : `after ${recoveredAfter.toFixed(1)} s`}, missing ${missing}, exit code ${code}`,
);
const ok = recoveredAfter !== null && missing === 0 && acked.length > before && code === 0;
console.log(ok ? "1 passed, 0 failed" : "0 passed, 1 failed");
process.exit(ok ? 0 : 1);
