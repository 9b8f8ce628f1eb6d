// Reading headers: addresses, thread ids, authentication results and what a bounce returns.
import type { AddressObject, ParsedMail } from "mailparser";
import type { HeaderBag } from "./autoreply.ts";
import { clean, rawBody } from "./body.ts";

/** Raw header values by lower-case name, folded lines joined. */
export function headerBag(parsed: ParsedMail | undefined): HeaderBag {
  const bag: Record<string, string[]> = {};
  for (const { key, line } of parsed?.headerLines ?? []) {
    const colon = line.indexOf(":");
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    const name = key.toLowerCase();
    bag[name] = [...(bag[name] ?? []), value];
  }
  return bag;
}

export function firstAddress(field: AddressObject | AddressObject[] | undefined): {
  name?: string;
  address: string;
} {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const group of list) {
    for (const entry of group.value) {
      const address = clean(entry.address ?? "")
        .trim()
        .toLowerCase();
      if (!address) continue;
      const name = clean(entry.name ?? "").trim();
      return name ? { name, address } : { address };
    }
  }
  return { address: "" };
}

export function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((g) => g.value.flatMap((e) => (e.address ? [e.address.toLowerCase()] : [])));
}

export function references(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  // A long thread's References grows without end; the newest ids are the ones that find the request.
  return list
    .map((r) => clean(r).trim())
    .filter((r) => /^<[^<>\s]+>$/.test(r))
    .slice(-50);
}

// The organisation's MTA records SPF/DKIM/DMARC results in Authentication-Results (RFC 8601). Only
// failures are read: a forged «pass» is ignored, and a forged «fail» can only hurt its forger.
export function authenticationFailed(headers: HeaderBag): boolean {
  const results = ([] as string[])
    .concat(headers["authentication-results"] ?? [])
    .join(";")
    .toLowerCase();
  if (/\bdmarc=fail\b/.test(results)) return true;
  return /\bspf=fail\b/.test(results) && !/\bdkim=pass\b/.test(results);
}

// A delivery report returns the failed letter (message/rfc822) or its headers (text/rfc822-headers)
// after its own header block; the first Message-ID found there is the failed letter's.
export function returnedMessageId(raw: Buffer, headers: HeaderBag): string | undefined {
  const from = String(headers.from ?? "").toLowerCase();
  const isReport = /multipart\/report/i.test(String(headers["content-type"] ?? ""));
  if (!isReport && !/mailer-daemon|postmaster/.test(from)) return undefined;
  const body = rawBody(raw);
  return /^(?:message-id):[ \t]*(<[^<>\s]+>)/im.exec(body)?.[1];
}
