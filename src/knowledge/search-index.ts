import { analyze, FuzzyVocabulary, toLatinLayout, tokenize, toCyrillicLayout, transliterate } from "../text/index.ts";
import { type Article, plainText } from "./article.ts";
import { ConceptMatcher, contentStems } from "./concepts.ts";
import { makeSnippet } from "./snippet.ts";
import { DEFAULT_SYNONYMS, type SynonymGroup } from "./synonyms.ts";

export interface SearchOptions {
  limit?: number;
  /** Staff see internal articles; applicants never do. */
  includeInternal?: boolean;
  /** Drafts are shown only to editors previewing them. */
  includeDrafts?: boolean;
}

export interface SearchHit {
  slug: string;
  title: string;
  score: number;
  /** A passage with the matched words wrapped in `<mark>…</mark>`; the rest is HTML-escaped. */
  snippet: string;
  category: Article["category"];
}

export interface SearchIndex {
  search(query: string, options?: SearchOptions): SearchHit[];
  readonly size: number;
}

// BM25F: a word in the title counts three times a word in the body; tags and synonyms twice.
const FIELDS = [
  { weight: 3.0, b: 0.3 }, // title
  { weight: 2.0, b: 0.5 }, // summary
  { weight: 2.0, b: 0.3 }, // tags and synonyms
  { weight: 1.0, b: 0.75 }, // body
] as const;
const K1 = 1.2;
// A word recognised only through a typo is worth less than one typed right.
const TYPO_WEIGHT = [1, 0.8, 0.6];
const MAX_QUERY_CHARS = 4000;

interface Doc {
  article: Article;
  text: string;
}
interface Posting {
  doc: number;
  tf: number;
}
interface Alt {
  term: string;
  weight: number;
}

export function createSearchIndex(articles: readonly Article[], synonyms: SynonymGroup[] = DEFAULT_SYNONYMS): SearchIndex {
  const concepts = new ConceptMatcher(synonyms);
  const docs: Doc[] = [];
  const fieldTf: Map<string, number>[][] = [];
  const lengths: number[][] = [];
  const vocabulary = new FuzzyVocabulary();
  const stemOfWord = new Map<string, string>();

  for (const article of articles) {
    const text = plainText(article.body);
    docs.push({ article, text });
    const fields = [article.title, article.summary, [...article.tags, ...article.synonyms].join(". "), text];
    const tfs: Map<string, number>[] = [];
    const lens: number[] = [];
    for (const field of fields) {
      const stems = contentStems(field);
      const tf = new Map<string, number>();
      for (const t of stems) {
        tf.set(t.stem, (tf.get(t.stem) ?? 0) + 1);
        vocabulary.add(t.token);
        stemOfWord.set(t.token, t.stem);
      }
      for (const c of concepts.match(stems.map((t) => t.stem))) tf.set(c, (tf.get(c) ?? 0) + 1);
      tfs.push(tf);
      lens.push(stems.length);
    }
    fieldTf.push(tfs);
    lengths.push(lens);
  }

  const avg = FIELDS.map((_, f) => Math.max(1, lengths.reduce((s, l) => s + (l[f] as number), 0) / Math.max(1, docs.length)));
  // Per posting, the field-weighted, length-normalised term frequency; scoring then needs one lookup per term.
  const postings = new Map<string, Posting[]>();
  fieldTf.forEach((tfs, doc) => {
    const terms = new Set<string>();
    for (const tf of tfs) for (const t of tf.keys()) terms.add(t);
    for (const term of terms) {
      let w = 0;
      FIELDS.forEach((field, f) => {
        const tf = tfs[f]?.get(term) ?? 0;
        if (tf > 0) w += (field.weight * tf) / (1 - field.b + (field.b * (lengths[doc]?.[f] ?? 0)) / (avg[f] as number));
      });
      const list = postings.get(term) ?? [];
      list.push({ doc, tf: w });
      postings.set(term, list);
    }
  });
  const idf = new Map<string, number>();
  for (const [term, list] of postings) idf.set(term, Math.log(1 + (docs.length - list.length + 0.5) / (list.length + 0.5)));

  const known = (s: string) => postings.has(s);

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

  function parseQuery(query: string): Alt[][] {
    const terms = analyze(query.slice(0, MAX_QUERY_CHARS), known);
    const slots: Alt[][] = [];
    const primaries: string[] = [];
    const seen = new Set<string>();
    for (const t of terms) {
      const alts = readings(t.token, t.stem).sort((a, b) => b.weight - a.weight);
      const primary = alts[0]?.term ?? t.stem;
      primaries.push(primary);
      if (alts.length === 0 || seen.has(primary)) continue;
      seen.add(primary);
      slots.push(alts);
    }
    for (const c of new Set(concepts.match(primaries))) if (known(c)) slots.push([{ term: c, weight: 1 }]);
    return slots;
  }

  function search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
    const slots = parseQuery(query);
    const scores = new Map<number, number>();
    const matched = new Map<number, Set<string>>();
    for (const alts of slots) {
      // A word read several ways counts once per document: its best reading.
      const best = new Map<number, { score: number; term: string }>();
      for (const { term, weight } of alts) {
        const termIdf = idf.get(term) ?? 0;
        for (const p of postings.get(term) ?? []) {
          const s = (weight * termIdf * p.tf * (K1 + 1)) / (p.tf + K1);
          const prev = best.get(p.doc);
          if (!prev || s > prev.score) best.set(p.doc, { score: s, term });
        }
      }
      for (const [doc, { score, term }] of best) {
        scores.set(doc, (scores.get(doc) ?? 0) + score);
        const set = matched.get(doc) ?? new Set<string>();
        set.add(term);
        matched.set(doc, set);
      }
    }
    const visible = [...scores]
      .filter(([doc]) => {
        const a = (docs[doc] as Doc).article;
        return (options.includeDrafts || a.status === "published") && (options.includeInternal || a.visibility === "public");
      })
      .sort((x, y) => y[1] - x[1] || (docs[x[0]] as Doc).article.slug.localeCompare((docs[y[0]] as Doc).article.slug))
      .slice(0, limit);
    return visible.map(([doc, score]) => {
      const { article, text } = docs[doc] as Doc;
      const highlight = new Set<string>();
      for (const term of matched.get(doc) ?? []) {
        if (term.startsWith("~")) for (const s of concepts.stemsOf.get(term) ?? []) highlight.add(s);
        else highlight.add(term);
      }
      return {
        slug: article.slug,
        title: article.title,
        score: Math.round(score * 1000) / 1000,
        snippet: makeSnippet(article.summary, text, highlight),
        category: article.category,
      };
    });
  }

  return { search, size: docs.length };
}
