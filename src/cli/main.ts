// The command line: `npx otklik <group> [command] [args] [--json]`.
// Each room owns its commands in `<room>/cli.ts`, exporting `run(argv): Promise<number>` (the exit code).
type CommandModule = { run(argv: string[]): Promise<number> };

const groups: Record<string, { describe: string; load: () => Promise<CommandModule> }> = {
  serve: { describe: "запустить сервер", load: () => import("./serve.ts") },
  migrate: { describe: "применить миграции базы данных", load: () => import("./migrate.ts") },
  keys: {
    describe: "ключи шифрования персональных данных: keys generate, status, rotate",
    load: () => import("./keys.ts"),
  },
  backup: {
    describe: "резервная копия базы и вложений: backup <папка>",
    load: () => import("./backup.ts").then((m) => ({ run: m.runBackup })),
  },
  restore: {
    describe: "восстановить копию в пустую базу: restore <папка> [--ignore-keys]",
    load: () => import("./backup.ts").then((m) => ({ run: m.runRestore })),
  },
  user: {
    describe: "сотрудники: user add --email E --role R --password P; user deactivate|activate --email E",
    load: () => import("../staff/cli.ts"),
  },
  token: {
    describe: "токены API: token create|list --email E, token revoke <номер или начало>",
    load: () => import("../staff/cli-token.ts"),
  },
  directory: { describe: "справочник линий: check, recommend", load: () => import("../directory/cli.ts") },
  kb: { describe: "база знаний: search, eval", load: () => import("../knowledge/cli.ts") },
  audit: { describe: "журнал доступа: audit checkpoint, verify", load: () => import("./audit.ts") },
  demo: { describe: "демо-данные: demo generate --requests N", load: () => import("./demo.ts") },
  files: {
    describe: "вложения: files migrate --to database|disk (перенести файлы между базой и папкой данных)",
    load: () => import("../files/cli.ts"),
  },
  analytics: { describe: "статистика: analytics rollup [--all]", load: () => import("./analytics.ts") },
  classify: {
    describe: 'классификатор: classify "текст", classify train, classify eval',
    load: () => import("../routing/cli.ts"),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [group, ...rest] = argv;
  const entry = group ? groups[group] : undefined;
  if (!entry) {
    const lines = Object.entries(groups).map(([name, g]) => `  ${name.padEnd(10)} ${g.describe}`);
    const out = `Использование: otklik <команда> [--json]\n\nКоманды:\n${lines.join("\n")}\n`;
    if (group && group !== "help" && group !== "--help") {
      process.stderr.write(`Неизвестная команда «${group}».\n\n${out}`);
      return 2;
    }
    process.stdout.write(out);
    return 0;
  }
  const mod = await entry.load();
  return mod.run(rest);
}
