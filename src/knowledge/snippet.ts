import { isStopWord, stem, tokenizeWithOffsets } from "../text/index.ts";

const MAX_CHARS = 220;
export const MARK_OPEN = "<mark>";
export const MARK_CLOSE = "</mark>";

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The sentence of the article that holds most of the matched stems, cut to about 220 characters
 * around the first match, with matched words in `<mark>`. The text is HTML-escaped so that the
 * marks are the only markup: a page may insert the snippet as HTML.
 */
export function makeSnippet(summary: string, body: string, stems: ReadonlySet<string>): string {
  const sentences = [summary, ...body.split(/(?<=[.!?…])\s+|\n+/)].map((s) => s.trim()).filter(Boolean);
  let best = { sentence: summary, count: 0, first: 0 };
  for (const sentence of sentences) {
    const hits = new Set<string>();
    let first = -1;
    for (const t of tokenizeWithOffsets(sentence)) {
      if (isStopWord(t.token)) continue;
      const s = stem(t.token);
      if (stems.has(s)) {
        hits.add(s);
        if (first < 0) first = t.start;
      }
    }
    if (hits.size > best.count) best = { sentence, count: hits.size, first };
  }
  let { sentence } = best;
  let offset = 0;
  let prefix = "";
  let suffix = "";
  if (sentence.length > MAX_CHARS) {
    offset = Math.max(0, Math.min(best.first - 40, sentence.length - MAX_CHARS));
    // Cut at word boundaries, never inside a word.
    if (offset > 0) offset = sentence.indexOf(" ", offset) + 1 || offset;
    let end = offset + MAX_CHARS;
    if (end < sentence.length) end = sentence.lastIndexOf(" ", end) > offset ? sentence.lastIndexOf(" ", end) : end;
    prefix = offset > 0 ? "…" : "";
    suffix = end < sentence.length ? "…" : "";
    sentence = sentence.slice(offset, end);
  }
  let out = "";
  let at = 0;
  for (const t of tokenizeWithOffsets(sentence)) {
    if (isStopWord(t.token) || !stems.has(stem(t.token))) continue;
    out +=
      escapeHtml(sentence.slice(at, t.start)) + MARK_OPEN + escapeHtml(sentence.slice(t.start, t.end)) + MARK_CLOSE;
    at = t.end;
  }
  return prefix + out + escapeHtml(sentence.slice(at)) + suffix;
}
