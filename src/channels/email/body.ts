// From a parsed letter to the plain text an operator reads. HTML is converted here and never leaves.
import { compile } from "html-to-text";
import type { ParsedMail } from "mailparser";

/** The letter's text as an operator should read it, and what had to be done to get it. */
export function bodyText(
  parsed: ParsedMail | undefined,
  raw: Buffer,
): { text: string; flag?: "html_only" | "mime_unparseable" } {
  const nothingFound =
    !parsed ||
    (!parsed.text?.trim() && !(typeof parsed.html === "string" && parsed.html.trim()) && !parsed.attachments.length);
  if (nothingFound) {
    // Unreadable structure (no boundary, no headers at all): show the raw body as text, so an operator
    // still sees what was written instead of an empty request.
    const text = rawBody(raw).trim();
    return text ? { text, flag: "mime_unparseable" } : { text };
  }
  const plain = clean(parsed.text ?? "");
  if (plain.trim()) return { text: plain };
  if (typeof parsed.html === "string" && parsed.html.trim()) {
    return { text: clean(readableHtml(parsed.html)), flag: "html_only" };
  }
  return { text: plain };
}

/** Everything after the first header block, as UTF-8 text (bounded). */
export function rawBody(raw: Buffer): string {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf < 0 && lf < 0) return clean(withoutHeaderLines(raw.toString("utf8"))).slice(0, 100_000);
  const at = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf + 2;
  return clean(raw.subarray(at).toString("utf8")).slice(0, 100_000);
}

// No blank line ends the header: the leading lines that read as header fields (and their folded continuations) are
// the header all the same — never the text, where a trace line would put an address into the request's subject.
function withoutHeaderLines(text: string): string {
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (/^[\x21-\x39\x3b-\x7e]+:/.test(lines[i]!) || (i > 0 && /^[ \t]/.test(lines[i]!)))) i++;
  return lines.slice(i).join("\n");
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

// NUL and other control characters have no place in text an operator reads.
export function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "");
}
