// `otklik analytics rollup [--all] [--json]`: brings the statistics rollups up to date now (the server also does it
// at start, every minute and before a period board is read). `--all` rebuilds every day from the first request on.
import { rebuildAll } from "../analytics/rollup.ts";
import { CliError, cliMain, withDatabase } from "./database.ts";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, async () => {
    const [command, ...rest] = argv.filter((a) => a !== "--json");
    if (command !== "rollup" || rest.some((a) => a !== "--all")) {
      throw new CliError("Использование: otklik analytics rollup [--all]");
    }
    return withDatabase(async (database) => {
      const started = Date.now();
      const out = await rebuildAll(database.db, { all: rest.includes("--all") });
      const result = { ...out, seconds: Math.round((Date.now() - started) / 100) / 10 };
      return json
        ? result
        : `Сводные таблицы статистики обновлены: дней ${out.days}, месяцев ${out.months}, по ${out.through} включительно, за ${result.seconds} с.`;
    });
  });
}
