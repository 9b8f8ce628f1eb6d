// One raw letter in, one InboundMessage out. Never throws on bad input: whatever cannot be read is
// reported in `flags` (stable codes, safe to log: they carry no personal data), and the raw letter
// itself stays with the caller, who stored it before parsing.
import { createHash } from "node:crypto";
import { type ParsedMail, simpleParser } from "mailparser";
import { classifyAttachment, type InboundAttachment, safeFilename, sniffContentType } from "./attachments.ts";
import { isAutoReply, suppressesAutoResponse } from "./autoreply.ts";
import { bodyText, clean } from "./body.ts";
import { decodeRawHeaders, decodeUndeclared8bit } from "./charset.ts";
import {
  addresses,
  authenticationFailed,
  firstAddress,
  headerBag,
  parseHeadersOnly,
  references,
  returnedMessageId,
} from "./headers.ts";
import { splitReply } from "./quote.ts";
import { type CategoryCode, categoryFromSubject, findRequestNumber } from "./subject.ts";

export type InboundMessage = {
  channel: "email";
  messageId: string;
  inReplyTo?: string;
  references: string[];
  from: { name?: string; address: string };
  /** Where the sender asks answers to go, when not to the From address. */
  replyTo?: string;
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
  | "auto_response_suppressed"
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
    // Beyond mailparser's limits: keep who, what and which thread from the headers; the body is shown raw.
    flags.add("mime_unparseable");
    parsed = await parseHeadersOnly(raw);
  }

  const headers = headerBag(parsed);
  const replyTo = addresses(parsed?.replyTo)[0];
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

  const body = bodyText(parsed, raw);
  if (body.flag) flags.add(body.flag);
  const maxText = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
  const split = splitReply(body.text);
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
  if (suppressesAutoResponse(headers)) flags.add("auto_response_suppressed");
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
    ...(replyTo && replyTo !== from.address ? { replyTo } : {}),
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
      // Apple Mail sends real attachments with «Content-Disposition: inline»; only pictures the HTML
      // refers to by Content-ID are part of the body.
      inline:
        Boolean(a.related) || (a.contentDisposition === "inline" && Boolean(a.cid) && contentType.startsWith("image/")),
      ...(a.cid ? { contentId: a.cid } : {}),
      ...(flagged ? { flagged } : {}),
      downloadable: flagged !== "executable",
    });
  }
  return kept;
}
