// Encrypted columns for Drizzle: a value is sealed on its way to the database and opened on its way back, so the
// rooms' ordinary selects, inserts and updates keep working. Equality on such a column can no longer be asked of the
// database (each sealing is different): lookups go through the blind-index column declared beside it.
import { customType } from "drizzle-orm/pg-core";
import { blindIndexWith, DataKeyError, decryptValue, encryptValue, type IndexKind, type Keyring } from "./keys.ts";

let active: Keyring | undefined;

/** Set at start from the configuration (bootstrap), before any personal data is read or written. */
export function installKeyring(ring: Keyring): void {
  active = ring;
}

export function keyring(): Keyring {
  if (!active) {
    throw new DataKeyError(
      "data_keys_not_loaded",
      "Ключи шифрования персональных данных не загружены: сервер должен пройти запуск (bootstrap).",
    );
  }
  return active;
}

/** The blind index of a value (null stays null): what lookups compare instead of the encrypted column. */
export function blindIndex(kind: IndexKind, value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  return blindIndexWith(keyring().indexKey, kind, value);
}

export type SealedColumn = {
  table: string;
  column: string;
  /** The blind-index column kept beside it, and how its values are normalised. */
  index?: { column: string; kind: IndexKind };
};

/** Every encrypted column of the schema, registered as the schema is declared; `keys rotate` walks them. */
export const SEALED_COLUMNS: SealedColumn[] = [];

/** A text column stored encrypted; the table and column name are bound into each value (moved, it fails). */
export function sealedText(table: string, column: string, index?: SealedColumn["index"]) {
  const context = `${table}.${column}`;
  if (!SEALED_COLUMNS.some((c) => c.table === table && c.column === column)) {
    SEALED_COLUMNS.push(index ? { table, column, index } : { table, column });
  }
  return customType<{ data: string; driverData: string }>({
    dataType: () => "text",
    toDriver: (value) => encryptValue(keyring(), value, context),
    fromDriver: (value) => decryptValue(keyring(), value, context),
  })(column);
}
