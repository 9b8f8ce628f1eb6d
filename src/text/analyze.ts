import { looksLikeWrongLayout, toCyrillicLayout } from "./layout.ts";
import { isLatin, isStopWord, tokenize } from "./normalize.ts";
import { stem } from "./stem.ts";
import { transliterate } from "./translit.ts";

const MAX_CHUNK = 64;

export interface Term {
  /** The word as read (after any layout or transliteration repair). */
  token: string;
  stem: string;
  /** How the word was read: as typed, re-typed from the wrong layout, or from Latin transliteration. */
  via: "typed" | "layout" | "translit";
}

/**
 * A text as a list of content-word stems, stop words dropped. Latin chunks are read as the wrong
 * layout or as transliteration when that gives a known stem (`isKnownStem`, e.g. the search
 * vocabulary or a classifier's features); without it, by the shape of the chunk.
 */
export function analyze(text: string, isKnownStem?: (stem: string) => boolean): Term[] {
  const out: Term[] = [];
  for (const chunk of text.split(/\s+/)) {
    // No Russian word is this long; such chunks are pasted links, hashes or keyboard mashing.
    if (!chunk || chunk.length > MAX_CHUNK) continue;
    for (const term of readChunk(chunk, isKnownStem)) {
      if (!isStopWord(term.token)) out.push(term);
    }
  }
  return out;
}

function readChunk(chunk: string, isKnownStem?: (stem: string) => boolean): Term[] {
  const typed = tokenize(chunk).map((token): Term => ({ token, stem: stem(token), via: "typed" }));
  if (!/[a-z]/i.test(chunk) || /[а-яё]/i.test(chunk)) return typed;
  // A stop word is a real word too: «ne» is «не», not the layout-typed «ту».
  const known = (terms: Term[]) =>
    terms.length > 0 && terms.every((t) => isStopWord(t.token) || (isKnownStem?.(t.stem) ?? false));
  if (isKnownStem && known(typed)) return typed;

  const core = chunk.replace(/[.,!?:;"]+$/, "");
  const layouts = [chunk, core].map((c) =>
    tokenize(toCyrillicLayout(c)).map((token): Term => ({ token, stem: stem(token), via: "layout" })),
  );
  const translit = tokenize(core)
    .filter(isLatin)
    .map((t): Term => {
      const token = tokenize(transliterate(t))[0] ?? t;
      return { token, stem: stem(token), via: "translit" };
    });

  // Vowel-poor chunks are tried as layout first, the rest as transliteration first.
  const layoutFirst = looksLikeWrongLayout(core);
  if (isKnownStem) {
    const order = layoutFirst ? [...layouts, translit] : [translit, ...layouts];
    for (const terms of order) if (known(terms)) return terms;
  }
  if (layoutFirst) return layouts[1] ?? typed;
  return translit.length > 0 ? translit : typed;
}
