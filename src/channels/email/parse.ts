// One raw letter in, one InboundMessage out. Never throws on bad input: whatever cannot be read is
// reported in `flags` (stable codes, safe to log: they carry no personal data), and the raw letter
// itself stays with the caller, who stored it before parsing.
import { createHash } from "node:crypto";
import { compile } from "html-to-text";
import { type AddressObject, type ParsedMail, simpleParser } from "mailparser";
import { classifyAttachment, type InboundAttachment, safeFilename, sniffContentType } from "./attachments.ts";
import { type HeaderBag, isAutoReply } from "./autoreply.ts";
import { decodeRawHeaders, decodeUndeclared8bit } from "./charset.ts";
import { splitReply } from "./quote.ts";
import { type CategoryCode, categoryFromSubject, findRequestNumber } from "./subject.ts";

export type InboundMessage = {
  channel: "email";
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from: { name?: string; address: string };
  to: string[];
  cc: string[];
  subject: string;
  /** The new text only: quoted history and signature removed. Plain text; HTML is never passed on. */
  text: string;
  quoted?: string;
  signature?: string;
  attachments: InboundAttachment[];
  categoryFromSubject?: CategoryCode;
  requestNumberFromSubject?: string;
  autoReply: boolean;
  autoReplyReason?: string;
  /** For a delivery report: the Message-ID of the letter that could not be delivered. */
  bounceOf?: string;
  sentAt?: Date;
  receivedAt: Date;
  rawSize: number;
  /** What went wrong or needs care, as stable codes (see MessageFlag). */
  flags: MessageFlag[];
};

export type MessageFlag =
  | "mime_unparseable"
  | "missing_from"
  | "from_from_envelope"
  | "missing_message_id"
  | "nul_bytes_removed"
  | "raw_8bit_headers"
  | "charset_guessed"
  | "html_only"
  | "empty_body"
  | "text_truncated"
  | "attachments_capped"
  | "attachment_executable"
  | "attachment_archive"
  | "attachment_type_mismatch"
  | "auto_reply"
  | "encrypted"
  | "sender_unverified";

export type ParseOptions = {
  /** Our support addresses: a letter from them is our own echo (a loop). */
  ownAddresses?: string[];
  /** The registry's check-digit validator; without it any marked 6–12 digit number is taken. */
  isValidNumber?: (number: string) => boolean;
  receivedAt?: Date;
  /** MAIL FROM of the SMTP envelope, used when the letter has no From header. */
  envelopeFrom?: string;
  maxAttachments?: number;
  maxTextLength?: number;
};

export const DEFAULT_MAX_ATTACHMENTS = 50;
export const DEFAULT_MAX_TEXT_LENGTH = 100_000;

export async function parseMessage(input: Buffer, options: ParseOptions = {}): Promise<InboundMessage> {
  const flags = new Set<MessageFlag>();
  const rawSize = input.length;
  let raw = input;
  if (raw.includes(0)) {
    raw = Buffer.from(raw.filter((b) => b !== 0));
    flags.add("nul_bytes_removed");
  }
  const undeclared = decodeUndeclared8bit(raw);
  if (undeclared !== raw) {
    raw = undeclared;
    flags.add("charset_guessed");
  }
  const fixed = decodeRawHeaders(raw);
  if (fixed !== raw) {
    raw = fixed;
    flags.add("raw_8bit_headers");
  }

  let parsed: ParsedMail | undefined;
  try {
    parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch {
    flags.add("mime_unparseable");
  }

  const headers = headerBag(parsed);
  // S/MIME or PGP encryption: we hold no keys, so the operator sees that the text is unreadable and why.
  if (/^\s*(?:application\/(?:x-)?pkcs7-mime|multipart\/encrypted)/i.test(headers["content-type"]?.[0] ?? "")) {
    flags.add("encrypted");
  }
  const from = firstAddress(parsed?.from);
  if (!from.address) {
    const envelope = (options.envelopeFrom ?? "").trim().toLowerCase();
    if (envelope) {
      from.address = envelope;
      flags.add("from_from_envelope");
    } else flags.add("missing_from");
  }

  let messageId = clean(parsed?.messageId ?? "").trim();
  if (!messageId) {
    // Derived from the bytes, so the same letter delivered twice gets the same id and is deduplicated.
    messageId = `<${createHash("sha256").update(input).digest("hex").slice(0, 32)}@missing-message-id.invalid>`;
    flags.add("missing_message_id");
  }

  const body = bodyText(parsed, raw, flags);
  const maxText = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const split = splitReply(body);
  let text = split.text;
  if (text.length > maxText) {
    text = text.slice(0, maxText);
    flags.add("text_truncated");
  }
  if (!text && !split.quoted) flags.add("empty_body");

  const attachments = await keepAttachments(parsed, options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS, flags);
  const subject = clean(parsed?.subject ?? "")
    .replace(/\s+/g, " ")
    .trim();
  const verdict = isAutoReply(headers, options.ownAddresses);
  if (verdict.auto) flags.add("auto_reply");
  if (authenticationFailed(headers)) flags.add("sender_unverified");
  const bounceOf = verdict.auto ? returnedMessageId(raw, headers) : undefined;
  const requestNumber = findRequestNumber(subject, options.isValidNumber ?? (() => true));
  const category = categoryFromSubject(subject);
  const inReplyTo = clean(parsed?.inReplyTo ?? "")
    .trim()
    .split(/\s+/)[0];
  // mailparser substitutes «now» for an unreadable Date header; we would rather say nothing.
  const dateHeader = headers.date?.[0];
  const sentAt = dateHeader && !Number.isNaN(Date.parse(dateHeader)) ? new Date(Date.parse(dateHeader)) : undefined;

  return {
    channel: "email",
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    references: references(parsed?.references),
    from,
    to: addresses(parsed?.to),
    cc: addresses(parsed?.cc),
    subject,
    text,
    ...(split.quoted ? { quoted: split.quoted } : {}),
    ...(split.signature ? { signature: split.signature } : {}),
    attachments,
    ...(category ? { categoryFromSubject: category } : {}),
    ...(requestNumber ? { requestNumberFromSubject: requestNumber } : {}),
    autoReply: verdict.auto,
    ...(verdict.reason ? { autoReplyReason: verdict.reason } : {}),
    ...(bounceOf ? { bounceOf } : {}),
    ...(sentAt ? { sentAt } : {}),
    receivedAt: options.receivedAt ?? new Date(),
    rawSize,
    flags: [...flags],
  };
}

function bodyText(parsed: ParsedMail | undefined, raw: Buffer, flags: Set<MessageFlag>): string {
  const nothingFound =
    !parsed ||
    (!parsed.text?.trim() && !(typeof parsed.html === "string" && parsed.html.trim()) && !parsed.attachments.length);
  if (nothingFound) {
    // Unreadable structure (no boundary, no headers at all): show the raw body as text, so an operator
    // still sees what was written instead of an empty request.
    const body = rawBody(raw).trim();
    if (body) flags.add("mime_unparseable");
    return body;
  }
  const plain = clean(parsed.text ?? "");
  if (plain.trim()) return plain;
  if (typeof parsed.html === "string" && parsed.html.trim()) {
    flags.add("html_only");
    return clean(readableHtml(parsed.html));
  }
  return plain;
}

// The organisation's MTA records SPF/DKIM/DMARC results in Authentication-Results (RFC 8601). Only
// failures are read: a forged «pass» is ignored, and a forged «fail» can only hurt its forger.
function authenticationFailed(headers: HeaderBag): boolean {
  const results = ([] as string[])
    .concat(headers["authentication-results"] ?? [])
    .join(";")
    .toLowerCase();
  if (/\bdmarc=fail\b/.test(results)) return true;
  return /\bspf=fail\b/.test(results) && !/\bdkim=pass\b/.test(results);
}

// A delivery report returns the failed letter (message/rfc822) or its headers (text/rfc822-headers)
// after its own header block; the first Message-ID found there is the failed letter's.
function returnedMessageId(raw: Buffer, headers: HeaderBag): string | undefined {
  const from = String(headers.from ?? "").toLowerCase();
  const isReport = /multipart\/report/i.test(String(headers["content-type"] ?? ""));
  if (!isReport && !/mailer-daemon|postmaster/.test(from)) return undefined;
  const body = rawBody(raw);
  return /^(?:message-id):[ \t]*(<[^<>\s]+>)/im.exec(body)?.[1];
}

function rawBody(raw: Buffer): string {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const at = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : 0;
  return clean(raw.subarray(at).toString("utf8")).slice(0, DEFAULT_MAX_TEXT_LENGTH);
}

// Compiled once: building the converter costs more than converting a typical letter.
const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: "img", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "head", format: "skip" },
    { selector: "a", options: { hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
});

export function readableHtml(html: string): string {
  return htmlToText(html);
}

async function keepAttachments(
  parsed: ParsedMail | undefined,
  max: number,
  flags: Set<MessageFlag>,
): Promise<InboundAttachment[]> {
  const all = parsed?.attachments ?? [];
  if (all.length > max) flags.add("attachments_capped");
  const kept: InboundAttachment[] = [];
  for (const [index, a] of all.slice(0, max).entries()) {
    const content = a.content;
    const contentType = await sniffContentType(content);
    const filename = safeFilename(a.filename, index, contentType);
    const flagged = classifyAttachment(filename, contentType, a.contentType ?? "");
    if (flagged) flags.add(`attachment_${flagged}`);
    kept.push({
      filename,
      contentType,
      declaredContentType: a.contentType ?? "application/octet-stream",
      size: content.length,
      content,
      inline: a.contentDisposition === "inline" || Boolean(a.related),
      ...(a.cid ? { contentId: a.cid } : {}),
      ...(flagged ? { flagged } : {}),
      downloadable: flagged !== "executable",
    });
  }
  return kept;
}

function headerBag(parsed: ParsedMail | undefined): HeaderBag {
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

function firstAddress(field: AddressObject | AddressObject[] | undefined): {
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

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((g) => g.value.flatMap((e) => (e.address ? [e.address.toLowerCase()] : [])));
}

function references(value: string | string[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? value.split(/\s+/) : [];
  // A long thread's References grows without end; the newest ids are the ones that find the request.
  return list
    .map((r) => clean(r).trim())
    .filter((r) => /^<[^<>\s]+>$/.test(r))
    .slice(-50);
}

// NUL and other control characters have no place in text an operator reads.
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
}
