// Development keys (published in the source) are loud at every start, and refused where real people's data would
// be under them: a public https address or NODE_ENV=production. The real `otklik serve`, as a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exited, freePort } from "../../test/process.ts";
import { loadConfig } from "../config.ts";
import { developmentKeyVariables, makeKeyring, newKey, parseDataKeys } from "./keys.ts";
import { developmentKeyWarning, refuseDevelopmentKeys } from "./start.ts";

const BIN = fileURLToPath(new URL("../../bin/otklik.js", import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Run = { proc: ChildProcess; stdout: () => string; stderr: () => string; port: number };

async function serve(env: Record<string, string>): Promise<Run> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-start-"));
  dirs.push(dataDir);
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, "serve"], {
    env: {
      ...process.env,
      OTKLIK_DATA_DIR: dataDir,
      OTKLIK_PORT: String(port),
      OTKLIK_SMTP_PORT: "0",
      OTKLIK_ADMIN_PASSWORD: "child-admin-password-1",
      OTKLIK_LOG_LEVEL: "warn",
      OTKLIK_DATA_KEYS: "",
      OTKLIK_INDEX_KEY: "",
      OTKLIK_PUBLIC_URL: "",
      DATABASE_URL: "",
      NODE_ENV: "development",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (err += d));
  return { proc, stdout: () => out, stderr: () => err, port };
}

/** Waits until the server answers its health check, or has exited. */
async function started(run: Run): Promise<boolean> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (run.proc.exitCode !== null) return false;
    try {
      if ((await fetch(`http://127.0.0.1:${run.port}/api/v1/health`)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  run.proc.kill("SIGKILL");
  throw new Error(`no start: ${run.stdout()}${run.stderr()}`);
}

/** The exit code of a start that must be refused; a server that started instead is stopped and fails the test. */
async function refused(run: Run): Promise<number | null> {
  const timer = setTimeout(() => run.proc.kill("SIGKILL"), 120_000);
  try {
    const code = await exited(run.proc);
    expect(run.proc.signalCode, `the server started instead: ${run.stdout()}`).toBeNull();
    return code;
  } finally {
    clearTimeout(timer);
  }
}

async function stop(run: Run) {
  run.proc.kill("SIGTERM");
  await exited(run.proc);
}

const logLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; variables?: string[] });

describe("development keys at start", () => {
  it("are announced loudly, on stderr and in the log, at every start", async () => {
    const run = await serve({});
    try {
      expect(await started(run)).toBe(true);
      expect(run.stderr()).toMatch(/OTKLIK_DATA_KEYS/);
      expect(run.stderr()).toMatch(/OTKLIK_INDEX_KEY/);
      expect(run.stderr()).toMatch(/ключ[а-я]* разработки/i);
      const warning = logLines(run.stdout()).find((l) => l.code === "development_keys");
      expect(warning?.level).toBe(40);
      expect(warning?.variables).toEqual(["OTKLIK_DATA_KEYS", "OTKLIK_INDEX_KEY"]);
    } finally {
      await stop(run);
    }
  }, 300_000);

  it("are refused with NODE_ENV=production: a Russian message naming the variables, a non-zero exit", async () => {
    const run = await serve({ NODE_ENV: "production", OTKLIK_DATA_KEYS: `k1:${newKey()}` });
    const code = await refused(run);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(run.stderr()).toMatch(/OTKLIK_INDEX_KEY/);
    expect(run.stderr()).not.toMatch(/OTKLIK_DATA_KEYS не/);
    expect(run.stderr()).toMatch(/NODE_ENV=production/);
    expect(run.stderr()).toMatch(/[А-Яа-я]{4,}/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    expect(run.stdout()).not.toContain("Otklik работает");
  }, 150_000);

  it("are refused when the public address is https", async () => {
    const run = await serve({ OTKLIK_PUBLIC_URL: "https://support.example.ru" });
    const code = await refused(run);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(run.stderr()).toMatch(/OTKLIK_DATA_KEYS/);
    expect(run.stderr()).toMatch(/OTKLIK_INDEX_KEY/);
    expect(run.stderr()).toMatch(/OTKLIK_PUBLIC_URL/);
  }, 150_000);

  it("with every key configured, an https production start is allowed and says nothing of keys", () => {
    const config = loadConfig(
      {
        OTKLIK_PUBLIC_URL: "https://support.example.ru",
        OTKLIK_DATA_KEYS: `k1:${newKey()}`,
        OTKLIK_INDEX_KEY: newKey(),
      },
      {},
    );
    expect(() => refuseDevelopmentKeys(config, { NODE_ENV: "production" })).not.toThrow();
    expect(developmentKeyWarning(developmentKeyVariables(makeKeyring(config.dataKeys, config.indexKey)))).toBeNull();
    // One key missing is enough to refuse; on a development machine it is only a warning.
    const partial = { ...config, indexKey: undefined };
    expect(() => refuseDevelopmentKeys(partial, { NODE_ENV: "production" })).toThrow(/OTKLIK_INDEX_KEY/);
    expect(() => refuseDevelopmentKeys({ ...partial, publicUrl: "http://127.0.0.1:3000" }, {})).not.toThrow();
    const ring = makeKeyring(parseDataKeys(`k1:${newKey()}`), undefined);
    expect(developmentKeyWarning(developmentKeyVariables(ring))).toMatch(/OTKLIK_INDEX_KEY/);
  });
});
