import { FuzzyVocabulary, normalize } from "../text/index.ts";
import { type Article, plainText } from "./article.ts";
import { ConceptMatcher, contentStems } from "./concepts.ts";
import { type Alt, createQueryReader } from "./query-reader.ts";
import { makeSnippet, type Sentence, splitSentences } from "./snippet.ts";
import { DEFAULT_SYNONYMS, type SynonymGroup } from "./synonyms.ts";

export interface SearchOptions {
  limit?: number;
  /** Staff see internal articles; applicants never do. */
  includeInternal?: boolean;
  /** Drafts are shown only to editors previewing them. */
  includeDrafts?: boolean;
  /** Adds each hit's per-term scores, for people tuning articles and synonyms. */
  explain?: boolean;
}

export interface SearchHit {
  slug: string;
  title: string;
  score: number;
  /** A passage with the matched words wrapped in `<mark>…</mark>`; the rest is HTML-escaped. */
  snippet: string;
  category: Article["category"];
  explain?: Record<string, number>;
}

export interface SearchIndex {
  search(query: string, options?: SearchOptions): SearchHit[];
  readonly size: number;
}

// BM25F: a word in the title counts three times a word in the body; tags and synonyms twice.
const DEFAULT_FIELDS = [
  { weight: 3.0, b: 0.3 }, // title
  { weight: 2.0, b: 0.5 }, // summary
  { weight: 2.0, b: 0.3 }, // tags and synonyms
  { weight: 1.0, b: 0.75 }, // body
] as const;
const DEFAULT_K1 = 1.2;
const SENTENCE_CACHE = 2000;
const BUSINESS_PRIOR = 0.75;
// Added once per query pair found side by side in the title or summary; BM25F scores run about 2–10.
const PAIR_BONUS = 1;
const BUSINESS_TERMS = new Set(["~legal", "~ip", "~representative", "~statement"]);

/** The weight of a term in a document (0 when absent), by binary search: postings are in document order. */
function weightIn(p: Postings | undefined, doc: number): number {
  if (!p) return 0;
  let lo = 0;
  let hi = p.docs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = p.docs[mid] as number;
    if (d === doc) return p.sat[mid] as number;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

interface Doc {
  article: Article;
  text: string;
}
interface Postings {
  docs: Int32Array;
  /** idf × saturated term weight, per document. */
  sat: Float64Array;
}

export interface IndexOptions {
  synonyms?: SynonymGroup[];
  /** Weights of title, summary, tags+synonyms and body. */
  fieldWeights?: readonly [number, number, number, number];
  k1?: number;
}

export function createSearchIndex(articles: readonly Article[], options: IndexOptions = {}): SearchIndex {
  const concepts = new ConceptMatcher(options.synonyms ?? DEFAULT_SYNONYMS);
  const K1 = options.k1 ?? DEFAULT_K1;
  const FIELDS = DEFAULT_FIELDS.map((f, i) => ({ b: f.b, weight: options.fieldWeights?.[i] ?? f.weight }));
  const docs: Doc[] = [];
  const fieldTf: Map<string, number>[][] = [];
  const lengths: number[][] = [];
  const vocabulary = new FuzzyVocabulary();
  const stemOfWord = new Map<string, string>();

  // «Смотрите статью «Как восстановить пароль»» is a pointer to another article, not this one's topic:
  // quoted titles are shown in snippets but not indexed.
  const titles = new Set(articles.map((a) => normalize(a.title)));
  const withoutReferences = (text: string) =>
    text.replace(/«([^«»]*(?:«[^«»]*»[^«»]*)*)»/g, (quote, inner: string) =>
      titles.has(normalize(inner)) ? " " : quote,
    );

  const headPairs = new Map<string, number[]>();
  for (const article of articles) {
    const headStems = contentStems(`${article.title}. ${article.summary}`).map((t) => t.stem);
    for (let i = 1; i < headStems.length; i++) {
      const key = `${headStems[i - 1]} ${headStems[i]}`;
      const list = headPairs.get(key) ?? [];
      if (list.at(-1) !== docs.length) list.push(docs.length);
      headPairs.set(key, list);
    }
    const text = plainText(article.body);
    docs.push({ article, text });
    // Section headings name what a section is about: they count with the tags, not with the body.
    const headings = article.body.match(/^\s{0,3}#{1,6}\s+.*$/gm) ?? [];
    const fields = [
      article.title,
      article.summary,
      [...article.tags, ...article.synonyms, ...headings.map((h) => h.replace(/^\s*#+\s+/, ""))].join(". "),
      withoutReferences(text),
    ];
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

  const avg = FIELDS.map((_, f) =>
    Math.max(1, lengths.reduce((s, l) => s + (l[f] as number), 0) / Math.max(1, docs.length)),
  );
  // Per term, its documents in order and each one's saturated BM25F weight: scoring is then one
  // multiply-add per posting, on typed arrays, with no allocation.
  const collected = new Map<string, { docs: number[]; sat: number[] }>();
  fieldTf.forEach((tfs, doc) => {
    const terms = new Set<string>();
    for (const tf of tfs) for (const t of tf.keys()) terms.add(t);
    for (const term of terms) {
      let w = 0;
      FIELDS.forEach((field, f) => {
        const tf = tfs[f]?.get(term) ?? 0;
        if (tf > 0)
          w += (field.weight * tf) / (1 - field.b + (field.b * (lengths[doc]?.[f] ?? 0)) / (avg[f] as number));
      });
      const list = collected.get(term) ?? { docs: [], sat: [] };
      list.docs.push(doc);
      list.sat.push((w * (K1 + 1)) / (w + K1));
      collected.set(term, list);
    }
  });
  const businessOnly = docs.map((d) => !d.article.audience.includes("citizen"));
  const postings = new Map<string, Postings>();
  for (const [term, list] of collected) {
    const idf = Math.log(1 + (docs.length - list.docs.length + 0.5) / (list.docs.length + 0.5));
    postings.set(term, {
      docs: Int32Array.from(list.docs),
      sat: Float64Array.from(list.sat, (x) => x * idf),
    });
  }
  collected.clear();
  fieldTf.length = 0;

  // Scratch space reused by every search (search is synchronous, so calls never overlap).
  const total = new Float64Array(docs.length);
  const totalStamp = new Int32Array(docs.length);
  const slotBest = new Float64Array(docs.length);
  const slotStamp = new Int32Array(docs.length);
  let stamp = 0;

  const known = (s: string) => postings.has(s);

  const parseQuery = createQueryReader({ known, vocabulary, stemOfWord, concepts });

  function search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = Math.max(1, Math.min(options.limit ?? 10, 100));
    const { slots, pairs } = parseQuery(query);
    const scoreGen = ++stamp;
    const touched: number[] = [];
    const add = (doc: number, s: number) => {
      if (totalStamp[doc] !== scoreGen) {
        totalStamp[doc] = scoreGen;
        total[doc] = 0;
        touched.push(doc);
      }
      total[doc] = (total[doc] as number) + s;
    };
    for (const alts of slots) {
      if (alts.length === 1) {
        const { term, weight } = alts[0] as Alt;
        const p = postings.get(term);
        if (p) for (let i = 0; i < p.docs.length; i++) add(p.docs[i] as number, weight * (p.sat[i] as number));
        continue;
      }
      // A word read several ways counts once per document: its best reading.
      const gen = ++stamp;
      const slotDocs: number[] = [];
      for (const { term, weight } of alts) {
        const p = postings.get(term);
        if (!p) continue;
        for (let i = 0; i < p.docs.length; i++) {
          const doc = p.docs[i] as number;
          const s = weight * (p.sat[i] as number);
          if (slotStamp[doc] !== gen) {
            slotStamp[doc] = gen;
            slotBest[doc] = s;
            slotDocs.push(doc);
          } else if (s > (slotBest[doc] as number)) slotBest[doc] = s;
        }
      }
      for (const doc of slotDocs) add(doc, slotBest[doc] as number);
    }
    // Words side by side in a title or summary, as in the query, say more than the same words apart.
    for (const pair of new Set(pairs)) {
      for (const doc of headPairs.get(pair) ?? [])
        if (totalStamp[doc] === scoreGen) total[doc] = (total[doc] as number) + PAIR_BONUS;
    }
    // Most applicants are citizens: articles only for organisations and entrepreneurs step back
    // unless the query speaks of a business.
    if (!slots.some((alts) => alts.some((a) => BUSINESS_TERMS.has(a.term)))) {
      for (const doc of touched) if (businessOnly[doc]) total[doc] = (total[doc] as number) * BUSINESS_PRIOR;
    }

    // Top `limit` among the visible documents, kept sorted by insertion: limit is small.
    const top: number[] = [];
    const better = (a: number, b: number) =>
      (total[a] as number) > (total[b] as number) ||
      (total[a] === total[b] && (docs[a] as Doc).article.slug < (docs[b] as Doc).article.slug);
    for (const doc of touched) {
      if (top.length === limit && !better(doc, top[limit - 1] as number)) continue;
      const a = (docs[doc] as Doc).article;
      if (
        !(options.includeDrafts || a.status === "published") ||
        !(options.includeInternal || a.visibility === "public")
      )
        continue;
      let i = top.length;
      while (i > 0 && better(doc, top[i - 1] as number)) i--;
      top.splice(i, 0, doc);
      if (top.length > limit) top.pop();
    }

    return top.map((doc) => {
      const { article } = docs[doc] as Doc;
      return {
        slug: article.slug,
        title: article.title,
        score: Math.round((total[doc] as number) * 1000) / 1000,
        snippet: makeSnippet(sentencesOf(doc), highlightTerms(slots, doc)),
        category: article.category,
        ...(options.explain ? { explain: explainTerms(slots, doc) } : {}),
      };
    });
  }

  // Sentences are analysed on first use and kept for the articles that keep being found; a bounded
  // cache, so that a base of many thousand articles does not hold every sentence twice.
  const sentenceCache = new Map<number, Sentence[]>();
  function sentencesOf(doc: number): Sentence[] {
    let s = sentenceCache.get(doc);
    if (!s) {
      const { article, text } = docs[doc] as Doc;
      s = splitSentences(article.summary, text, concepts);
      if (sentenceCache.size >= SENTENCE_CACHE) sentenceCache.delete(sentenceCache.keys().next().value as number);
      sentenceCache.set(doc, s);
    }
    return s;
  }

  // Each query term's share of a document's score, before the business prior: for tuning synonyms.
  function explainTerms(slots: Alt[][], doc: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const alts of slots) {
      let best: { term: string; s: number } | undefined;
      for (const a of alts) {
        const s = a.weight * weightIn(postings.get(a.term), doc);
        if (s > 0 && (!best || s > best.s)) best = { term: a.term, s };
      }
      if (best) out[best.term] = Math.round(best.s * 1000) / 1000;
    }
    return out;
  }

  // The terms to mark in a document's snippet: per query word, its best reading that the document has.
  function highlightTerms(slots: Alt[][], doc: number): Set<string> {
    const out = new Set<string>();
    for (const alts of slots) {
      const hit = alts.find((a) => weightIn(postings.get(a.term), doc) > 0);
      if (hit) out.add(hit.term);
    }
    return out;
  }

  return { search, size: docs.length };
}
