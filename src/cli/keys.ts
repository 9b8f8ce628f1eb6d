// `npx otklik keys …`: the keys that encrypt personal data at rest (docs/SECURITY.md, «Encryption at rest»).
import { loadConfig } from "../config.ts";
import { newKey } from "../security/keys.ts";
import { keyStatus, rotateKeys } from "../security/rotate.ts";
import { loadKeyring } from "../security/start.ts";
import { CliError, cliMain, withDatabase } from "./database.ts";

const USAGE =
  "keys generate — новый ключ для OTKLIK_DATA_KEYS или OTKLIK_INDEX_KEY\n" +
  "keys status — сколько значений зашифровано каким ключом\n" +
  "keys rotate [--reindex] — перешифровать всё текущим ключом (и пересобрать слепые индексы)";

export async function run(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const [command] = argv.filter((a) => !a.startsWith("--"));
  return cliMain(json, async () => {
    if (command === "generate") {
      const id = `k${new Date().toISOString().slice(0, 10).replaceAll("-", "")}`;
      const key = newKey();
      return json ? { id, key } : `${id}:${key}`;
    }
    if (command !== "status" && command !== "rotate") throw new CliError(`Команды keys:\n${USAGE}`);
    const config = loadConfig();
    const ring = loadKeyring(config);
    return withDatabase(async (database) => {
      if (command === "status") {
        const keys = await keyStatus(database.db);
        if (json) return { current: ring.current.id, development: ring.development, keys };
        return describe(ring.current.id, ring.development, keys);
      }
      const report = await rotateKeys(database.db, { reindex: argv.includes("--reindex") });
      if (json) return { current: ring.current.id, ...report };
      const moved = Object.entries(report.tables).map(([t, n]) => `  ${t}: ${n}`);
      return [
        `Перешифровано строк (ключ «${ring.current.id}»):`,
        ...moved,
        report.reindexed ? "Слепые индексы пересобраны." : "",
        describe(ring.current.id, ring.development, report.keys),
      ]
        .filter(Boolean)
        .join("\n");
    });
  });
}

function describe(current: string, development: boolean, keys: Record<string, number>): string {
  const lines = Object.entries(keys).map(([k, n]) => `  ${k === "plaintext" ? "не зашифровано" : `ключ «${k}»`}: ${n}`);
  const others = Object.keys(keys).filter((k) => k !== current);
  return [
    `Текущий ключ: «${current}»${development ? " (ключ разработки: данные не защищены, задайте OTKLIK_DATA_KEYS)" : ""}.`,
    "Значений:",
    ...(lines.length ? lines : ["  нет"]),
    others.length
      ? "Есть значения под другими ключами: выполните keys rotate, прежде чем убирать ключ из списка."
      : "Все значения под текущим ключом: прежние ключи можно убрать из OTKLIK_DATA_KEYS.",
  ].join("\n");
}
