import cluster, { type Worker } from "node:cluster";
import { type Config, ConfigError, loadConfig } from "../config.ts";
import { installLastResort } from "../guard.ts";
import { SUPERVISOR_METRICS, serveClusterMetrics } from "../http/metrics.ts";
import { startServer } from "../server.ts";

export async function run(_argv: string[]): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (config.workers > 1 && cluster.isPrimary) return supervise(config);
  // Each entry point has its guard; this is the net under them, so a missed one degrades the service instead of ending it.
  installLastResort();
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (e) {
    // A refused start (development keys in production) is a message for a person, not a stack trace.
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    // A port another program holds, or one this user may not open: said in words, and a failed exit for the
    // supervisor (systemd's Restart=on-failure) to see, rather than an exception the last resort would swallow.
    const code = (e as { code?: unknown }).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      process.stderr.write(`${listenRefusal(code, config.host, config.port)}\n`);
      return 1;
    }
    throw e;
  }
  const which = cluster.isWorker ? ` (процесс ${cluster.worker!.id})` : "";
  process.stdout.write(`Otklik работает${which}: ${config.publicUrl} (база: ${server.ctx.database.engine})\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      // A terminal's Ctrl+C reaches a worker twice: its own SIGINT and the supervisor's SIGTERM.
      if (stopping) return;
      stopping = true;
      process.stdout.write(`Получен ${signal}: завершаю начатое и останавливаюсь…\n`);
      server.close().then(resolve, (e) => {
        process.stderr.write(`Ошибка при остановке: ${(e as Error).name}\n`);
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  // A worker's channel to its supervisor would keep it running once its server has stopped.
  if (cluster.isWorker) cluster.worker!.disconnect();
  return 0;
}

/** A worker that ends sooner than this after its start counts as failing to start. */
const EARLY_EXIT_MS = 10_000;
/** Failed starts in a row after which the supervisor gives up rather than restarting in a loop. */
const MAX_EARLY_EXITS = 5;

/**
 * OTKLIK_WORKERS > 1: this process only supervises. It starts that many server processes, which share the HTTP and
 * SMTP ports (node:cluster hands them the connections) and one PostgreSQL, as two processes behind a balancer do;
 * one that ends is replaced; SIGTERM or SIGINT is passed to every one, and the supervisor ends when they have. With
 * OTKLIK_METRICS_PORT it serves the metrics of all of them on that port.
 */
async function supervise(config: Config): Promise<number> {
  const count = config.workers;
  let closeMetrics: (() => Promise<void>) | undefined;
  if (config.metricsPort !== undefined) {
    try {
      closeMetrics = await serveClusterMetrics(config.metricsHost, config.metricsPort);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
  }
  let stopping = false;
  let earlyExits = 0;
  const started = new Map<Worker, number>();
  const env = closeMetrics ? { [SUPERVISOR_METRICS]: "1" } : {};
  const fork = () => started.set(cluster.fork(env), Date.now());
  for (let i = 0; i < count; i++) fork();
  process.stdout.write(`Запускаю процессы сервера: ${count}.\n`);

  return new Promise<number>((resolve) => {
    let code = 0;
    const finish = () => {
      if (Object.keys(cluster.workers ?? {}).length > 0) return;
      void (closeMetrics?.() ?? Promise.resolve()).then(() => resolve(code));
    };
    cluster.on("exit", (worker, exitCode, signal) => {
      const since = started.get(worker) ?? 0;
      started.delete(worker);
      if (stopping) return finish();
      const how = signal ? `по сигналу ${signal}` : `с кодом ${exitCode}`;
      earlyExits = Date.now() - since < EARLY_EXIT_MS ? earlyExits + 1 : 0;
      if (earlyExits >= MAX_EARLY_EXITS) {
        process.stderr.write(
          `Процесс сервера ${worker.id} завершился ${how} сразу после запуска ${MAX_EARLY_EXITS}-й раз подряд: останавливаю остальные.\n`,
        );
        code = 1;
        stopAll("SIGTERM");
        return finish();
      }
      process.stderr.write(`Процесс сервера ${worker.id} завершился ${how}: запускаю новый.\n`);
      fork();
    });
    const stopAll = (signal: NodeJS.Signals) => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    process.once("SIGTERM", () => stopAll("SIGTERM"));
    process.once("SIGINT", () => stopAll("SIGTERM"));
  });
}

/** Why the server could not take its address, for the person who started it. */
export function listenRefusal(code: "EADDRINUSE" | "EACCES" | "EADDRNOTAVAIL", host: string, port: number): string {
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE")
    return `Адрес ${where} уже занят другой программой: остановите её или задайте другой порт в OTKLIK_PORT.`;
  if (code === "EACCES")
    return `Нет прав открыть порт ${port}: порты ниже 1024 открывает только администратор системы. Задайте другой порт в OTKLIK_PORT.`;
  return `Адреса ${host} на этой машине нет: задайте существующий в OTKLIK_HOST.`;
}
