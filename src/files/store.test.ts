// Both attachment stores keep the same promises: an upload is checked the same way, read back byte for byte, streamed
// a piece at a time, removed for good; an id that is not a file's answers 404 (never a path or an SQL error).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { CHUNK_BYTES, DatabaseFileStore, DiskFileStore, type FileStore } from "./store.ts";

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await createTestServer();
  dir = mkdtempSync(path.join(os.tmpdir(), "otklik-files-"));
});
afterAll(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PNG_HEAD = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");
/** A PNG of 2.5 chunks, every byte position distinct enough to catch a chunk out of order. */
const big = Buffer.concat([
  PNG_HEAD,
  Buffer.from(Array.from({ length: Math.floor(CHUNK_BYTES * 2.5) }, (_, i) => (i * 7 + (i >> 8)) & 0xff)),
]);

const stores: [string, () => FileStore][] = [
  ["database", () => new DatabaseFileStore(s.ctx.db, 10 * 1024 * 1024)],
  ["disk", () => new DiskFileStore(dir, 10 * 1024 * 1024)],
];

async function readAll(store: FileStore, id: string) {
  const pieces: Buffer[] = [];
  for await (const c of await store.open(id)) pieces.push(c as Buffer);
  return pieces;
}

describe.each(stores)("the %s store", (kind, make) => {
  it("stores an upload and gives back the same bytes, in pieces", async () => {
    const store = make();
    const file = await store.put("снимок экрана.png", big);
    expect(file).toMatchObject({ filename: "снимок экрана.png", contentType: "image/png", size: big.length });
    const pieces = await readAll(store, file.id);
    expect(Buffer.concat(pieces).equals(big)).toBe(true);
    // The database store reads one chunk per query: three chunks, never the whole file at once.
    if (kind === "database")
      expect(pieces.map((p) => p.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, big.length - 2 * CHUNK_BYTES]);
    expect(await store.has(file.id)).toBe(true);
    const listed: string[] = [];
    for await (const id of store.ids()) listed.push(id);
    expect(listed).toContain(file.id);
  });

  it("refuses what the web form refuses, with the same errors", async () => {
    const store = make();
    await expect(store.put("пусто.txt", Buffer.alloc(0))).rejects.toMatchObject({ code: "empty_file" });
    await expect(
      store.put("программа.exe", Buffer.from("4d5a90000300000004000000ffff0000", "hex")),
    ).rejects.toMatchObject({
      status: 415,
    });
    const small = kind === "database" ? new DatabaseFileStore(s.ctx.db, 1024) : new DiskFileStore(dir, 1024);
    await expect(small.put("большой.png", big)).rejects.toMatchObject({ status: 413 });
  });

  it("forgets a removed file, and answers 404 for ids that are not files", async () => {
    const store = make();
    const file = await store.put("заметка.txt", Buffer.from("Текст заявления"));
    await store.remove(file.id);
    expect(await store.has(file.id)).toBe(false);
    for (const id of [file.id, "../../etc/passwd", "00000000-0000-0000-0000-00000000000'"]) {
      await expect(store.open(id)).rejects.toMatchObject({ status: 404 });
    }
  });

  it("writes an already checked file under its id once (a repeated move is harmless)", async () => {
    const store = make();
    const id = "0b9d6f7e-3c1a-4a55-9a51-2f0e5a4c7d11";
    await store.write(id, big);
    await store.write(id, big);
    expect(Buffer.concat(await readAll(store, id)).equals(big)).toBe(true);
    await store.remove(id);
  });
});

describe("the name an upload is kept under", () => {
  const text = Buffer.from('var sh = new ActiveXObject("WScript.Shell");\n');
  const named = async (name: string, content: Buffer) =>
    (await new DiskFileStore(dir, 10 * 1024 * 1024).put(name, content)).filename;

  it("loses the invisible characters that disguise it and ends with an extension of the type its bytes are", async () => {
    // Shown by a bidirectional renderer as «invoicesj.pdf»; a text file saved as .js runs on Windows.
    expect(await named("invoice\u202Efdp.js", text)).toBe("invoicefdp.js.txt");
    expect(await named("отчёт\u200b\u2066.html", text)).toBe("отчёт.html.txt");
    expect(await named("Скан.JPEG", Buffer.from("ffd8ffe000104a46494600", "hex"))).toBe("Скан.JPEG");
    expect(await named("снимок.jpg", PNG_HEAD)).toBe("снимок.jpg.png");
    expect(await named("заметки.csv", text)).toBe("заметки.csv");
  });

  it("keeps its extension when a long name is shortened", async () => {
    const name = await named(`${"а".repeat(296)}.txt`, text);
    expect(name).toBe(`${"а".repeat(196)}.txt`);
    // Characters outside the basic plane are not cut in half.
    const emoji = await named(`${"😀".repeat(250)}.txt`, text);
    expect(Array.from(emoji)).toHaveLength(200);
    expect(emoji.endsWith("😀.txt")).toBe(true);
  });
});
