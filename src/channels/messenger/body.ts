// A file a messenger hands over, fetched only from the messenger's own hosts (redirects followed one at a time and
// checked the same way), read as it arrives and refused as soon as it passes the size limit (by its declared length,
// or by what came), so that a large file never sits whole in memory.
import { MessengerError } from "./port.ts";

export async function readBounded(res: Response, maxBytes: number): Promise<Buffer> {
  if (!res.ok || !res.body) throw new MessengerError(`file_${res.status}`, res.status >= 500);
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body.cancel();
    throw new MessengerError("file_too_large", false);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    if (size > maxBytes) throw new MessengerError("file_too_large", false);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * The hosts a messenger serves files from: its API's own host (any scheme, so a stand-in on loopback works) and its
 * file hosts over https only (`.vk.com` allows `vk.com` and every host under it).
 */
export function messengerFileHosts(apiBase: string, fileHosts: readonly string[]): (u: URL) => boolean {
  const apiHost = new URL(apiBase).host;
  return (u) =>
    (u.host === apiHost && (u.protocol === "https:" || u.protocol === "http:")) ||
    (u.protocol === "https:" && fileHosts.some((h) => u.hostname.endsWith(h) || `.${u.hostname}` === h));
}

/** A file by its address, from allowed hosts only, at most three redirects, within `maxBytes`. */
export async function fetchMessengerFile(
  address: string,
  maxBytes: number,
  allowed: (u: URL) => boolean,
): Promise<Buffer> {
  for (let hop = 0; ; hop++) {
    let u: URL;
    try {
      u = new URL(address);
    } catch {
      throw new MessengerError("file_unavailable", false);
    }
    if (!allowed(u) || hop > 3) throw new MessengerError("file_unavailable", false);
    let res: Response;
    try {
      res = await fetch(u, { redirect: "manual", signal: AbortSignal.timeout(60_000) });
    } catch {
      throw new MessengerError("network", true);
    }
    const next = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && next) {
      await res.body?.cancel();
      address = new URL(next, u).toString();
      continue;
    }
    return readBounded(res, maxBytes);
  }
}
