// Encryption of personal data at rest: AES-256-GCM under a keyring from the environment, and a keyed blind index
// (HMAC-SHA256 with a key of its own) so that stored values can still be looked up by equality. No I/O here.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { AppError } from "../http/errors.ts";
import { randomBytes as freshIv } from "./random.ts";

export type DataKey = { id: string; key: Buffer };

export type Keyring = {
  /** The key new values are written under: the first one configured. */
  current: DataKey;
  /** Every key that may have written a stored value, by id. */
  keys: Map<string, DataKey>;
  /** Key of the blind index (never used for encryption). */
  indexKey: Buffer;
  /** Key of the tracking tokens derived for idempotent submissions: HKDF of the index key, a label of its own. */
  trackingKey: Buffer;
  /** True when no key was configured and the published development key is in use. */
  development: boolean;
  /** True when OTKLIK_INDEX_KEY is unset: the index key (and the tracking key made from it) is published too. */
  indexDevelopment: boolean;
};

/** Key id of the development key: derived from a published constant, so it protects nothing. */
export const DEV_KEY_ID = "dev";
const DEV_SEED = Buffer.from("otklik development data key: not secret, set OTKLIK_DATA_KEYS");

const PREFIX = "v1";

/**
 * A stored value that cannot be opened: a stable code for programs, a Russian message for the administrator (it
 * names the key, never the value). A server error: the request itself was not wrong.
 */
export class DataKeyError extends AppError {
  constructor(code: "data_key_missing" | "data_ciphertext_invalid" | "data_keys_not_loaded", message: string) {
    super(code, message, 500);
  }
}

function derive(seed: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", seed, Buffer.alloc(0), purpose, 32));
}

export function developmentKey(): DataKey {
  return { id: DEV_KEY_ID, key: derive(DEV_SEED, "data") };
}

export function developmentIndexKey(): Buffer {
  return derive(DEV_SEED, "blind index");
}

/** Reads `k2:<base64 of 32 bytes>,k1:<base64>`: the first key is current, the others only read older values. */
export function parseDataKeys(raw: string): DataKey[] {
  const out: DataKey[] = [];
  for (const part of raw.split(",").map((p) => p.trim())) {
    if (!part) continue;
    const colon = part.indexOf(":");
    const id = colon > 0 ? part.slice(0, colon) : "";
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new Error("список «имя:ключ,…», имя из латинских букв, цифр, - и _ (до 32 знаков)");
    }
    if (id === DEV_KEY_ID) throw new Error(`другое имя ключа: «${DEV_KEY_ID}» занято ключом разработки`);
    const key = decodeKey(part.slice(colon + 1));
    if (out.some((k) => k.id === id)) throw new Error(`каждое имя один раз (ключ «${id}» указан дважды)`);
    out.push({ id, key });
  }
  if (out.length === 0) throw new Error("хотя бы один ключ «имя:ключ»");
  return out;
}

/** 32 bytes written in base64 (or 64 hex digits). */
export function decodeKey(raw: string): Buffer {
  const s = raw.trim();
  if (/^[0-9a-f]{64}$/i.test(s)) return Buffer.from(s, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(s)) return Buffer.from(s, "base64");
  throw new Error("ключ из 32 байт в base64 (openssl rand -base64 32)");
}

export function makeKeyring(dataKeys: DataKey[] | undefined, indexKey: Buffer | undefined): Keyring {
  const dev = developmentKey();
  const configured = dataKeys?.length ? dataKeys : [dev];
  const keys = new Map(configured.map((k) => [k.id, k]));
  // Values written before keys were configured stay readable, so that `keys rotate` can move them.
  if (!keys.has(DEV_KEY_ID)) keys.set(DEV_KEY_ID, dev);
  const index = indexKey ?? developmentIndexKey();
  return {
    current: configured[0]!,
    keys,
    indexKey: index,
    trackingKey: trackingKeyFrom(index),
    development: !dataKeys?.length,
    indexDevelopment: !indexKey,
  };
}

/** The settings whose published development value is in use, by the name of their variable. */
export function developmentKeyVariables(ring: Pick<Keyring, "development" | "indexDevelopment">): string[] {
  return [...(ring.development ? ["OTKLIK_DATA_KEYS"] : []), ...(ring.indexDevelopment ? ["OTKLIK_INDEX_KEY"] : [])];
}

/**
 * A tracking token that must come out the same for a retried submission is keyed by a secret of the environment,
 * never by anything stored in the database (a copy of it would open every such request). Its own HKDF label keeps it
 * apart from the blind index made with the same key.
 */
export function trackingKeyFrom(indexKey: Buffer): Buffer {
  return derive(indexKey, "otklik tracking token");
}

const unsubscribeKeys = new WeakMap<Buffer, Buffer>();

/** Key of the signed unsubscribe links in applicants' letters: HKDF of the index key, a label of its own. */
export function unsubscribeKeyFrom(indexKey: Buffer): Buffer {
  // Derived once per index key: every letter signs a link with it.
  const known = unsubscribeKeys.get(indexKey);
  if (known) return known;
  const key = derive(indexKey, "otklik unsubscribe link");
  unsubscribeKeys.set(indexKey, key);
  return key;
}

/** The tracking token of a submission with an Idempotency-Key: the same key and content give the same token. */
export function derivedTrackingToken(trackingKey: Buffer, idempotencyKey: string, fingerprint: string): string {
  return createHmac("sha256", trackingKey).update(`${idempotencyKey}\n${fingerprint}`).digest("base64url");
}

/** A short public fingerprint of a key (to tell which index key built the stored index). */
export function fingerprint(key: Buffer): string {
  return createHash("sha256").update("otklik key fingerprint\0").update(key).digest("hex").slice(0, 16);
}

/** `v1:<keyId>:<iv>:<tag>:<data>`; `context` (the table and column) is bound in as associated data. */
export function encryptValue(ring: Keyring, plain: string, context: string): string {
  const iv = freshIv(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [PREFIX, ring.current.id, iv.toString("base64"), tag.toString("base64"), data.toString("base64")].join(":");
}

/** Whether a stored value is ciphertext of this format (anything else is plaintext left from before). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(`${PREFIX}:`) && stored.split(":").length === 5;
}

export function keyIdOf(stored: string): string | null {
  return isEncrypted(stored) ? stored.split(":")[1]! : null;
}

export function decryptValue(ring: Keyring, stored: string, context: string): string {
  // Plaintext written before encryption was introduced reads as it is until `keys rotate` (run at start) seals it.
  if (!isEncrypted(stored)) return stored;
  const [, keyId, iv, tag, data] = stored.split(":") as [string, string, string, string, string];
  const key = ring.keys.get(keyId);
  if (!key) {
    throw new DataKeyError(
      "data_key_missing",
      `Данные зашифрованы ключом «${keyId}», которого нет в OTKLIK_DATA_KEYS: добавьте его в конец списка.`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new DataKeyError(
      "data_ciphertext_invalid",
      `Зашифрованное значение не прошло проверку ключом «${keyId}»: оно повреждено или ключ под этим именем другой.`,
    );
  }
}

/** Binary values (raw letters): «OTK1», the key id's length and the key id, nonce, tag, then the ciphertext. */
export const BYTES_MAGIC = Buffer.from("OTK1");

export function encryptBytes(ring: Keyring, plain: Buffer, context: string): Buffer {
  const iv = freshIv(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv);
  cipher.setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const id = Buffer.from(ring.current.id);
  return Buffer.concat([BYTES_MAGIC, Buffer.from([id.length]), id, iv, cipher.getAuthTag(), data]);
}

export function bytesKeyIdOf(stored: Buffer): string | null {
  if (stored.length < 5 || !stored.subarray(0, 4).equals(BYTES_MAGIC)) return null;
  return stored.subarray(5, 5 + stored[4]!).toString();
}

export function decryptBytes(ring: Keyring, stored: Buffer, context: string): Buffer {
  const keyId = bytesKeyIdOf(stored);
  // A letter stored before encryption reads as it is until `keys rotate` (run at start) seals it.
  if (keyId === null) return stored;
  const key = ring.keys.get(keyId);
  if (!key) {
    throw new DataKeyError(
      "data_key_missing",
      `Данные зашифрованы ключом «${keyId}», которого нет в OTKLIK_DATA_KEYS: добавьте его в конец списка.`,
    );
  }
  const at = 5 + stored[4]!;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, stored.subarray(at, at + 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(stored.subarray(at + 12, at + 28));
    return Buffer.concat([decipher.update(stored.subarray(at + 28)), decipher.final()]);
  } catch {
    throw new DataKeyError(
      "data_ciphertext_invalid",
      `Зашифрованное значение не прошло проверку ключом «${keyId}»: оно повреждено или ключ под этим именем другой.`,
    );
  }
}

export type IndexKind = "email" | "phone" | "identifier" | "name";

/** The form a value is compared in: e-mail lower-cased, phone and identifiers (СНИЛС, ИНН) without separators. */
export function normalizeForIndex(kind: IndexKind, value: string): string {
  const s = value.trim();
  if (kind === "email") return s.toLowerCase();
  if (kind === "phone") return s.replace(/[^\d+]/g, "");
  if (kind === "name") return nameWords(s).join(" ");
  return s.replace(/[\s\-–.]/g, "").toUpperCase();
}

/** The words of a person's name as they are compared: lower case, «ё» read as «е», each word once. */
export function nameWords(value: string): string[] {
  const words = value
    .normalize("NFC")
    .toLowerCase()
    .replaceAll("ё", "е")
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)];
}

/** The keyed hash of one normalised word or value. */
function keyedHash(indexKey: Buffer, kind: IndexKind, normalized: string): string {
  return createHmac("sha256", indexKey).update(`${kind}\0${normalized}`).digest("base64url");
}

/**
 * Keyed hash of the normalised value: equal values give equal indexes, nothing can be read back from it. A name is
 * indexed word by word (the hashes of its words, sorted, separated by spaces), so that a search by the surname alone
 * or by the first name and surname in any order finds it.
 */
export function blindIndexWith(indexKey: Buffer, kind: IndexKind, value: string): string {
  if (kind === "name") {
    return nameWords(value)
      .map((w) => keyedHash(indexKey, kind, w))
      .sort()
      .join(" ");
  }
  return keyedHash(indexKey, kind, normalizeForIndex(kind, value));
}

/** A fresh random key in the form OTKLIK_DATA_KEYS and OTKLIK_INDEX_KEY take. */
export function newKey(): string {
  return randomBytes(32).toString("base64");
}
