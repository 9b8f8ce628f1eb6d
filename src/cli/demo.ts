// `otklik demo generate --requests N [--days 365] [--seed S] [--json]`: fills the database with a year of realistic
// requests for the statistics (see src/analytics/generate.ts). On the embedded database, run it with the server stopped.
import { parseArgs } from "node:util";
import { generateDemo } from "../analytics/generate.ts";
import { bootstrap } from "../bootstrap.ts";
import { loadConfig } from "../config.ts";
import { CliError, cliMain, withDatabase } from "./database.ts";
import { progress } from "./progress.ts";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, async () => {
    const [command, ...rest] = argv.filter((a) => a !== "--json");
    if (command !== "generate") throw new CliError("Использование: otklik demo generate --requests N [--days 365]");
    const { values } = parseArgs({
      args: rest,
      options: { requests: { type: "string", default: "10000" }, days: { type: "string" }, seed: { type: "string" } },
    });
    const requests = Number(values.requests);
    if (!Number.isInteger(requests) || requests < 1 || requests > 5_000_000) {
      throw new CliError("--requests: целое число от 1 до 5 000 000.");
    }
    return withDatabase(async (database) => {
      const { admin } = await bootstrap(database.db, loadConfig());
      if (admin?.generatedPassword) {
        process.stderr.write(`Создан администратор ${admin.email}, пароль (один раз): ${admin.generatedPassword}\n`);
      }
      const started = Date.now();
      const bar = json ? undefined : progress("Создано обращений", requests);
      const out = await generateDemo(
        database.db,
        {
          requests,
          ...(values.days ? { days: Number(values.days) } : {}),
          ...(values.seed ? { seed: Number(values.seed) } : {}),
        },
        (done) => bar?.step(done),
      );
      const seconds = (Date.now() - started) / 1000;
      bar?.done();
      const result = { ...out, seconds: Math.round(seconds * 10) / 10, engine: database.engine };
      return json ? result : `Создано обращений: ${out.requests} за ${result.seconds} с (${database.engine}).`;
    });
  });
}
