import { readFile } from "node:fs/promises";

export interface LabelledQuery {
  query: string;
  acceptable: string[];
}

export interface EvalResult {
  queries: number;
  hitAt1: number;
  hitAt3: number;
  mrr: number;
  /** Queries whose first acceptable answer is not in the top three, for reading. */
  misses: { query: string; acceptable: string[]; got: string[] }[];
}

/** Reads `query<TAB>slug,slug` lines; the first line is a header. */
export async function readQueries(path: string): Promise<LabelledQuery[]> {
  const lines = (await readFile(path, "utf8")).split(/\r?\n/).slice(1);
  return lines
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => {
      const [query = "", acceptable = ""] = l.split("\t");
      return {
        query: query.trim(),
        acceptable: acceptable
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
      };
    });
}

/** A ranker: the slugs it returns for a query, best first. Staff queries may see internal articles. */
export type Ranker = (query: string, includeInternal: boolean) => Promise<string[]> | string[];

/**
 * hit@1, hit@3 and mean reciprocal rank (over the first ten answers). A query that names an internal
 * article is asked as staff would ask it; every other one as an applicant, who never sees internal articles.
 */
export async function evaluate(
  ranker: Ranker,
  queries: LabelledQuery[],
  isInternal: (slug: string) => boolean,
): Promise<EvalResult> {
  let h1 = 0;
  let h3 = 0;
  let rr = 0;
  const misses: EvalResult["misses"] = [];
  for (const q of queries) {
    const got = (await ranker(q.query, q.acceptable.some(isInternal))).slice(0, 10);
    const rank = got.findIndex((slug) => q.acceptable.includes(slug));
    if (rank === 0) h1++;
    if (rank >= 0 && rank < 3) h3++;
    else misses.push({ query: q.query, acceptable: q.acceptable, got: got.slice(0, 3) });
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  const n = Math.max(1, queries.length);
  const round = (x: number) => Math.round((x / n) * 1000) / 1000;
  return { queries: queries.length, hitAt1: round(h1), hitAt3: round(h3), mrr: round(rr), misses };
}
