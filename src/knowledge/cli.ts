import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadArticlesFromDir } from "./article.ts";
import { checkArticles } from "./check.ts";
import { KnowledgeError } from "./errors.ts";
import { type EvalResult, evaluate, readQueries } from "./evaluation.ts";
import { createPgBaseline } from "./pg-baseline.ts";
import { createSearchIndex } from "./search-index.ts";

export const DEFAULT_KB_DIR = fileURLToPath(new URL("../../data/kb", import.meta.url));
const EVAL_SETS = [
  { name: "dev", file: "eval/queries.tsv" },
  { name: "holdout", file: "eval/queries.holdout.tsv" },
  { name: "holdout2", file: "eval/queries.holdout2.tsv" },
  { name: "holdout3", file: "eval/queries.holdout3.tsv" },
  { name: "holdout4", file: "eval/queries.holdout4.tsv" },
  { name: "holdout5", file: "eval/queries.holdout5.tsv" },
];

const USAGE = `Использование:
  otklik kb search "<запрос>" [--limit N] [--internal] [--drafts] [--dir ПАПКА] [--json]
  otklik kb eval [--queries ФАЙЛ.tsv] [--misses] [--dir ПАПКА] [--json]
  otklik kb check [--dir ПАПКА] [--json]     проверить статьи; код выхода 1 при ошибке
`;

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "search") return await searchCommand(rest);
    if (command === "eval") return await evalCommand(rest);
    if (command === "check") return await checkCommand(rest);
    if (!command || command === "help" || command === "--help") {
      process.stdout.write(USAGE);
      return 0;
    }
    return fail("kb.usage", `Неизвестная команда «${command}».\n${USAGE}`);
  } catch (e) {
    if (e instanceof KnowledgeError) return fail(e.code, e.message);
    if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS"))
      return fail("kb.usage", `${e.message}\n${USAGE}`);
    throw e;
  }
}

function fail(code: string, message: string): number {
  process.stderr.write(`Ошибка ${code}: ${message}\n`);
  return 2;
}

async function searchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      limit: { type: "string", default: "10" },
      internal: { type: "boolean", default: false },
      drafts: { type: "boolean", default: false },
      dir: { type: "string", default: DEFAULT_KB_DIR },
      json: { type: "boolean", default: false },
    },
  });
  const query = positionals.join(" ").trim();
  const limit = Number(values.limit);
  if (!query) return fail("kb.usage", `Нужен текст запроса.\n${USAGE}`);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return fail("kb.usage", "--limit: целое число от 1 до 100.");
  const index = createSearchIndex(await loadArticlesFromDir(values.dir));
  const hits = index.search(query, { limit, includeInternal: values.internal, includeDrafts: values.drafts });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(hits)}\n`);
    return 0;
  }
  if (hits.length === 0)
    process.stdout.write("Ничего не найдено. Попробуйте сказать иначе или позвоните 8-800-555-35-35.\n");
  hits.forEach((h, i) => {
    const snippet = h.snippet
      .replace(/<\/?mark>/g, "*")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
    process.stdout.write(`${i + 1}. ${h.title}  [${h.slug}, ${h.score}]\n   ${snippet}\n`);
  });
  return 0;
}

type Metrics = Omit<EvalResult, "misses">;

async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      queries: { type: "string" },
      misses: { type: "boolean", default: false },
      dir: { type: "string", default: DEFAULT_KB_DIR },
      json: { type: "boolean", default: false },
    },
  });
  const articles = await loadArticlesFromDir(values.dir);
  const internal = new Set(articles.filter((a) => a.visibility === "internal").map((a) => a.slug));
  const isInternal = (slug: string) => internal.has(slug);
  const index = createSearchIndex(articles);
  const baseline = await createPgBaseline(articles);
  const sets = values.queries
    ? [{ name: "custom", file: values.queries }]
    : EVAL_SETS.map((s) => ({ ...s, file: `${values.dir}/${s.file}` }));
  const report: { name: string; otklik: Metrics; baseline: Metrics; misses?: EvalResult["misses"] }[] = [];
  try {
    for (const set of sets) {
      const queries = await readQueries(set.file);
      const ours = await evaluate(
        (q, inc) => index.search(q, { includeInternal: inc }).map((h) => h.slug),
        queries,
        isInternal,
      );
      const base = await evaluate((q, inc) => baseline.search(q, inc), queries, isInternal);
      const { misses, ...otklik } = ours;
      const { misses: _, ...pg } = base;
      // Held-out misses stay unread: reading them is how a held-out set turns into a tuning set.
      const showMisses = values.misses && !set.name.startsWith("holdout");
      report.push({ name: set.name, otklik, baseline: pg, ...(showMisses ? { misses } : {}) });
    }
  } finally {
    await baseline.close();
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ sets: report })}\n`);
    return 0;
  }
  const row = (label: string, m: Metrics) =>
    `  ${label.padEnd(30)} hit@1 ${m.hitAt1.toFixed(3)}   hit@3 ${m.hitAt3.toFixed(3)}   MRR ${m.mrr.toFixed(3)}\n`;
  for (const r of report) {
    process.stdout.write(`Набор «${r.name}», запросов: ${r.otklik.queries}\n`);
    process.stdout.write(row("Отклик", r.otklik));
    process.stdout.write(row("PostgreSQL websearch/ts_rank", r.baseline));
    for (const m of r.misses ?? [])
      process.stdout.write(
        `    промах: «${m.query}» ждали ${m.acceptable.join(",")}, получили ${m.got.join(",") || "—"}\n`,
      );
  }
  return 0;
}

async function checkCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { dir: { type: "string", default: DEFAULT_KB_DIR }, json: { type: "boolean", default: false } },
  });
  const articles = await loadArticlesFromDir(values.dir);
  const problems = checkArticles(articles);
  const errors = problems.filter((p) => p.severity === "error").length;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ articles: articles.length, problems })}\n`);
  } else {
    for (const p of problems) {
      process.stdout.write(
        `${p.severity === "error" ? "ошибка" : "предупреждение"} ${p.code} [${p.slug}]: ${p.message}\n`,
      );
    }
    process.stdout.write(
      `Статей: ${articles.length}, ошибок: ${errors}, предупреждений: ${problems.length - errors}.\n`,
    );
  }
  return errors > 0 ? 1 : 0;
}
