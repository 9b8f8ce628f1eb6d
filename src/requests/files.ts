// What an attachment is and what applicants may attach: the type read from the bytes, a file name safe to show and
// to send. Where the bytes are kept is src/files/store.ts.
import { fileTypeFromBuffer } from "file-type";

export type StoredFile = { id: string; filename: string; contentType: string; size: number; sha256: string };

/**
 * What applicants may attach: screenshots, scans and documents, recognised by their content; for each type, the
 * extensions a name of that type may end with (the first is given to a name that ends with none of them).
 */
const EXTENSIONS = new Map<string, string[]>([
  ["image/png", ["png"]],
  ["image/jpeg", ["jpg", "jpeg", "jpe", "jfif"]],
  ["image/gif", ["gif"]],
  ["image/webp", ["webp"]],
  ["image/heic", ["heic", "heif"]],
  ["application/pdf", ["pdf"]],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", ["docx"]],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ["xlsx"]],
  ["application/vnd.oasis.opendocument.text", ["odt"]],
  ["application/msword", ["doc"]],
  // The old binary Office formats share one container.
  ["application/x-cfb", ["doc", "xls", "ppt"]],
  ["application/rtf", ["rtf"]],
  ["text/plain", ["txt", "text", "log", "csv"]],
]);

/** Reads the type from the bytes; plain UTF-8 text without control bytes is accepted as text/plain. */
export async function sniffType(content: Buffer): Promise<string | null> {
  const detected = await fileTypeFromBuffer(content);
  if (detected) return EXTENSIONS.has(detected.mime) ? detected.mime : null;
  const text = content.toString("utf8");
  if (!text.includes("\uFFFD") && !/[\u0000-\u0008\u000E-\u001F]/.test(text)) return "text/plain";
  return null;
}

/** The longest file name kept, in characters; a longer one loses the end of its stem, not its extension. */
const MAX_NAME = 200;
/** An extension this long or shorter is kept when a name is shortened. */
const MAX_EXTENSION = 16;

/**
 * A file name cleaned of what must not be shown or offered for download: any folder, control characters (replaced),
 * invisible format characters (removed: the bidirectional overrides and isolates that make «invoice\u202Efdp.js» read as
 * «invoicesj.pdf», zero-width spaces and joiners, the byte-order mark), characters file systems refuse, leading dots.
 * Answers "" when nothing is left.
 */
export function cleanFilename(name: string): string {
  const base = name.replace(/\\/g, "/").split("/").pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/\p{Cf}/gu, "")
    .replace(/[\p{Cc}<>:"|?*]/gu, "_")
    .replace(/^\.+/, "")
    .trim();
  const chars = Array.from(cleaned);
  if (chars.length <= MAX_NAME) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= MAX_EXTENSION + 1 ? cleaned.slice(dot) : "";
  const stem = Array.from(extension ? cleaned.slice(0, dot) : cleaned);
  return stem.slice(0, MAX_NAME - Array.from(extension).length).join("") + extension;
}

/**
 * Keeps a file name safe to show and to offer for download (`cleanFilename`). Given the type read from the bytes, the
 * name also ends with an extension of that type: «счёт.pdf» that is really a script is saved as «счёт.pdf.txt», so
 * the applicant's or the operator's computer opens it as what it is.
 */
export function safeFilename(name: string, contentType?: string): string {
  const cleaned = cleanFilename(name) || "file";
  const extensions = contentType ? EXTENSIONS.get(contentType) : undefined;
  if (!extensions) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 ? cleaned.slice(dot + 1).toLowerCase() : "";
  if (extensions.includes(extension)) return cleaned;
  const added = `.${extensions[0]}`;
  const chars = Array.from(cleaned);
  return chars.slice(0, MAX_NAME - added.length).join("") + added;
}
