// Old Russian mailers still put windows-1251 or KOI8-R bytes straight into headers, without RFC 2047
// encoded-words, and some send 8-bit bodies that declare no charset at all. mailparser reads such bytes
// as UTF-8 and turns them into U+FFFD; we re-encode them into UTF-8 first (which mailparser reads
// correctly), taking the charset the letter declares or guessing it from the bytes.
import iconv from "iconv-lite";

const HEADER_END = /\r?\n\r?\n/;

/** A letter with 8-bit text and no charset declared anywhere: the whole of it is in one legacy charset. */
export function decodeUndeclared8bit(raw: Buffer): Buffer {
  if (!raw.some((b) => b >= 0x80) || declaresAnyCharset(raw) || isUtf8(raw)) return raw;
  return Buffer.from(iconv.decode(raw, guessCyrillic(raw)), "utf8");
}

function declaresAnyCharset(raw: Buffer): boolean {
  return /charset\s*=/i.test(raw.subarray(0, 64 * 1024).toString("latin1"));
}

export function decodeRawHeaders(raw: Buffer): Buffer {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end);
  if (!head.some((b) => b >= 0x80) || isUtf8(head)) return raw;
  const charset = declaredCharset(raw) ?? guessCyrillic(head);
  const text = iconv.decode(head, charset);
  return Buffer.concat([Buffer.from(text, "utf8"), raw.subarray(end)]);
}

function headerEnd(raw: Buffer): number {
  // Search a bounded prefix: headers are small, bodies may be megabytes.
  const prefix = raw.subarray(0, 256 * 1024).toString("latin1");
  const m = HEADER_END.exec(prefix);
  return m ? m.index : Math.min(raw.length, prefix.length);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const KNOWN = new Map([
  ["windows-1251", "win1251"],
  ["cp1251", "win1251"],
  ["win-1251", "win1251"],
  ["koi8-r", "koi8-r"],
  ["koi8-u", "koi8-u"],
  ["iso-8859-5", "iso-8859-5"],
  ["ibm866", "cp866"],
  ["cp866", "cp866"],
]);

// The first charset the letter declares anywhere (a multipart letter declares it in its text part).
function declaredCharset(raw: Buffer): string | undefined {
  const sample = raw.subarray(0, 64 * 1024).toString("latin1");
  for (const m of sample.matchAll(/charset\s*=\s*"?([\w.-]+)"?/gi)) {
    const known = KNOWN.get((m[1] ?? "").toLowerCase());
    if (known) return known;
  }
  return undefined;
}

// Russian text is mostly lower case: in windows-1251 lower-case letters are 0xE0–0xFF, in KOI8-R 0xC0–0xDF.
export function guessCyrillic(bytes: Buffer): "win1251" | "koi8-r" {
  let high = 0;
  let low = 0;
  for (const b of bytes) {
    if (b >= 0xe0) high++;
    else if (b >= 0xc0) low++;
  }
  return low > high ? "koi8-r" : "win1251";
}
