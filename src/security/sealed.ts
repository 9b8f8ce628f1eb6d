// Encrypted columns for Drizzle: a value is sealed on its way to the database and opened on its way back, so the
// rooms' ordinary selects, inserts and updates keep working. Equality on such a column can no longer be asked of the
// database (each sealing is different): lookups go through the blind-index column declared beside it.
import { customType } from "drizzle-orm/pg-core";
import {
  blindIndexWith,
  DataKeyError,
  decryptBytes,
  decryptValue,
  encryptBytes,
  encryptValue,
  type IndexKind,
  type Keyring,
} from "./keys.ts";

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
  // A name of no letters at all has no words to index.
  return blindIndexWith(keyring().indexKey, kind, value) || null;
}

export type SealedColumn = {
  table: string;
  column: string;
  /** text: `v1:…` strings; bytes: bytea starting with «OTK1». */
  kind: "text" | "bytes";
  /** The blind-index column kept beside it, and how its values are normalised. */
  index?: { column: string; kind: IndexKind };
};

/** Every encrypted column of the schema, registered as the schema is declared; `keys rotate` walks them. */
export const SEALED_COLUMNS: SealedColumn[] = [];

/** A text column stored encrypted; the table and column name are bound into each value (moved, it fails). */
export function sealedText(table: string, column: string, index?: SealedColumn["index"]) {
  const context = `${table}.${column}`;
  register(index ? { table, column, kind: "text", index } : { table, column, kind: "text" });
  return customType<{ data: string; driverData: string }>({
    dataType: () => "text",
    toDriver: (value) => encryptValue(keyring(), value, context),
    fromDriver: (value) => decryptValue(keyring(), value, context),
  })(column);
}

function register(c: SealedColumn) {
  if (!SEALED_COLUMNS.some((k) => k.table === c.table && k.column === c.column)) SEALED_COLUMNS.push(c);
}

/** A JSON value stored as encrypted text (e.g. an SMTP envelope, which names the sender). */
export function sealedJson<T>(table: string, column: string) {
  const context = `${table}.${column}`;
  register({ table, column, kind: "text" });
  return customType<{ data: T; driverData: string }>({
    dataType: () => "text",
    toDriver: (value) => encryptValue(keyring(), JSON.stringify(value), context),
    fromDriver: (value) => JSON.parse(decryptValue(keyring(), value, context)) as T,
  })(column);
}

/** A bytea column stored encrypted (raw letters). */
export function sealedBytes(table: string, column: string) {
  const context = `${table}.${column}`;
  register({ table, column, kind: "bytes" });
  return customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
    dataType: () => "bytea",
    toDriver: (value) => encryptBytes(keyring(), value, context),
    // PGlite answers a Uint8Array, node-postgres a Buffer.
    fromDriver: (value) => decryptBytes(keyring(), Buffer.isBuffer(value) ? value : Buffer.from(value), context),
  })(column);
}
