// At every start: load the keyring from the configuration, then seal whatever is not yet under the current key
// (plaintext from before encryption, values under an older key, indexes built with another index key). Development
// keys are published in the source: they are announced loudly, and refused where real people's data would be.
import { type Config, ConfigError } from "../config.ts";
import type { Db } from "../db/client.ts";
import { developmentKeyVariables, makeKeyring } from "./keys.ts";
import { type RotateReport, rotateKeys } from "./rotate.ts";
import { installKeyring, keyring } from "./sealed.ts";

export function loadKeyring(config: Pick<Config, "dataKeys" | "indexKey">) {
  const ring = makeKeyring(config.dataKeys, config.indexKey);
  installKeyring(ring);
  return ring;
}

const WHAT: Record<string, string> = {
  OTKLIK_DATA_KEYS: "персональные данные шифруются",
  OTKLIK_INDEX_KEY: "слепой индекс контактов, ссылки отслеживания повторных отправок и подписи журнала аудита строятся",
};

const listed = (names: string[]) => names.join(" и ");
const unset = (names: string[]) => (names.length === 1 ? "не задан" : "не заданы");

/** Why this deployment must not run on development keys, or null (a development machine, a test). */
function publicDeployment(config: Pick<Config, "publicUrl">, env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV === "production") return "NODE_ENV=production";
  if (config.publicUrl.startsWith("https:")) return `адрес OTKLIK_PUBLIC_URL начинается с https (${config.publicUrl})`;
  return null;
}

/**
 * Refuses a start with development keys in production or behind https: a clear message naming the variables.
 * Called before anything is opened (`otklik serve`) and again by the start itself (any other way of starting).
 */
export function refuseDevelopmentKeys(
  config: Pick<Config, "dataKeys" | "indexKey" | "publicUrl">,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const names = developmentKeyVariables({ development: !config.dataKeys?.length, indexDevelopment: !config.indexKey });
  const why = publicDeployment(config, env);
  if (names.length === 0 || why === null) return;
  throw new ConfigError(
    `Otklik не запущен: ${unset(names)} ${listed(names)}, и без ${names.length === 1 ? "него" : "них"} ` +
      `${names.map((n) => WHAT[n]).join(", а ")} ключами разработки, опубликованными в исходном коде, — то есть не ` +
      `защищены ничем. Так можно только при разработке, а здесь ${why}. Создайте ключи (npx otklik keys generate) ` +
      `и задайте ${listed(names)} в окружении сервера; подробнее — docs/SECURITY.md, раздел «Encryption at rest».`,
  );
}

/** The warning printed at every start on development keys, or null when every key is configured. */
export function developmentKeyWarning(names: string[]): string | null {
  if (names.length === 0) return null;
  return [
    "",
    `!!! КЛЮЧИ РАЗРАБОТКИ: ${unset(names)} ${listed(names)}.`,
    ...names.map((n) => `!!! ${n}: ${WHAT[n]} ключом, опубликованным в исходном коде, и ничем не защищены.`),
    "!!! Не храните здесь настоящих данных. Ключи: npx otklik keys generate (docs/SECURITY.md, «Encryption at rest»).",
    "",
    "",
  ].join("\n");
}

/** The same warning in the log (a level `warn` line with the variables), for whoever reads logs rather than stderr. */
export function logDevelopmentKeys(log: { warn(obj: object, msg: string): void }): void {
  const names = developmentKeyVariables(keyring());
  if (names.length > 0) {
    log.warn(
      { code: "development_keys", variables: names },
      `Ключи разработки: ${unset(names)} ${listed(names)}; данные защищены опубликованным ключом.`,
    );
  }
}

export async function startEncryption(db: Db, config: Config): Promise<RotateReport> {
  refuseDevelopmentKeys(config);
  const ring = loadKeyring(config);
  const warning = developmentKeyWarning(developmentKeyVariables(ring));
  // The test suite runs on development keys by design; everywhere else the warning is printed at every start.
  if (warning && process.env.NODE_ENV !== "test") process.stderr.write(warning);
  const report = await rotateKeys(db, { count: false });
  const moved = Object.values(report.tables).reduce((a, b) => a + b, 0);
  // Counts only: nothing personal goes to the console.
  if (moved > 0)
    process.stdout.write(`Персональные данные: перешифровано строк — ${moved} (ключ «${ring.current.id}»).\n`);
  return report;
}
