// Starting the real `otklik serve` as a child process, for tests that kill it or run two of it.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/otklik.js", import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export type Child = { proc: ChildProcess; url: string; output: () => string };

/** `nodeArgs` go to node before the script (a benchmark's `--cpu-prof`, which NODE_OPTIONS does not take). */
export async function startChild(
  env: Record<string, string>,
  timeoutMs = 60_000,
  nodeArgs: string[] = [],
): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...nodeArgs, BIN, "serve"], {
    env: {
      ...process.env,
      OTKLIK_PORT: String(port),
      OTKLIK_SMTP_PORT: "0",
      OTKLIK_ADMIN_PASSWORD: "child-admin-password-1",
      OTKLIK_PUBLIC_RATE_LIMIT: "0",
      OTKLIK_LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`server exited early: ${out}`);
    try {
      const res = await fetch(`${url}/api/v1/ready`);
      if (res.ok) return { proc, url, output: () => out };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill("SIGKILL");
  throw new Error(`server did not start: ${out}`);
}

export function exited(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
}
