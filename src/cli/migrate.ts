import { bootstrap } from "../bootstrap.ts";
import { loadConfig } from "../config.ts";
import { cliMain, withDatabase } from "./database.ts";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, () =>
    withDatabase(async (database) => {
      const { admin } = await bootstrap(database.db, loadConfig());
      if (admin?.generatedPassword) {
        process.stderr.write(`Создан администратор ${admin.email}, пароль (один раз): ${admin.generatedPassword}\n`);
      }
      return json ? { migrated: true, engine: database.engine } : `Миграции применены (${database.engine}).`;
    }),
  );
}
