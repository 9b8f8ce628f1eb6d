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
import { type FoundIdentifier, findIdentifiers } from "../verification/find-identifiers.ts";
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

// The last text read and its words, per lexicon: classifying a text reads it for the features and again for the
// audience, and most texts have no identifier to cut out, so the second reading is the first one's.
const lastRead = new WeakMap<object, { text: string; words: readonly string[] }>();

/** The words of a text, with Latin chunks repaired when the lexicon (or their shape) says so. */
export function readWords(text: string, lexicon?: Lexicon): readonly string[] {
  const key = lexicon ?? NO_LEXICON;
  const last = lastRead.get(key);
  if (last?.text === text) return last.words;
  const words = readChunks(text, lexicon);
  lastRead.set(key, { text, words });
  return words;
}

function readChunks(text: string, lexicon: Lexicon | undefined): readonly string[] {
  const cache = cacheOf(chunkCaches, lexicon);
  const out: string[] = [];
  for (const chunk of text.split(/\s+/)) {
    if (!chunk) continue;
    let words = cache.get(chunk);
    if (words === undefined) {
      words = readChunk(chunk, lexicon);
      // Bounded, as the word cache; the key is copied so that it does not keep the whole text alive.
      if (cache.size >= CHUNK_CACHE_LIMIT) cache.clear();
      if (chunk.length <= 64) cache.set(chunk.split("").join(""), words);
    }
    for (const w of words) out.push(w);
  }
  return out;
}

/** The words of one whitespace-separated chunk. */
function readChunk(chunk: string, lexicon: Lexicon | undefined): readonly string[] {
  const typed = tokenize(chunk);
  if (!LATIN.test(chunk) || CYRILLIC.test(chunk)) return typed;
  const core = chunk.replace(/[.,!?:;"()]+$/, "").replace(/^[("«]+/, "");
  const layout = tokenize(toCyrillicLayout(core));
  const translit = tokenize(core).map((t) => (isLatin(t) ? readTranslit(t) : t));
  const candidates = [typed, layout, translit];
  const known = (ws: string[]) => ws.filter((w) => lexicon?.has(w)).length;
  const scores = candidates.map(known);
  const best = Math.max(...scores);
  if (best > 0) return candidates[scores.indexOf(best)] as string[];
  if (looksLikeWrongLayout(core)) return layout;
  if (/^[a-z]+$/i.test(core) && core.length > 3) return translit;
  return typed;
}

let lastIdentifiers: { text: string; found: readonly FoundIdentifier[] } | undefined;

/**
 * `findIdentifiers` of the last text asked about, kept: the features and the audience look for identifiers in the same
 * text one after the other.
 */
export function identifiersIn(text: string): readonly FoundIdentifier[] {
  if (lastIdentifiers?.text !== text) lastIdentifiers = { text, found: findIdentifiers(text) };
  return lastIdentifiers.found;
}

// Identifiers tell the classifier «an organisation / an entrepreneur is writing», not which number it is.
function identifierTokens(text: string): { text: string; tokens: string[] } {
  const found = identifiersIn(text).filter((f) => f.kind);
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
const CHUNK_CACHE_LIMIT = 50_000;
const wordCaches = new WeakMap<object, Map<string, WordFeatures>>();
const chunkCaches = new WeakMap<object, Map<string, readonly string[]>>();
const NO_LEXICON = {};

/** The cache of one lexicon (or of none). */
function cacheOf<V>(caches: WeakMap<object, Map<string, V>>, lexicon: Lexicon | undefined): Map<string, V> {
  const key = lexicon ?? NO_LEXICON;
  let cache = caches.get(key);
  if (!cache) {
    cache = new Map();
    caches.set(key, cache);
  }
  return cache;
}

function wordFeatures(word: string, lexicon: Lexicon | undefined): WordFeatures {
  const cache = cacheOf(wordCaches, lexicon);
  const hit = cache.get(word);
  if (hit) return hit;
  const mended = lexicon?.mend(word);
  const padded = `<${word}>`;
  const grams: string[] = [];
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= padded.length; i++) grams.push(`c:${padded.slice(i, i + n)}`);
  }
  const features: WordFeatures = {
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
 * The word group of a message (stems, «не»+stem, stem pairs, identifier kinds, concept families and their pairs)
 * with raw counts, in the order the features first occur; `eachWord` is shown every word's features in order, for
 * its character grams.
 */
function wordGroupOf(text: string, lexicon: Lexicon | undefined, eachWord: (w: WordFeatures) => void) {
  const ids = identifierTokens(text);
  // Long numbers are dates, phones and application numbers: noise. Three digits are usually an error code.
  const words = readWords(ids.text, lexicon).filter((w) => !/^\d+$/.test(w) || w.length === 3);
  const wordGroup = new Map<string, number>();
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
    eachWord(w);
  }
  for (const t of ids.tokens) bump(wordGroup, t, 2);
  // Families and their pairs: «телефон» + «сменить» is the contacts topic, «телефон» + «поддержка» is not.
  const fam = [...families].sort();
  for (let i = 0; i < fam.length; i++) {
    bump(wordGroup, `k:${fam[i]}`);
    for (let j = i + 1; j < fam.length; j++) bump(wordGroup, `k:${fam[i]}+${fam[j]}`, 0.7);
  }
  return wordGroup;
}

/**
 * The feature vector of a message. Word and character groups are normalised separately so that
 * a long letter does not drown its words in grams, nor a short one lose them.
 */
export function featurize(text: string, lexicon?: Lexicon): SparseVector {
  const charGroup = new Map<string, number>();
  const wordGroup = wordGroupOf(text, lexicon, (w) => {
    for (const g of w.grams) bump(charGroup, g);
  });
  // Counts grow slower than linearly: a word said three times is not three times the evidence.
  for (const g of [wordGroup, charGroup]) for (const [k, v] of g) g.set(k, Math.log1p(v));
  const out: SparseVector = new Map();
  addGroup(out, wordGroup, 1);
  addGroup(out, charGroup, 1);
  out.set("bias", 1);
  return out;
}

/** A message's features as a model's row: feature numbers and values, in `featurize`'s order. */
export type FeatureRow = { idx: Int32Array; val: Float64Array };

/**
 * The character grams of one model's index, numbered as they are met (known or not: an unknown gram still counts in
 * the norm of its group), with each number's feature in the index or -1.
 */
class GramTable {
  readonly ids = new Map<string, number>();
  feature = new Int32Array(4096);
  counts = new Float64Array(4096);
  readonly touched: number[] = [];
  /** Scratch: the logarithms of one group's counts. */
  logs = new Float64Array(1024);
  /** Word features → their grams' numbers here. */
  readonly words = new WeakMap<WordFeatures, Int32Array>();

  constructor(private readonly index: Map<string, number>) {}

  gramsOf(w: WordFeatures): Int32Array {
    let out = this.words.get(w);
    if (!out) {
      out = Int32Array.from(w.grams, (g) => this.idOf(g));
      this.words.set(w, out);
    }
    return out;
  }

  private idOf(gram: string): number {
    let id = this.ids.get(gram);
    if (id === undefined) {
      id = this.ids.size;
      if (id === this.feature.length) {
        const feature = new Int32Array(id * 2);
        feature.set(this.feature);
        this.feature = feature;
        const counts = new Float64Array(id * 2);
        counts.set(this.counts);
        this.counts = counts;
      }
      this.feature[id] = this.index.get(gram) ?? -1;
      this.ids.set(gram, id);
    }
    return id;
  }
}

const GRAM_TABLE_LIMIT = 500_000;

// Most counts are small whole numbers: their logarithms, worked out once (the same numbers Math.log1p gives).
const LOG1P = Float64Array.from({ length: 33 }, (_, i) => Math.log1p(i));
const logCount = (v: number) => (Number.isInteger(v) && v <= 32 ? LOG1P[v]! : Math.log1p(v));
const gramTables = new WeakMap<Map<string, number>, GramTable>();

/**
 * `featurize` followed by the lookup of each feature in a model's index, without building the vector: the same
 * numbers, in the same order, from the same arithmetic (a test compares them) — what a prediction needs, faster.
 */
export function featureRow(text: string, lexicon: Lexicon, index: Map<string, number>): FeatureRow {
  let table = gramTables.get(index);
  if (!table || table.ids.size > GRAM_TABLE_LIMIT) {
    table = new GramTable(index);
    gramTables.set(index, table);
  }
  const t = table;
  const touched = t.touched;
  // Left counted only if a previous call stopped half-way.
  for (const id of touched) t.counts[id] = 0;
  touched.length = 0;
  const wordGroup = wordGroupOf(text, lexicon, (w) => {
    const grams = t.gramsOf(w);
    const counts = t.counts;
    for (const id of grams) {
      if (counts[id] === 0) touched.push(id);
      counts[id]! += 1;
    }
  });
  const size = wordGroup.size + touched.length + 1;
  const idx = new Int32Array(size);
  const val = new Float64Array(size);
  let m = 0;
  // Each group scaled to unit length by all its features, known to the model or not; then the known ones kept.
  if (t.logs.length < size) t.logs = new Float64Array(size * 2);
  const logs = t.logs;
  let n = 0;
  let norm = 0;
  for (const v of wordGroup.values()) {
    const l = logCount(v);
    logs[n++] = l;
    norm += l * l;
  }
  if (norm !== 0) {
    const scale = 1 / Math.sqrt(norm);
    n = 0;
    for (const k of wordGroup.keys()) {
      const i = index.get(k);
      if (i !== undefined) {
        idx[m] = i;
        val[m++] = logs[n]! * scale;
      }
      n++;
    }
  }
  const { counts, feature } = t;
  norm = 0;
  for (n = 0; n < touched.length; n++) {
    const l = logCount(counts[touched[n]!]!);
    logs[n] = l;
    norm += l * l;
  }
  const scale = 1 / Math.sqrt(norm);
  for (n = 0; n < touched.length; n++) {
    const id = touched[n]!;
    const i = feature[id]!;
    if (i >= 0) {
      idx[m] = i;
      val[m++] = logs[n]! * scale;
    }
    counts[id] = 0;
  }
  const bias = index.get("bias");
  if (bias !== undefined) {
    idx[m] = bias;
    val[m++] = 1;
  }
  return { idx: idx.subarray(0, m), val: val.subarray(0, m) };
}
