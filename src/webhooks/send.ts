// One attempt at one delivery: sign the body, connect to the address that was checked, post, read at most 64 KB of
// the answer, give up after 5 seconds. Redirects are answers like any other (a 3xx is a failed attempt), never
// followed: a receiver must not be able to send Otklik somewhere its URL check would have refused.
import { createHmac } from "node:crypto";
import type { LookupFunction } from "node:net";
import { Agent, request } from "undici";
import { type AddressPolicy, AddressRefused, resolveChecked } from "./address.ts";

export const TIMEOUT_MS = 5000;
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of the answer the delivery log keeps. */
export const EXCERPT_CHARS = 300;

export type Attempt = {
  ok: boolean;
  status: number | null;
  durationMs: number;
  /** A stable code when there was no answer (or a refused address); null when the receiver answered. */
  error: string | null;
  excerpt: string | null;
};

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export async function attempt(
  target: { url: string; secret: string },
  delivery: { deliveryId: string; type: string; body: string },
  policy: AddressPolicy,
  timeoutMs = TIMEOUT_MS,
): Promise<Attempt> {
  const started = performance.now();
  const took = () => Math.round(performance.now() - started);
  const url = new URL(target.url);
  // One deadline for the whole attempt, the name's look-up included.
  const signal = AbortSignal.timeout(timeoutMs);
  let resolved: Awaited<ReturnType<typeof resolveChecked>>;
  try {
    resolved = await Promise.race([resolveChecked(url, policy), expiry(signal)]);
  } catch (e) {
    const code = e instanceof AddressRefused ? e.code : signal.aborted ? "timeout" : "host_unresolved";
    return { ok: false, status: null, durationMs: took(), error: code, excerpt: null };
  }
  // The connection goes to the addresses checked above whatever the host name resolves to by now (all of them when
  // the socket tries several, IPv6 and IPv4, in turn).
  const fixed: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, resolved);
    else callback(null, resolved[0]!.address, resolved[0]!.family);
  };
  const agent = new Agent({
    connect: { lookup: fixed, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    pipelining: 0,
  });
  try {
    const res = await request(url, {
      method: "POST",
      dispatcher: agent,
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": "Otklik-Webhooks/1",
        "x-otklik-event": delivery.type,
        "x-otklik-delivery": delivery.deliveryId,
        "x-otklik-signature": signature(target.secret, delivery.body),
      },
      body: delivery.body,
    });
    const excerpt = await readSome(res.body, signal);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { ok, status: res.statusCode, durationMs: took(), error: null, excerpt };
  } catch (e) {
    return { ok: false, status: null, durationMs: took(), error: failureOf(e, signal), excerpt: null };
  } finally {
    void agent.destroy().catch(() => undefined);
  }
}

/** Rejects when the deadline passes. */
function expiry(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

/** Reads up to 64 KB of the answer and drops the rest; answers the start of it as text for the log. */
async function readSome(body: AsyncIterable<Buffer> & { destroy(): unknown }, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      if (signal.aborted) break;
      const room = MAX_RESPONSE_BYTES - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= MAX_RESPONSE_BYTES) break;
    }
  } catch {
    // An answer cut off mid-body still has its status; what was read is enough for the log.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\uFFFD+$/, "")
    .slice(0, EXCERPT_CHARS);
}

function failureOf(e: unknown, signal: AbortSignal): string {
  if (signal.aborted) return "timeout";
  const code = (e as { code?: unknown }).code;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return "timeout";
  }
  if (code === "ECONNREFUSED") return "connection_refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection_reset";
  if (typeof code === "string" && (code.startsWith("ERR_TLS") || code.includes("CERT"))) return "tls_failed";
  return "connect_failed";
}
