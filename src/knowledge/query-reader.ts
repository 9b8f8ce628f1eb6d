import {
  analyze,
  canonicalStem,
  type FuzzyVocabulary,
  readEnglish,
  toCyrillicLayout,
  tokenize,
  toLatinLayout,
  transliterate,
  unifyStem,
} from "../text/index.ts";
import type { ConceptMatcher } from "./concepts.ts";

/** One reading of a query word: an index term and how much to trust it. */
export interface Alt {
  term: string;
  weight: number;
}

// A word recognised only through a typo is worth less than one typed right.
const TYPO_WEIGHT = [1, 0.8, 0.6];
const MAX_QUERY_CHARS = 4000;

export interface QueryReaderDeps {
  /** Whether the index has the term. */
  known(term: string): boolean;
  /** The index's words as written, for typo correction. */
  vocabulary: FuzzyVocabulary;
  stemOfWord: ReadonlyMap<string, string>;
  concepts: ConceptMatcher;
}

/**
 * Turns a query into slots: one per query word (or synonym phrase), each a list of readings of which
 * a document scores the best one.
 */
export function createQueryReader({ known, vocabulary, stemOfWord, concepts }: QueryReaderDeps) {
  // Every reading of a query word that the index knows: as typed, another layout, transliteration, a near spelling.
  function readings(token: string, stemmed: string): Alt[] {
    if (known(stemmed)) return [{ term: stemmed, weight: 1 }];
    const variants = new Set([token]);
    if (/[a-z]/.test(token)) {
      variants.add(toCyrillicLayout(token));
      variants.add(transliterate(token));
    } else {
      const latin = toLatinLayout(token);
      if (known(latin)) return [{ term: latin, weight: 1 }];
    }
    const alts = new Map<string, number>();
    for (const v of variants) {
      for (const word of tokenize(v)) {
        for (const near of vocabulary.nearest(word).slice(0, 3)) {
          const s = stemOfWord.get(near.word);
          const weight = TYPO_WEIGHT[near.distance] ?? 0;
          if (s && weight > (alts.get(s) ?? 0)) alts.set(s, weight);
        }
      }
    }
    return [...alts].map(([term, weight]) => ({ term, weight }));
  }

  return function parseQuery(query: string): { slots: Alt[][]; pairs: string[] } {
    const terms = analyze(readEnglish(query.slice(0, MAX_QUERY_CHARS)), (s) => known(unifyStem(s))).map((t) => ({
      ...t,
      stem: canonicalStem(t.token),
    }));
    const readingsOf = terms.map((t) => readings(t.token, t.stem).sort((a, b) => b.weight - a.weight));
    const primaries = readingsOf.map((alts, i) => alts[0]?.term ?? (terms[i]?.stem as string));
    const slots: Alt[][] = [];
    const seen = new Set<string>();
    // A word of a synonym group is scored as the group: «госуслуги» as any way of naming the portal.
    // Scored literally, a rare synonym would get a high idf just because the articles prefer another word.
    const covered = new Set<number>();
    for (const o of concepts.occurrences(primaries)) {
      if (!known(o.term)) continue;
      let weight = 1;
      for (let k = o.start; k < o.start + o.length; k++) {
        covered.add(k);
        weight = Math.min(weight, readingsOf[k]?.[0]?.weight ?? 1);
      }
      if (seen.has(o.term)) continue;
      seen.add(o.term);
      slots.push([{ term: o.term, weight }]);
    }
    readingsOf.forEach((alts, i) => {
      const primary = alts[0]?.term;
      if (covered.has(i) || primary === undefined || seen.has(primary)) return;
      seen.add(primary);
      slots.push(alts);
    });
    // Neighbouring words, for the bonus an article gets when its title says them side by side.
    const pairs: string[] = [];
    for (let i = 1; i < primaries.length; i++) pairs.push(`${primaries[i - 1]} ${primaries[i]}`);
    return { slots, pairs };
  };
}
