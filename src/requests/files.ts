// Attachments on disk: content-addressed by a random id, written to a temporary file, synced and renamed,
// so a crash or a full disk never leaves a half-written file under a real name.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileTypeFromBuffer } from "file-type";
import { errors } from "../http/errors.ts";

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

export class FileStore {
  constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private pathOf(id: string) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw errors.notFound("Файл");
    return path.join(this.dir, id.slice(0, 2), id);
  }

  /** Validates and stores one upload. Throws a clear error for a file too large or of a refused type. */
  async put(filename: string, content: Buffer): Promise<StoredFile> {
    const name = safeFilename(filename);
    if (content.length > this.maxBytes) {
      throw errors.tooLarge(`Файл «${name}» больше ${Math.floor(this.maxBytes / 1024 / 1024)} МБ.`);
    }
    if (content.length === 0) throw errors.badInput("empty_file", `Файл «${name}» пустой.`);
    const contentType = await sniffType(content);
    if (!contentType) {
      throw errors.unsupportedType(
        `Файл «${name}» не принят: можно прикладывать изображения (PNG, JPEG, GIF, WebP), PDF, документы Word, Excel, OpenDocument и текст.`,
      );
    }
    const id = randomUUID();
    const target = this.pathOf(id);
    const tmp = `${target}.part`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      const fh = await open(tmp, "wx");
      try {
        await fh.writeFile(content);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      if (isDiskError(e)) throw errors.storage();
      throw e;
    }
    const sha256 = createHash("sha256").update(content).digest("hex");
    return { id, filename: name, contentType, size: content.length, sha256 };
  }

  async open(id: string) {
    const file = this.pathOf(id);
    await stat(file).catch(() => {
      throw errors.notFound("Файл");
    });
    return createReadStream(file);
  }

  async remove(id: string) {
    await rm(this.pathOf(id), { force: true });
  }
}

function isDiskError(e: unknown) {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "EROFS" || code === "EACCES";
}
