// Signatures that anchor the audit chain outside its table: checkpoints of the head, written to the server's log, and
// the records of retention purges inside the chain. Whoever can write the database can rebuild an unkeyed hash chain;
// without the key, which comes from the environment and never from the database, they cannot sign. No I/O here.
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { developmentIndexKey, fingerprint } from "../security/keys.ts";
import { keyring } from "../security/sealed.ts";

export type AuditKey = {
  key: Buffer;
  /** Public fingerprint, carried by every signature, to tell «another key» from «forged». */
  id: string;
  /** Derived from the published development index key: signatures under it prove nothing. */
  development: boolean;
};

/** Derived from OTKLIK_INDEX_KEY with a label of its own, so it never equals the blind-index key. */
export function auditKey(indexKey: Buffer = keyring().indexKey): AuditKey {
  const key = Buffer.from(hkdfSync("sha256", indexKey, Buffer.alloc(0), "otklik audit anchor v1", 32));
  return { key, id: fingerprint(key), development: indexKey.equals(developmentIndexKey()) };
}

function mac(k: AuditKey, purpose: "checkpoint" | "purge", text: string): Buffer {
  return createHmac("sha256", k.key).update(`${purpose}\0${text}`).digest();
}

function holds(k: AuditKey, purpose: "checkpoint" | "purge", text: string, signature: string): boolean {
  const expected = mac(k, purpose, text);
  const given = Buffer.from(signature, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type Checkpoint = {
  /** The newest entry, or null when the log was empty. */
  id: number | null;
  hash: string | null;
  /** Entries written since the log began, purged ones included. */
  count: number;
  /** When it was taken (ISO 8601). */
  at: string;
  /** Fingerprint of the key that signed it. */
  key: string;
};

export const CHECKPOINT_PREFIX = "otklik-audit-checkpoint.v1";
const TOKEN = /otklik-audit-checkpoint\.v1\.([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{1,100})/g;

/** `otklik-audit-checkpoint.v1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`: one word, safe in any log line. */
export function signCheckpoint(k: AuditKey, facts: Omit<Checkpoint, "key">): string {
  const claims: Checkpoint = { id: facts.id, hash: facts.hash, count: facts.count, at: facts.at, key: k.id };
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${CHECKPOINT_PREFIX}.${payload}.${mac(k, "checkpoint", payload).toString("base64url")}`;
}

/** Every checkpoint token in a text (a log line, a whole log, a pasted checkpoint), each once. */
export function findCheckpoints(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[0]))];
}

export type Rejection = { rejected: "forged" | "other_key"; key?: string };
export type OpenedCheckpoint = { token: string } & ({ checkpoint: Checkpoint } | Rejection);

function isCheckpoint(c: unknown): c is Checkpoint {
  if (!c || typeof c !== "object") return false;
  const o = c as Record<string, unknown>;
  return (
    (o.id === null || (Number.isSafeInteger(o.id) && (o.id as number) > 0)) &&
    (o.hash === null || (typeof o.hash === "string" && /^[0-9a-f]{64}$/.test(o.hash))) &&
    Number.isSafeInteger(o.count) &&
    (o.count as number) >= 0 &&
    typeof o.at === "string" &&
    !Number.isNaN(Date.parse(o.at)) &&
    typeof o.key === "string"
  );
}

export function openCheckpoint(k: AuditKey, token: string): OpenedCheckpoint {
  const [m] = [...token.matchAll(TOKEN)];
  if (!m || m[0] !== token) return { token, rejected: "forged" };
  const [, payload, signature] = m as unknown as [string, string, string];
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { token, rejected: "forged" };
  }
  if (!isCheckpoint(claims)) return { token, rejected: "forged" };
  if (holds(k, "checkpoint", payload, signature)) return { token, checkpoint: claims };
  if (claims.key !== k.id) return { token, rejected: "other_key", key: claims.key.slice(0, 64) };
  return { token, rejected: "forged" };
}

/** What a retention purge removed: every entry up to `throughId`, whose hash became the anchor. */
export type PurgeFacts = {
  throughId: number;
  anchor: string;
  removed: number;
  /** Entries removed by every purge so far, this one included. */
  purgedTotal: number;
};

const canonicalPurge = (f: PurgeFacts) => JSON.stringify([f.throughId, f.anchor, f.removed, f.purgedTotal]);

/** The `details` of the purge's own entry in the chain. */
export function signPurge(k: AuditKey, f: PurgeFacts): PurgeFacts & { key: string; mac: string } {
  return { ...f, key: k.id, mac: mac(k, "purge", canonicalPurge(f)).toString("base64url") };
}

export function openPurge(k: AuditKey, details: Record<string, unknown>): { facts: PurgeFacts } & Partial<Rejection> {
  const d = details;
  const facts = {
    throughId: d.throughId,
    anchor: d.anchor,
    removed: d.removed,
    purgedTotal: d.purgedTotal,
  } as PurgeFacts;
  const wellFormed =
    Number.isSafeInteger(facts.throughId) &&
    typeof facts.anchor === "string" &&
    Number.isSafeInteger(facts.removed) &&
    Number.isSafeInteger(facts.purgedTotal) &&
    typeof d.mac === "string";
  if (!wellFormed) return { facts, rejected: "forged" };
  if (holds(k, "purge", canonicalPurge(facts), d.mac as string)) return { facts };
  if (typeof d.key === "string" && d.key !== k.id) return { facts, rejected: "other_key", key: d.key.slice(0, 64) };
  return { facts, rejected: "forged" };
}
