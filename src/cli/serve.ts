import { ConfigError, loadConfig } from "../config.ts";
import { installLastResort } from "../guard.ts";
import { startServer } from "../server.ts";

export async function run(_argv: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
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
    throw e;
  }
  process.stdout.write(`Otklik работает: ${config.publicUrl} (база: ${server.ctx.database.engine})\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`Получен ${signal}: завершаю начатое и останавливаюсь…\n`);
      server.close().then(resolve, (e) => {
        process.stderr.write(`Ошибка при остановке: ${(e as Error).name}\n`);
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
