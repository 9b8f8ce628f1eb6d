import { canonicalStem, isStopWord, tokenizeWithOffsets } from "../text/index.ts";
import type { ConceptMatcher } from "./concepts.ts";

const MAX_CHARS = 220;
export const MARK_OPEN = "<mark>";
export const MARK_CLOSE = "</mark>";

/** A sentence with the stem of each content word, where the word stands, and the synonym groups it is part of. */
export interface Sentence {
  text: string;
  words: { start: number; end: number; stem: string; concepts?: string[] }[];
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The summary and the body's sentences, analysed once so that snippets cost no re-tokenising. */
export function splitSentences(summary: string, body: string, concepts: ConceptMatcher): Sentence[] {
  return [summary, ...body.split(/(?<=[.!?…])\s+|\n+/)]
    .map((s) => s.trim())
    .filter(Boolean)
    .map((text) => {
      const words: Sentence["words"] = tokenizeWithOffsets(text)
        .filter((t) => !isStopWord(t.token))
        .map((t) => ({ start: t.start, end: t.end, stem: canonicalStem(t.token) }));
      // Only the words that really form a synonym phrase here get its mark, not every word of the group.
      for (const o of concepts.occurrences(words.map((w) => w.stem))) {
        for (let k = o.start; k < o.start + o.length; k++) {
          const w = words[k];
          if (!w) continue;
          w.concepts = [...(w.concepts ?? []), o.term];
        }
      }
      return { text, words };
    });
}

const matches = (w: Sentence["words"][number], terms: ReadonlySet<string>) =>
  terms.has(w.stem) || (w.concepts?.some((c) => terms.has(c)) ?? false);

/**
 * The sentence that holds most of the matched terms — stems and synonym groups (`~id`) — or the
 * summary when none does, cut to about 220 characters around the first match, with matched words in `<mark>`. The text is HTML-escaped
 * so that the marks are the only markup: a page may insert the snippet as HTML.
 */
export function makeSnippet(sentences: readonly Sentence[], terms: ReadonlySet<string>): string {
  let best = sentences[0];
  let bestCount = 0;
  let first = 0;
  for (const sentence of sentences) {
    const hits = new Set<string>();
    let at = -1;
    for (const w of sentence.words) {
      if (!matches(w, terms)) continue;
      hits.add(w.concepts?.find((c) => terms.has(c)) ?? w.stem);
      if (at < 0) at = w.start;
    }
    if (hits.size > bestCount) {
      best = sentence;
      bestCount = hits.size;
      first = at;
    }
  }
  if (!best) return "";
  let from = 0;
  let to = best.text.length;
  if (to > MAX_CHARS) {
    from = Math.max(0, Math.min(first - 40, to - MAX_CHARS));
    // Cut at word boundaries, never inside a word.
    if (from > 0) from = best.text.indexOf(" ", from) + 1 || from;
    const end = from + MAX_CHARS;
    if (end < to) {
      const space = best.text.lastIndexOf(" ", end);
      to = space > from ? space : end;
    }
  }
  let out = from > 0 ? "…" : "";
  let at = from;
  for (const w of best.words) {
    if (w.start < from || w.end > to || !matches(w, terms)) continue;
    out +=
      escapeHtml(best.text.slice(at, w.start)) + MARK_OPEN + escapeHtml(best.text.slice(w.start, w.end)) + MARK_CLOSE;
    at = w.end;
  }
  out += escapeHtml(best.text.slice(at, to));
  return to < best.text.length ? `${out}…` : out;
}
