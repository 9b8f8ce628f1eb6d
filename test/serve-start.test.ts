// `otklik serve` on an address it cannot take: a sentence for the person who started it and a failed exit, so that a
// supervisor (systemd's Restart=on-failure, a container's restart policy) sees the failure.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/otklik.js", import.meta.url));
let holder: net.Server;
let port: number;
let dataDir: string;

beforeAll(async () => {
  holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  port = (holder.address() as net.AddressInfo).port;
  dataDir = mkdtempSync(path.join(os.tmpdir(), "otklik-serve-"));
});
afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe("otklik serve on a port already taken", () => {
  it("says so in Russian and exits with code 1", async () => {
    const child = spawn(process.execPath, [BIN, "serve"], {
      env: {
        ...process.env,
        OTKLIK_PORT: String(port),
        OTKLIK_HOST: "127.0.0.1",
        OTKLIK_SMTP_PORT: "0",
        OTKLIK_DATA_DIR: dataDir,
        OTKLIK_ADMIN_PASSWORD: "serve-start-password-1",
        OTKLIK_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(1);
    expect(err).toContain(
      `Адрес 127.0.0.1:${port} уже занят другой программой: остановите её или задайте другой порт в OTKLIK_PORT.`,
    );
  }, 60_000);
});
