// Commands that work on the database directly open it the way the server does (and wait for its lock).
import { loadConfig } from "../config.ts";
import { type Database, openDatabase } from "../db/client.ts";

export async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  try {
    await database.migrate();
    return await fn(database);
  } finally {
    await database.close();
  }
}

export class CliError extends Error {}

/** Runs a command body, turning known errors into a Russian message and exit code 1. */
export async function cliMain(json: boolean, body: () => Promise<unknown>): Promise<number> {
  try {
    const out = await body();
    if (out !== undefined) process.stdout.write(json ? `${JSON.stringify(out, null, 2)}\n` : `${String(out)}\n`);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    const message = err.message || String(e);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code ?? "error", message } })}\n`);
    else process.stderr.write(`Ошибка: ${message}\n`);
    return 1;
  }
}
