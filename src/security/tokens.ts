import { createHash } from "node:crypto";
import { randomBytes } from "./random.ts";

/** A random secret of `bytes` bytes, URL-safe. Tracking tokens, session ids and API tokens use it. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Secrets are stored only as their SHA-256: a copy of the database does not open anything. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
