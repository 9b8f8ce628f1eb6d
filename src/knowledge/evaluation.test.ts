import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_KB_DIR } from "./cli.ts";
import { evaluate, type LabelledQuery, readQueries } from "./evaluation.ts";
import { type Article, createSearchIndex, loadArticlesFromDir } from "./index.ts";
import { createPgBaseline } from "./pg-baseline.ts";

let articles: Article[];
let internal: Set<string>;
let dev: LabelledQuery[];
let holdout: LabelledQuery[];
let index: ReturnType<typeof createSearchIndex>;
const rank = (q: string, includeInternal: boolean) => index.search(q, { includeInternal }).map((h) => h.slug);

beforeAll(async () => {
  articles = await loadArticlesFromDir(DEFAULT_KB_DIR);
  internal = new Set(articles.filter((a) => a.visibility === "internal").map((a) => a.slug));
  dev = await readQueries(`${DEFAULT_KB_DIR}/eval/queries.tsv`);
  holdout = await readQueries(`${DEFAULT_KB_DIR}/eval/queries.holdout.tsv`);
  index = createSearchIndex(articles);
});

describe("evaluate", () => {
  it("computes hit@1, hit@3 and MRR", async () => {
    const ranks: Record<string, string[]> = { a: ["x", "y"], b: ["y", "x"], c: ["z", "q", "r", "x"], d: [] };
    const queries = ["a", "b", "c", "d"].map((query) => ({ query, acceptable: ["x"] }));
    const r = await evaluate(
      (q) => ranks[q] ?? [],
      queries,
      () => false,
    );
    expect(r).toMatchObject({
      queries: 4,
      hitAt1: 0.25,
      hitAt3: 0.5,
      mrr: Math.round(((1 + 0.5 + 0.25) / 4) * 1000) / 1000,
    });
    expect(r.misses.map((m) => m.query)).toEqual(["c", "d"]);
  });
});

describe("the labelled queries", () => {
  it("are at least 200, cover every article and name only existing ones", async () => {
    const more = [
      ...(await readQueries(`${DEFAULT_KB_DIR}/eval/queries.holdout2.tsv`)),
      ...(await readQueries(`${DEFAULT_KB_DIR}/eval/queries.holdout3.tsv`)),
      ...(await readQueries(`${DEFAULT_KB_DIR}/eval/queries.holdout4.tsv`)),
      ...(await readQueries(`${DEFAULT_KB_DIR}/eval/queries.holdout5.tsv`)),
    ];
    expect(dev.length + holdout.length + more.length).toBeGreaterThanOrEqual(400);
    const slugs = new Set(articles.map((a) => a.slug));
    const covered = new Set(dev.flatMap((q) => q.acceptable));
    for (const q of [...dev, ...holdout, ...more]) {
      for (const s of q.acceptable) expect(slugs.has(s), `${q.query}: ${s}`).toBe(true);
    }
    for (const s of slugs) expect(covered.has(s), s).toBe(true);
  });
});

describe("search quality stays above its floor", () => {
  // Measured figures are in docs/SEARCH.md; the floors sit a little under them.
  it("on the tuning queries", async () => {
    const r = await evaluate(rank, dev, (s) => internal.has(s));
    expect(r.hitAt1).toBeGreaterThanOrEqual(0.84);
    expect(r.hitAt3).toBeGreaterThanOrEqual(0.95);
    expect(r.mrr).toBeGreaterThanOrEqual(0.9);
  });

  it.each([
    ["queries.holdout.tsv", 0.83, 0.94, 0.89],
    ["queries.holdout2.tsv", 0.74, 0.87, 0.83],
    ["queries.holdout3.tsv", 0.82, 0.9, 0.87],
    ["queries.holdout4.tsv", 0.88, 0.95, 0.92],
    ["queries.holdout5.tsv", 0.8, 0.9, 0.85],
  ])("on the held-out queries of %s", async (file, hit1, hit3, mrr) => {
    const r = await evaluate(rank, await readQueries(`${DEFAULT_KB_DIR}/eval/${file}`), (s) => internal.has(s));
    expect(r.hitAt1).toBeGreaterThanOrEqual(hit1);
    expect(r.hitAt3).toBeGreaterThanOrEqual(hit3);
    expect(r.mrr).toBeGreaterThanOrEqual(mrr);
  });
});

describe("the PostgreSQL baseline", () => {
  let baseline: Awaited<ReturnType<typeof createPgBaseline>>;
  beforeAll(async () => {
    baseline = await createPgBaseline(articles);
  });
  afterAll(async () => {
    await baseline.close();
  });

  it("finds plain Russian but not a wrong layout, and never shows internal articles to applicants", async () => {
    expect(await baseline.search("восстановить пароль", false)).toContain("password-recovery");
    expect(await baseline.search("gfhjkm", false)).toEqual([]);
    expect(await baseline.search("чек-лист проверки личности", false)).not.toContain("operator-verification-checklist");
    expect(await baseline.search("чек-лист проверки личности", true)).toContain("operator-verification-checklist");
  });

  it("scores below the index on the same queries", async () => {
    // A sample keeps the test quick on a busy machine; `kb eval` runs the whole sets.
    const sample = dev.filter((_, i) => i % 4 === 0);
    const ours = await evaluate(rank, sample, (s) => internal.has(s));
    const base = await evaluate(
      (q, inc) => baseline.search(q, inc),
      sample,
      (s) => internal.has(s),
    );
    expect(base.hitAt3).toBeLessThan(ours.hitAt3);
  });
});
