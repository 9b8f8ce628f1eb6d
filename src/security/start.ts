// At every start: load the keyring from the configuration, then seal whatever is not yet under the current key
// (plaintext from before encryption, values under an older key, indexes built with another index key).
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { makeKeyring } from "./keys.ts";
import { type RotateReport, rotateKeys } from "./rotate.ts";
import { installKeyring } from "./sealed.ts";

export function loadKeyring(config: Pick<Config, "dataKeys" | "indexKey">) {
  const ring = makeKeyring(config.dataKeys, config.indexKey);
  installKeyring(ring);
  return ring;
}

export async function startEncryption(db: Db, config: Config): Promise<RotateReport> {
  const ring = loadKeyring(config);
  if (ring.development && process.env.NODE_ENV === "production") {
    process.stderr.write(
      "\n!!! OTKLIK_DATA_KEYS не задан: персональные данные шифруются ОПУБЛИКОВАННЫМ ключом разработки и не защищены.\n" +
        "!!! Задайте OTKLIK_DATA_KEYS и OTKLIK_INDEX_KEY (docs/SECURITY.md, «Encryption at rest»).\n\n",
    );
  }
  if (!ring.development && !config.indexKey && process.env.NODE_ENV === "production") {
    process.stderr.write(
      "\n!!! OTKLIK_INDEX_KEY не задан: слепой индекс строится опубликованным ключом, и номер телефона из него\n" +
        "!!! можно подобрать перебором. Задайте OTKLIK_INDEX_KEY (docs/SECURITY.md, «Encryption at rest»).\n\n",
    );
  }
  const report = await rotateKeys(db, { count: false });
  const moved = Object.values(report.tables).reduce((a, b) => a + b, 0);
  // Counts only: nothing personal goes to the console.
  if (moved > 0)
    process.stdout.write(`Персональные данные: перешифровано строк — ${moved} (ключ «${ring.current.id}»).\n`);
  return report;
}
