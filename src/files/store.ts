// Where attachments live. By default in the database (`file_chunks`, both engines), so any number of processes on one
// PostgreSQL serve every file and a backup of the database carries them; `OTKLIK_FILES=disk` keeps them in the data
// folder as before (one process, or a shared mount). Both stores check an upload the same way (`checkUpload`) and
// stream a file out a piece at a time; `npx otklik files migrate` moves files from one to the other.
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { and, asc, eq, gte, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { type StoredFile, safeFilename, sniffType } from "../requests/files.ts";
import { fileChunks } from "./db-schema.ts";

export type FilesKind = "database" | "disk";

export interface FileStore {
  readonly kind: FilesKind;
  /** The largest upload accepted, bytes. */
  readonly maxBytes: number;
  /** Validates and stores one upload. Throws a clear error for a file too large, empty or of a refused type. */
  put(filename: string, content: Buffer): Promise<StoredFile>;
  /** The file's bytes as a stream read a piece at a time; 404 when there is no such file. */
  open(id: string): Promise<Readable>;
  remove(id: string): Promise<void>;
  /** Stores bytes already checked under an id of their own (moving files between stores); a second write is a no-op. */
  write(id: string, content: Buffer): Promise<void>;
  has(id: string): Promise<boolean>;
  /** Every stored file's id. */
  ids(): AsyncIterable<string>;
}

/** What is read from the database at a time: small enough to stream, large enough to keep statements few. */
export const CHUNK_BYTES = 256 * 1024;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkId(id: string) {
  if (!ID.test(id)) throw errors.notFound("file");
}

/** The checks every upload passes, whatever the store: size, emptiness, a type recognised from the bytes. */
export async function checkUpload(filename: string, content: Buffer, maxBytes: number): Promise<StoredFile> {
  const name = safeFilename(filename);
  if (content.length > maxBytes) {
    throw errors.tooLarge(`Файл «${name}» больше ${Math.floor(maxBytes / 1024 / 1024)} МБ.`);
  }
  if (content.length === 0) throw errors.badInput("empty_file", `Файл «${name}» пустой.`);
  const contentType = await sniffType(content);
  if (!contentType) {
    throw errors.unsupportedType(
      `Файл «${name}» не принят: можно прикладывать изображения (PNG, JPEG, GIF, WebP), PDF, документы Word, Excel, OpenDocument и текст.`,
    );
  }
  const sha256 = createHash("sha256").update(content).digest("hex");
  return { id: randomUUID(), filename: safeFilename(filename, contentType), contentType, size: content.length, sha256 };
}

/** Files in the data folder: written to a temporary file, synced and renamed, so nothing half-written has a real name. */
export class DiskFileStore implements FileStore {
  readonly kind = "disk" as const;

  constructor(
    private readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private pathOf(id: string) {
    checkId(id);
    return path.join(this.dir, id.slice(0, 2), id);
  }

  async put(filename: string, content: Buffer): Promise<StoredFile> {
    const file = await checkUpload(filename, content, this.maxBytes);
    await this.write(file.id, content);
    return file;
  }

  async write(id: string, content: Buffer) {
    const target = this.pathOf(id);
    const tmp = `${target}.part`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      const fh = await open(tmp, "w");
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
  }

  async has(id: string) {
    return stat(this.pathOf(id)).then(
      () => true,
      () => false,
    );
  }

  async open(id: string): Promise<Readable> {
    const file = this.pathOf(id);
    await stat(file).catch(() => {
      throw errors.notFound("file");
    });
    return createReadStream(file);
  }

  async remove(id: string) {
    await rm(this.pathOf(id), { force: true });
  }

  async *ids(): AsyncIterable<string> {
    const shards = await readdir(this.dir).catch(() => [] as string[]);
    for (const shard of shards) {
      for (const name of await readdir(path.join(this.dir, shard)).catch(() => [] as string[])) {
        if (ID.test(name)) yield name;
      }
    }
  }

  /** The bytes of one file (moving files between stores). */
  read(id: string): Promise<Buffer> {
    return readFile(this.pathOf(id));
  }
}

/**
 * Files in the database, in chunks. A file is written in one transaction (all its chunks or none); reading fetches one
 * chunk per query as the reader asks for more, so a large download holds one chunk in memory, not the file.
 */
export class DatabaseFileStore implements FileStore {
  readonly kind = "database" as const;

  constructor(
    private readonly db: Db,
    readonly maxBytes: number,
  ) {}

  async put(filename: string, content: Buffer): Promise<StoredFile> {
    const file = await checkUpload(filename, content, this.maxBytes);
    await this.write(file.id, content);
    return file;
  }

  async write(id: string, content: Buffer) {
    checkId(id);
    await this.db.transaction(async (tx) => {
      for (let seq = 0, at = 0; at < content.length; seq++, at += CHUNK_BYTES) {
        await tx
          .insert(fileChunks)
          .values({ fileId: id, seq, data: content.subarray(at, at + CHUNK_BYTES) })
          .onConflictDoNothing();
      }
    });
  }

  async has(id: string) {
    checkId(id);
    const [row] = await this.db
      .select({ seq: fileChunks.seq })
      .from(fileChunks)
      .where(and(eq(fileChunks.fileId, id), eq(fileChunks.seq, 0)));
    return Boolean(row);
  }

  async open(id: string): Promise<Readable> {
    if (!(await this.has(id))) throw errors.notFound("file");
    const db = this.db;
    let next = 0;
    return new Readable({
      // One chunk per read: the consumer's pace sets the pace of the queries.
      highWaterMark: 1,
      objectMode: false,
      read() {
        db.select({ seq: fileChunks.seq, data: fileChunks.data })
          .from(fileChunks)
          .where(and(eq(fileChunks.fileId, id), gte(fileChunks.seq, next)))
          .orderBy(asc(fileChunks.seq))
          .limit(1)
          .then(
            ([row]) => {
              if (!row) return this.push(null);
              next = row.seq + 1;
              this.push(row.data);
            },
            (e) => this.destroy(e as Error),
          );
      },
    });
  }

  async remove(id: string) {
    checkId(id);
    await this.db.delete(fileChunks).where(eq(fileChunks.fileId, id));
  }

  async *ids(): AsyncIterable<string> {
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const rows = await this.db
        .select({ id: fileChunks.fileId })
        .from(fileChunks)
        .where(and(eq(fileChunks.seq, 0), sql`${fileChunks.fileId} > ${after}::uuid`))
        .orderBy(asc(fileChunks.fileId))
        .limit(500);
      if (rows.length === 0) return;
      for (const r of rows) yield r.id;
      after = rows.at(-1)!.id;
    }
  }

  /** The bytes of one file (moving files between stores). */
  async read(id: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.open(id)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
}

export function openFileStore(kind: FilesKind, db: Db, dataDir: string, maxBytes: number): FileStore {
  return kind === "disk"
    ? new DiskFileStore(path.join(dataDir, "attachments"), maxBytes)
    : new DatabaseFileStore(db, maxBytes);
}

function isDiskError(e: unknown) {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOSPC" || code === "EDQUOT" || code === "EROFS" || code === "EACCES";
}
