// Knowledge-base search latency: p50/p99 per query on the shipped base and on a generated base of
// 10,000 articles (words drawn from the shipped articles plus made-up words, so the vocabulary grows too).
import { performance } from "node:perf_hooks";
import { DEFAULT_KB_DIR } from "../src/knowledge/cli.ts";
import { readQueries } from "../src/knowledge/evaluation.ts";
import { type Article, createSearchIndex, loadArticlesFromDir, plainText } from "../src/knowledge/index.ts";
import { tokenize } from "../src/text/index.ts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateArticles(shipped: Article[], count: number, seed = 42): Article[] {
  const random = rng(seed);
  const words = shipped.flatMap((a) => tokenize(`${a.title} ${a.summary} ${plainText(a.body)}`));
  const syllables = ["ка", "ро", "ми", "ст", "на", "ле", "ви", "др", "пу", "зо", "те", "ль", "ща", "бы", "гр", "ян"];
  const madeUp = Array.from({ length: 40_000 }, () => {
    let w = "";
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    return w;
  });
  const word = () =>
    (random() < 0.8
      ? words[Math.floor(random() * words.length)]
      : madeUp[Math.floor(random() * madeUp.length)]) as string;
  const sentence = (n: number) => Array.from({ length: n }, word).join(" ");
  const template = shipped[0] as Article;
  return Array.from({ length: count }, (_, i) => ({
    ...template,
    slug: `generated-${i}`,
    title: sentence(4 + Math.floor(random() * 5)),
    summary: sentence(15 + Math.floor(random() * 10)),
    tags: [word(), word()],
    synonyms: [sentence(2)],
    body: Array.from({ length: 10 + Math.floor(random() * 10) }, () => `${sentence(15)}.`).join("\n"),
  }));
}

function percentiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number).toFixed(2);
  return `p50 ${pct(0.5)} / p99 ${pct(0.99)} / max ${pct(1)} мс`;
}

function measure(label: string, articles: Article[], queries: string[], rounds: number) {
  const t0 = performance.now();
  const index = createSearchIndex(articles);
  const build = performance.now() - t0;
  // Wall time is what a caller waits; CPU time is what the search costs when other processes share the
  // cores (on a busy machine wall-time tails mostly measure waiting for a core).
  const wall: number[] = [];
  const cpu: number[] = [];
  const time = (q: string) => {
    const c = process.cpuUsage();
    const t = performance.now();
    index.search(q, { limit: 10 });
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  };
  // First pass: every query seen for the first time by this index (snippet sentences not yet analysed).
  for (const q of queries) time(q);
  const first = { wall: wall.splice(0), cpu: cpu.splice(0) };
  // Repeated: the same queries again, as a busy server sees its popular articles.
  for (let r = 0; r < rounds; r++) for (const q of queries) time(q);
  const heap = (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0);
  console.log(`${label}: статей ${articles.length}, индекс построен за ${build.toFixed(0)} мс, куча ${heap} МБ`);
  console.log(
    `  первый проход (${first.wall.length}): время ${percentiles(first.wall)}; процессор ${percentiles(first.cpu)}`,
  );
  console.log(`  повторные (${wall.length}): время ${percentiles(wall)}; процессор ${percentiles(cpu)}`);
}

const shipped = await loadArticlesFromDir(DEFAULT_KB_DIR);
const files = [
  "queries.tsv",
  "queries.holdout.tsv",
  "queries.holdout2.tsv",
  "queries.holdout3.tsv",
  "queries.holdout4.tsv",
  "queries.holdout5.tsv",
];
const queries = (await Promise.all(files.map((f) => readQueries(`${DEFAULT_KB_DIR}/eval/${f}`))))
  .flat()
  .map((q) => q.query);
measure("поставляемая база", shipped, queries, 5);
measure("сгенерированная база", [...shipped, ...generateArticles(shipped, 10_000)], queries, 2);
