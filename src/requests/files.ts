// What an attachment is and what applicants may attach: the type read from the bytes, a file name safe to show and
// to send. Where the bytes are kept is src/files/store.ts.
import { fileTypeFromBuffer } from "file-type";

export type StoredFile = { id: string; filename: string; contentType: string; size: number; sha256: string };

/** What applicants may attach: screenshots, scans and documents, recognised by their content. */
const ALLOWED = new Map<string, string>([
  ["image/png", "png"],
  ["image/jpeg", "jpg"],
  ["image/gif", "gif"],
  ["image/webp", "webp"],
  ["image/heic", "heic"],
  ["application/pdf", "pdf"],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"],
  ["application/vnd.oasis.opendocument.text", "odt"],
  ["application/msword", "doc"],
  ["application/x-cfb", "doc"],
  ["application/rtf", "rtf"],
]);

/** Reads the type from the bytes; plain UTF-8 text without control bytes is accepted as text/plain. */
export async function sniffType(content: Buffer): Promise<string | null> {
  const detected = await fileTypeFromBuffer(content);
  if (detected) return ALLOWED.has(detected.mime) ? detected.mime : null;
  const text = content.toString("utf8");
  if (!text.includes("\uFFFD") && !/[\u0000-\u0008\u000E-\u001F]/.test(text)) return "text/plain";
  return null;
}

/** Keeps a file name safe to show and to offer for download: no folders, no control characters. */
export function safeFilename(name: string): string {
  const base = name.replace(/\\/g, "/").split("/").pop() ?? "";
  const cleaned = base
    .normalize("NFC")
    .replace(/[\u0000-\u001F\u007F<>:"|?*]/g, "_")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 200);
  return cleaned || "file";
}
