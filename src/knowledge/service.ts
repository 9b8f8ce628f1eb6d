// The knowledge base's rules: the shipped articles on first start, editing with versions, the check before
// anything reaches applicants, restoring an old version. Knows nothing of HTTP.
import { fileURLToPath } from "node:url";
import type { AppContext } from "../context.ts";
import type { Queryable } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { AppError, errors } from "../http/errors.ts";
import { type Article, loadArticlesFromDir } from "./article.ts";
import { type ArticleProblem, checkArticles } from "./check.ts";
import { KB_CHANGED, rebuildIndex } from "./state.ts";
import {
  articleData,
  countArticles,
  deflectionStats,
  feedbackCounts,
  insertSeed,
  latestVersions,
  lockKnowledge,
  readArticle,
  readArticles,
  readVersion,
  type StoredArticle,
  writeArticle,
} from "./store.ts";

export const SHIPPED_KB_DIR = fileURLToPath(new URL("../../data/kb", import.meta.url));
const SHIPPED_NEW = "добавлена с новой версией Otklik";
const SHIPPED_UPDATE = "обновлена с новой версией Otklik";

/** Notes of versions written from the shipped folder, not by a person. */
const SHIPPED_NOTES = ["начальные данные", SHIPPED_NEW, SHIPPED_UPDATE] as const;

/**
 * Brings the shipped folder into the base at every start, whichever process starts first: all of it into an empty
 * base; after an upgrade, articles new in this release, and new texts of shipped articles nobody has edited since
 * they were shipped. An article a person has edited (or unpublished) is theirs: a new shipped text does not replace
 * it. Returns the slugs added and updated.
 */
export async function syncShipped(
  ctx: AppContext,
  dir = SHIPPED_KB_DIR,
): Promise<{ added: string[]; updated: string[] }> {
  const shipped = await loadArticlesFromDir(dir);
  const done = { added: [] as string[], updated: [] as string[] };
  await ctx.db.transaction(async (tx) => {
    await lockKnowledge(tx);
    if ((await countArticles(tx)) === 0) {
      await insertSeed(tx, shipped);
      return;
    }
    const latest = new Map((await latestVersions(tx)).map((v) => [v.slug, v]));
    for (const a of shipped) {
      const current = latest.get(a.slug);
      if (!current) {
        await writeArticle(tx, a, 1, SHIPPED_NEW, null);
        done.added.push(a.slug);
        continue;
      }
      const untouched = current.createdBy === null && (SHIPPED_NOTES as readonly string[]).includes(current.note);
      if (untouched && !sameContent(articleData(a), current.data)) {
        await writeArticle(tx, a, current.version + 1, SHIPPED_UPDATE, null);
        done.updated.push(a.slug);
      }
    }
    if (done.added.length + done.updated.length > 0) await emit(tx, KB_CHANGED, { shipped: true });
  });
  return done;
}

function sameContent(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return Object.keys(a).every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/**
 * What stands between the article and applicants: the checks of `otklik kb check` run against the published
 * base with this article in it. Errors refuse publishing; warnings are shown to the editor.
 */
export async function checkForPublishing(db: Queryable, article: Article): Promise<ArticleProblem[]> {
  const others = (await readArticles(db)).filter((a) => a.status === "published" && a.slug !== article.slug);
  const candidate = { ...article, status: "published" as const };
  return checkArticles([...others, candidate]).filter((p) => p.slug === article.slug);
}

function refuseIfErrors(problems: ArticleProblem[]): void {
  const errs = problems.filter((p) => p.severity === "error");
  if (errs.length === 0) return;
  throw new AppError("kb.check_failed", `Статью нельзя опубликовать: ${errs.map((p) => p.message).join("; ")}.`, 422, {
    problems,
  });
}

const FIELD_NAMES: [keyof Article, string][] = [
  ["title", "заголовок"],
  ["summary", "краткое описание"],
  ["category", "категория"],
  ["audience", "аудитория"],
  ["tags", "теги"],
  ["synonyms", "синонимы"],
  ["visibility", "видимость"],
  ["body", "текст"],
];

function changedFields(before: Article, after: Article): string[] {
  return FIELD_NAMES.filter(([k]) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).map(([, n]) => n);
}

export type ArticleInput = Omit<Article, "slug" | "status">;

export async function createArticle(
  ctx: AppContext,
  slug: string,
  input: ArticleInput,
  userId: number,
): Promise<StoredArticle> {
  const article: Article = { ...input, slug, status: "draft" };
  await ctx.db.transaction(async (tx) => {
    await lockKnowledge(tx);
    if (await readArticle(tx, slug)) throw errors.conflict("kb.slug_taken", `Статья с адресом «${slug}» уже есть.`);
    await writeArticle(tx, article, 1, "создана (черновик)", userId);
    await emit(tx, KB_CHANGED, { slug });
  });
  // This process knows at once; the others hear the event.
  void rebuildIndex(ctx);
  return (await readArticle(ctx.db, slug))!;
}

/** Saves new content; a published article stays published only if it still passes the check. */
export async function updateArticle(
  ctx: AppContext,
  slug: string,
  input: ArticleInput,
  userId: number,
): Promise<{ article: StoredArticle; problems: ArticleProblem[] }> {
  let problems: ArticleProblem[] = [];
  await ctx.db.transaction(async (tx) => {
    await lockKnowledge(tx);
    const before = await readArticle(tx, slug, true);
    if (!before) throw errors.notFound("article");
    const after: Article = { ...input, slug, status: before.status };
    const changed = changedFields(before, after);
    if (changed.length === 0) return;
    problems = await checkForPublishing(tx, after);
    if (after.status === "published") refuseIfErrors(problems);
    await writeArticle(tx, after, before.version + 1, `изменены: ${changed.join(", ")}`, userId);
    await emit(tx, KB_CHANGED, { slug });
  });
  // This process knows at once; the others hear the event.
  void rebuildIndex(ctx);
  return { article: (await readArticle(ctx.db, slug))!, problems };
}

export async function setArticleStatus(
  ctx: AppContext,
  slug: string,
  status: Article["status"],
  userId: number,
): Promise<{ article: StoredArticle; problems: ArticleProblem[] }> {
  let problems: ArticleProblem[] = [];
  await ctx.db.transaction(async (tx) => {
    await lockKnowledge(tx);
    const before = await readArticle(tx, slug, true);
    if (!before) throw errors.notFound("article");
    if (status === "published") {
      problems = await checkForPublishing(tx, before);
      refuseIfErrors(problems);
    }
    if (before.status === status) return;
    const note = status === "published" ? "опубликована" : "снята с публикации";
    await writeArticle(tx, { ...before, status }, before.version + 1, note, userId);
    await emit(tx, KB_CHANGED, { slug });
  });
  // This process knows at once; the others hear the event.
  void rebuildIndex(ctx);
  return { article: (await readArticle(ctx.db, slug))!, problems };
}

/** Brings back an old version's content as a new version; the current status stays. */
export async function restoreVersion(
  ctx: AppContext,
  slug: string,
  version: number,
  userId: number,
): Promise<StoredArticle> {
  await ctx.db.transaction(async (tx) => {
    await lockKnowledge(tx);
    const before = await readArticle(tx, slug, true);
    if (!before) throw errors.notFound("article");
    const old = await readVersion(tx, slug, version);
    if (!old) throw errors.notFound("article_version");
    const after = { ...(old.data as unknown as Article), slug, status: before.status };
    if (after.status === "published") refuseIfErrors(await checkForPublishing(tx, after));
    await writeArticle(tx, after, before.version + 1, `восстановлена версия ${version}`, userId);
    await emit(tx, KB_CHANGED, { slug });
  });
  // This process knows at once; the others hear the event.
  void rebuildIndex(ctx);
  return (await readArticle(ctx.db, slug))!;
}

/** Every article for the editor's list, drafts and internal ones too, with its readers' votes. */
export async function editorArticles(db: Queryable) {
  const [articles, votes] = await Promise.all([readArticles(db), feedbackCounts(db)]);
  return articles.map((a) => ({ ...a, helpful: votes.get(a.slug) ?? { yes: 0, no: 0 } }));
}

/**
 * What the request form's suggestions did over the last `days`: visits that were shown articles, opened one, sent the
 * form or were deflected (opened an article and left without sending), and per article the same with its votes;
 * the articles that deflected most first.
 */
export async function deflectionReport(db: Queryable, days: number, now = Date.now()) {
  const [articles, votes, d] = await Promise.all([
    readArticles(db),
    feedbackCounts(db),
    deflectionStats(db, new Date(now - days * 86_400_000)),
  ]);
  return {
    totals: d.totals,
    articles: articles
      .map((a) => {
        const s = d.perArticle.get(a.slug) ?? { shown: 0, opened: 0, deflected: 0 };
        const v = votes.get(a.slug) ?? { yes: 0, no: 0 };
        return { slug: a.slug, title: a.title, ...s, helpfulYes: v.yes, helpfulNo: v.no };
      })
      .sort((x, y) => y.deflected - x.deflected || y.opened - x.opened || x.slug.localeCompare(y.slug)),
  };
}
