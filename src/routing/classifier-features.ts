// Turns a message into the sparse features the classifier weighs: word stems, «не»+stem, stem
// pairs, and character 3–5-grams of each word (so «пороль», «заблакировали» still share most of
// their grams with the right word). Latin chunks are re-read as a wrong keyboard layout or as
// transliteration, whichever gives words the model knows.

import {
  allowedEdits,
  FuzzyVocabulary,
  isLatin,
  looksLikeWrongLayout,
  stem,
  toCyrillicLayout,
  tokenize,
  transliterate,
} from "../text/index.ts";
import { findIdentifiers } from "../verification/find-identifiers.ts";
import { familiesOf } from "./classifier-concepts.ts";

export type SparseVector = Map<string, number>;

/** The words a model was trained on: used to choose how to read Latin chunks and to mend typos. */
export class Lexicon {
  private readonly words: Set<string>;
  private readonly fuzzy = new FuzzyVocabulary();

  constructor(words: Iterable<string>) {
    this.words = new Set(words);
    for (const w of this.words) this.fuzzy.add(w);
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** The nearest known word within the allowed edits, if exactly one is nearest. */
  mend(word: string): string | undefined {
    if (this.words.has(word) || word.length < 5) return undefined;
    const near = this.fuzzy.nearest(word, allowedEdits(word.length));
    const first = near[0];
    if (!first || (near[1] && near[1].distance === first.distance)) return undefined;
    return first.word;
  }

  list(): string[] {
    return [...this.words].sort();
  }
}

const CYRILLIC = /[а-яё]/i;
const LATIN = /[a-z]/i;

/**
 * Words a training message contributes to the lexicon: all words of a message written in Cyrillic
 * (its Latin words are names like sms, email, chrome), none of an all-Latin one (that is
 * transliteration or a wrong layout, which the lexicon exists to repair).
 */
export function tokensForLexicon(text: string): string[] {
  return CYRILLIC.test(text) ? tokenize(text).filter((w) => !/^\d+$/.test(w)) : [];
}

// Two spellings the shared table reads letter by letter: «-tsya» is «-тся» (not «-ця»),
// and «i» after a vowel before a consonant is «й» (sait → сайт, moi → мой).
function readTranslit(word: string): string {
  return transliterate(word)
    .replace(/ця$/, "тся")
    .replace(/([аеоуыэ])и(?=[бвгджзклмнпрстфхцчшщ]|$)/g, "$1й");
}

/** The words of a text, with Latin chunks repaired when the lexicon (or their shape) says so. */
export function readWords(text: string, lexicon?: Lexicon): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/\s+/)) {
    if (!chunk) continue;
    const typed = tokenize(chunk);
    if (!LATIN.test(chunk) || CYRILLIC.test(chunk)) {
      out.push(...typed);
      continue;
    }
    const core = chunk.replace(/[.,!?:;"()]+$/, "").replace(/^[("«]+/, "");
    const layout = tokenize(toCyrillicLayout(core));
    const translit = tokenize(core).map((t) => (isLatin(t) ? readTranslit(t) : t));
    const candidates = [typed, layout, translit];
    const known = (ws: string[]) => ws.filter((w) => lexicon?.has(w)).length;
    const scores = candidates.map(known);
    const best = Math.max(...scores);
    if (best > 0) {
      out.push(...(candidates[scores.indexOf(best)] as string[]));
      continue;
    }
    if (looksLikeWrongLayout(core)) out.push(...layout);
    else if (/^[a-z]+$/i.test(core) && core.length > 3) out.push(...translit);
    else out.push(...typed);
  }
  return out;
}

// Identifiers tell the classifier «an organisation / an entrepreneur is writing», not which number it is.
function identifierTokens(text: string): { text: string; tokens: string[] } {
  const found = findIdentifiers(text).filter((f) => f.kind);
  let clean = "";
  let at = 0;
  for (const f of found) {
    clean += `${text.slice(at, f.start)} `;
    at = f.end;
  }
  clean += text.slice(at);
  return { text: clean, tokens: found.map((f) => `id:${f.kind}`) };
}

function addGroup(target: SparseVector, group: Map<string, number>, weight: number): void {
  let norm = 0;
  for (const v of group.values()) norm += v * v;
  if (norm === 0) return;
  const scale = weight / Math.sqrt(norm);
  for (const [k, v] of group) target.set(k, (target.get(k) ?? 0) + v * scale);
}

const bump = (m: Map<string, number>, k: string, by = 1) => m.set(k, (m.get(k) ?? 0) + by);

/** What one word contributes, whatever its neighbours: worked out once per word and lexicon. */
type WordFeatures = { stem: string; mended: string | undefined; families: string[]; grams: string[] };

const WORD_CACHE_LIMIT = 50_000;
const wordCaches = new WeakMap<object, Map<string, WordFeatures>>();
const NO_LEXICON = {};

function wordFeatures(word: string, lexicon: Lexicon | undefined): WordFeatures {
  const key = lexicon ?? NO_LEXICON;
  let cache = wordCaches.get(key);
  if (!cache) {
    cache = new Map();
    wordCaches.set(key, cache);
  }
  const hit = cache.get(word);
  if (hit) return hit;
  const mended = lexicon?.mend(word);
  const padded = `<${word}>`;
  const grams: string[] = [];
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= padded.length; i++) grams.push(`c:${padded.slice(i, i + n)}`);
  }
  const features = {
    stem: stem(word),
    mended: mended === undefined ? undefined : stem(mended),
    families: familiesOf(mended ?? word),
    grams,
  };
  // Bounded: a flood of made-up words must not grow the process without end.
  if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
  cache.set(word, features);
  return features;
}

/**
 * The feature vector of a message. Word and character groups are normalised separately so that
 * a long letter does not drown its words in grams, nor a short one lose them.
 */
export function featurize(text: string, lexicon?: Lexicon): SparseVector {
  const ids = identifierTokens(text);
  // Long numbers are dates, phones and application numbers: noise. Three digits are usually an error code.
  const words = readWords(ids.text, lexicon).filter((w) => !/^\d+$/.test(w) || w.length === 3);
  const wordGroup = new Map<string, number>();
  const charGroup = new Map<string, number>();
  const families = new Set<string>();
  let negate = false;
  let prev: string | undefined;
  for (const word of words) {
    const w = wordFeatures(word, lexicon);
    const s = w.stem;
    bump(wordGroup, `w:${s}`);
    if (w.mended !== undefined) bump(wordGroup, `w:${w.mended}`, 0.7);
    for (const f of w.families) families.add(f);
    if (negate) bump(wordGroup, `n:${s}`);
    if (prev) bump(wordGroup, `b:${prev}_${s}`, 0.5);
    negate = word === "не" || word === "ne" || word === "нет";
    prev = s;
    for (const g of w.grams) bump(charGroup, g);
  }
  for (const t of ids.tokens) bump(wordGroup, t, 2);
  // Families and their pairs: «телефон» + «сменить» is the contacts topic, «телефон» + «поддержка» is not.
  const fam = [...families].sort();
  for (let i = 0; i < fam.length; i++) {
    bump(wordGroup, `k:${fam[i]}`);
    for (let j = i + 1; j < fam.length; j++) bump(wordGroup, `k:${fam[i]}+${fam[j]}`, 0.7);
  }
  // Counts grow slower than linearly: a word said three times is not three times the evidence.
  for (const g of [wordGroup, charGroup]) for (const [k, v] of g) g.set(k, Math.log1p(v));
  const out: SparseVector = new Map();
  addGroup(out, wordGroup, 1);
  addGroup(out, charGroup, 1);
  out.set("bias", 1);
  return out;
}
