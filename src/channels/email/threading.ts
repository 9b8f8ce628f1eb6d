// Threading without a database look-up: our Message-IDs carry the request number, so a reply whose
// client dropped the «[№ …]» tag from the subject still finds its request through In-Reply-To/References.
import { randomUUID } from "node:crypto";

/** «<r12345674.7f3c…@support.example>» for a letter about a request, «<7f3c…@support.example>» otherwise. */
export function makeMessageId(domain: string, requestNumber?: string): string {
  if (!/^[a-z0-9.-]+$/i.test(domain)) throw new RangeError("domain must be a bare host name");
  const id = randomUUID().replace(/-/g, "");
  return requestNumber ? `<r${requestNumber}.${id}@${domain}>` : `<${id}@${domain}>`;
}

/** The request number from our own Message-IDs among In-Reply-To and References, newest first. */
export function requestNumberFromMessageIds(
  ids: string[],
  domain: string,
  isValidNumber: (n: string) => boolean = () => true,
): string | undefined {
  const suffix = `@${domain.toLowerCase()}>`;
  for (const id of [...ids].reverse()) {
    if (!id.toLowerCase().endsWith(suffix)) continue;
    const m = /^<r(\d{6,12})\.[0-9a-f]+@/i.exec(id);
    if (m?.[1] && isValidNumber(m[1])) return m[1];
  }
  return undefined;
}

/** In-Reply-To and References for our answer to `parent` (RFC 5322 §3.6.4). */
export function replyHeaders(parent: { messageId: string; references: string[] }): {
  inReplyTo: string;
  references: string[];
} {
  const references = [...parent.references.filter((r) => r !== parent.messageId), parent.messageId].slice(-20);
  return { inReplyTo: parent.messageId, references };
}
