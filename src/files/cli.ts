// `npx otklik files migrate --to database|disk [--json]`: moves every attachment from the other store into this one
// (copied, checked by length, then removed from the source), so a deployment can switch OTKLIK_FILES either way. Run
// it with the servers stopped, or with them already set to the target store: a file uploaded meanwhile to the source
// would be left behind until the next run, which moves it too.
import path from "node:path";
import { parseArgs } from "node:util";
import { CliError, cliMain, withDatabase } from "../cli/database.ts";
import { progress } from "../cli/progress.ts";
import { loadConfig } from "../config.ts";
import { count, WORDS } from "../text/plural.ts";
import { DatabaseFileStore, DiskFileStore } from "./store.ts";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  return cliMain(json, async () => {
    const [command, ...rest] = argv.filter((a) => a !== "--json");
    const { values } = parseArgs({ args: rest, options: { to: { type: "string" } } });
    if (command !== "migrate" || (values.to !== "database" && values.to !== "disk")) {
      throw new CliError("Использование: otklik files migrate --to database|disk");
    }
    const config = loadConfig();
    return withDatabase(async (database) => {
      const disk = new DiskFileStore(path.join(config.dataDir, "attachments"), config.maxAttachmentBytes);
      const db = new DatabaseFileStore(database.db, config.maxAttachmentBytes);
      const [from, to] = values.to === "database" ? [disk, db] : [db, disk];
      const ids: string[] = [];
      for await (const id of from.ids()) ids.push(id);
      const bar = json ? undefined : progress("Перенесено файлов", ids.length);
      let moved = 0;
      let bytes = 0;
      for (const id of ids) {
        const content = await from.read(id);
        await to.write(id, content);
        const copy = await to.read(id);
        if (!copy.equals(content)) throw new CliError(`Файл ${id} перенесён с искажением; исходный файл оставлен.`);
        await from.remove(id);
        moved++;
        bytes += content.length;
        bar?.step(moved);
      }
      bar?.done();
      const result = { to: values.to, files: moved, bytes };
      const where = values.to === "database" ? "в базу данных" : "в папку данных";
      const megabytes = (bytes / 1024 / 1024).toLocaleString("ru-RU", { maximumFractionDigits: 1 });
      return json ? result : `Перенесено ${where}: ${count(moved, ...WORDS.file)}, ${megabytes} МБ.`;
    });
  });
}
