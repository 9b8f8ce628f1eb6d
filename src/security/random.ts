// Random bytes from the operating system's generator (the same as crypto.randomBytes), drawn a few kilobytes at a
// time: each request needs a tracking token and an IV per encrypted contact, and asking the kernel for 12 or 32 bytes
// at a time cost more than the encryption itself. Every byte is handed out once; a refill takes fresh bytes.
import { randomBytes as systemRandomBytes } from "node:crypto";

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let at = 0;

/** `n` fresh random bytes, the caller's own copy. */
export function randomBytes(n: number): Buffer {
  if (n > POOL_BYTES / 8) return systemRandomBytes(n);
  if (at + n > pool.length) {
    pool = systemRandomBytes(POOL_BYTES);
    at = 0;
  }
  const out = Buffer.from(pool.subarray(at, at + n));
  // Handed out: not kept where a later reader of the pool could see it.
  pool.fill(0, at, at + n);
  at += n;
  return out;
}
