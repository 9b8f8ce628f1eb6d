// What we keep of each attachment, and what we warn about. The declared type and name are the sender's
// claims; the type we pass on is sniffed from the bytes. Archives are never unpacked (zip bombs cost
// nothing to send), executables are kept as evidence but marked not downloadable.
import { fileTypeFromBuffer } from "file-type";
import { cleanFilename } from "../../requests/files.ts";

export type AttachmentFlag = "executable" | "archive" | "type_mismatch";

export type InboundAttachment = {
  filename: string;
  /** Sniffed from the content, not taken from the name or the declared header. */
  contentType: string;
  declaredContentType: string;
  size: number;
  content: Buffer;
  /** Part of the HTML body (a logo, a pasted screenshot) rather than a file the sender attached. */
  inline: boolean;
  contentId?: string;
  /** Why an operator should be careful with this file; absent when nothing is known against it. */
  flagged?: AttachmentFlag;
  /** False for executables: the registry keeps them but must not serve them to anyone. */
  downloadable: boolean;
};

const EXECUTABLE_TYPES = new Set([
  "application/x-msdownload",
  "application/x-dosexec",
  "application/x-elf",
  "application/x-mach-binary",
  "application/x-executable",
  "application/x-sharedlib",
  "application/vnd.microsoft.portable-executable",
  "application/x-msi",
  "application/java-archive",
  "application/vnd.android.package-archive",
  "application/x-apple-diskimage",
  "application/wasm",
]);
const EXECUTABLE_EXTENSIONS = new Set([
  "exe",
  "com",
  "scr",
  "pif",
  "bat",
  "cmd",
  "msi",
  "msp",
  "dll",
  "cpl",
  "jar",
  "js",
  "jse",
  "vbs",
  "vbe",
  "wsf",
  "wsh",
  "hta",
  "ps1",
  "psm1",
  "lnk",
  "reg",
  "sh",
  "apk",
  "app",
  "dmg",
  "iso",
  "img",
  "elf",
  "run",
  "bin",
]);
const ARCHIVE_TYPES = new Set([
  "application/zip",
  "application/x-rar-compressed",
  "application/vnd.rar",
  "application/x-7z-compressed",
  "application/gzip",
  "application/x-gzip",
  "application/x-bzip2",
  "application/x-xz",
  "application/x-tar",
  "application/zstd",
  "application/x-lzip",
  "application/x-compress",
  "application/vnd.ms-cab-compressed",
  "application/x-cpio",
  "application/x-arj",
  "application/x-lzh-compressed",
  "application/x-ace-compressed",
]);
const ARCHIVE_EXTENSIONS = new Set(["zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "zst", "cab", "arj", "lzh"]);

// file-type reads a few headers only; a cap keeps even its container probing cheap.
const SNIFF_BYTES = 4 * 1024 * 1024;

export async function sniffContentType(content: Buffer): Promise<string> {
  const found = await fileTypeFromBuffer(content.subarray(0, SNIFF_BYTES)).catch(() => undefined);
  if (found) return found.mime;
  return looksLikeText(content) ? "text/plain" : "application/octet-stream";
}

function looksLikeText(content: Buffer): boolean {
  const head = content.subarray(0, 8192);
  if (head.length === 0) return true;
  let control = 0;
  for (const byte of head) {
    if (byte === 0) return false;
    if (byte < 9 || (byte > 13 && byte < 32)) control++;
  }
  return control / head.length < 0.01;
}

function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf(".");
  return dot >= 0 ? filename.slice(dot + 1).toLowerCase() : "";
}

export function classifyAttachment(filename: string, sniffed: string, declared: string): AttachmentFlag | undefined {
  const ext = extensionOf(filename);
  if (EXECUTABLE_TYPES.has(sniffed) || EXECUTABLE_EXTENSIONS.has(ext)) return "executable";
  if (ARCHIVE_TYPES.has(sniffed) || ARCHIVE_EXTENSIONS.has(ext)) return "archive";
  // A «.pdf» that is really a JPEG is harmless; a «.pdf» that is nothing we know is worth a look.
  const declaredBase = declared.split(";")[0]?.trim().toLowerCase() ?? "";
  if (declaredBase === "application/pdf" && sniffed !== "application/pdf") return "type_mismatch";
  return undefined;
}

const KNOWN_EXTENSIONS: Record<string, string> = { "octet-stream": "bin", plain: "txt", jpeg: "jpg" };

/**
 * A file name safe to show and to use as a download name, as an upload's is (`cleanFilename`: no folder, no control
 * or invisible format characters, bounded with its extension kept); a letter's part without one is named by its place
 * and type.
 */
export function safeFilename(name: string | undefined, index: number, contentType: string): string {
  const cleaned = cleanFilename(name ?? "");
  if (cleaned) return cleaned;
  const subtype = contentType.split("/")[1] ?? "";
  const ext = KNOWN_EXTENSIONS[subtype] ?? (subtype.replace(/[^a-z0-9]/gi, "").slice(0, 8) || "bin");
  return `attachment-${index + 1}.${ext}`;
}
