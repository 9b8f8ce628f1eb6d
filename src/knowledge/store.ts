// The knowledge base's SQL: articles and their versions, votes, suggestion events, answer templates.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";
import { users } from "../staff/schema.ts";
import type { Article } from "./article.ts";
import { kbArticles, kbArticleVersions, kbFeedback, kbSuggestionEvents, kbTemplates } from "./db-schema.ts";

export type StoredArticle = Article & {
  version: number;
  updatedAt: Date;
  updatedBy: number | null;
  updatedByName: string | null;
};

type Row = typeof kbArticles.$inferSelect;

export function toArticle(r: Row): Article {
  return {
    slug: r.slug,
    title: r.title,
    summary: r.summary,
    category: r.category as Article["category"],
    audience: r.audience as Article["audience"],
    tags: r.tags,
    synonyms: r.synonyms,
    status: r.status as Article["status"],
    visibility: r.visibility as Article["visibility"],
    body: r.body,
  };
}

/** The article's own fields, without storage bookkeeping: what a version keeps. */
export function articleData(a: Article): Record<string, unknown> {
  const { slug, title, summary, category, audience, tags, synonyms, status, visibility, body } = a;
  return { slug, title, summary, category, audience, tags, synonyms, status, visibility, body };
}

export async function lockKnowledge(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otklik-kb'))`);
}

export async function countArticles(db: Queryable): Promise<number> {
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(kbArticles);
  return Number(r?.n ?? 0);
}

/** Every article, sorted by slug (the order the shipped folder has, so the index ranks ties the same way). */
export async function readArticles(db: Queryable): Promise<Article[]> {
  const rows = await db.select().from(kbArticles).orderBy(sql`${kbArticles.slug} collate "C"`);
  return rows.map(toArticle);
}

export async function readArticle(db: Queryable, slug: string, forUpdate = false): Promise<StoredArticle | null> {
  const q = db
    .select({ a: kbArticles, name: users.name })
    .from(kbArticles)
    .leftJoin(users, eq(users.id, kbArticles.updatedBy))
    .where(eq(kbArticles.slug, slug));
  const [r] = forUpdate ? await q.for("update", { of: kbArticles }) : await q;
  if (!r) return null;
  return {
    ...toArticle(r.a),
    version: r.a.version,
    updatedAt: r.a.updatedAt,
    updatedBy: r.a.updatedBy,
    updatedByName: r.name,
  };
}

/** Writes the article and its next version in the caller's transaction. */
export async function writeArticle(
  tx: Tx,
  a: Article,
  version: number,
  note: string,
  userId: number | null,
): Promise<void> {
  const values = {
    title: a.title,
    summary: a.summary,
    category: a.category,
    audience: a.audience,
    tags: a.tags,
    synonyms: a.synonyms,
    status: a.status,
    visibility: a.visibility,
    body: a.body,
    version,
    updatedAt: new Date(),
    updatedBy: userId,
  };
  await tx
    .insert(kbArticles)
    .values({ slug: a.slug, ...values })
    .onConflictDoUpdate({ target: kbArticles.slug, set: values });
  await tx.insert(kbArticleVersions).values({ slug: a.slug, version, note, data: articleData(a), createdBy: userId });
}

export async function insertSeed(tx: Tx, articles: readonly Article[]): Promise<void> {
  if (articles.length === 0) return;
  await tx
    .insert(kbArticles)
    .values(articles.map((a) => ({ ...articleData(a), version: 1 }) as typeof kbArticles.$inferInsert));
  await tx
    .insert(kbArticleVersions)
    .values(articles.map((a) => ({ slug: a.slug, version: 1, note: "начальные данные", data: articleData(a) })));
}

/** Each article's latest version: who wrote it (null: shipped, not a person), with what note and content. */
export async function latestVersions(db: Queryable) {
  return db
    .select({
      slug: kbArticleVersions.slug,
      version: kbArticleVersions.version,
      note: kbArticleVersions.note,
      createdBy: kbArticleVersions.createdBy,
      data: kbArticleVersions.data,
    })
    .from(kbArticleVersions)
    .innerJoin(
      kbArticles,
      and(eq(kbArticles.slug, kbArticleVersions.slug), eq(kbArticles.version, kbArticleVersions.version)),
    );
}

export async function listVersions(db: Queryable, slug: string) {
  return db
    .select({
      version: kbArticleVersions.version,
      note: kbArticleVersions.note,
      createdAt: kbArticleVersions.createdAt,
      createdBy: users.name,
    })
    .from(kbArticleVersions)
    .leftJoin(users, eq(users.id, kbArticleVersions.createdBy))
    .where(eq(kbArticleVersions.slug, slug))
    .orderBy(desc(kbArticleVersions.version));
}

export async function readVersion(db: Queryable, slug: string, version: number) {
  const [r] = await db
    .select({
      version: kbArticleVersions.version,
      note: kbArticleVersions.note,
      data: kbArticleVersions.data,
      createdAt: kbArticleVersions.createdAt,
      createdBy: users.name,
    })
    .from(kbArticleVersions)
    .leftJoin(users, eq(users.id, kbArticleVersions.createdBy))
    .where(and(eq(kbArticleVersions.slug, slug), eq(kbArticleVersions.version, version)));
  return r ?? null;
}

export async function feedbackCounts(db: Queryable, slug?: string) {
  const rows = await db
    .select({
      slug: kbFeedback.slug,
      yes: sql<number>`count(*) filter (where ${kbFeedback.helpful})::int`,
      no: sql<number>`count(*) filter (where not ${kbFeedback.helpful})::int`,
    })
    .from(kbFeedback)
    .where(slug ? eq(kbFeedback.slug, slug) : undefined)
    .groupBy(kbFeedback.slug);
  return new Map(rows.map((r) => [r.slug, { yes: Number(r.yes), no: Number(r.no) }]));
}

export type SuggestionKind = "shown" | "opened" | "submitted" | "left";

export async function addSuggestionEvents(
  db: Queryable,
  visit: string,
  kind: SuggestionKind,
  slugs: readonly string[],
): Promise<void> {
  const values = (slugs.length > 0 ? slugs : [""]).map((slug) => ({ visit, kind, slug }));
  await db.insert(kbSuggestionEvents).values(values).onConflictDoNothing();
}

/** Per form visit since `from`: which articles were shown and opened, whether the form was sent or left. */
export async function deflectionStats(db: Queryable, from: Date) {
  const result = await db.execute(sql`
    with v as (
      select visit,
        bool_or(kind = 'shown') as shown,
        bool_or(kind = 'opened') as opened,
        bool_or(kind = 'submitted') as submitted,
        bool_or(kind = 'left') as left_form
      from ${kbSuggestionEvents} where created_at >= ${from} group by visit
    )
    select
      count(*) filter (where shown)::int as shown,
      count(*) filter (where opened)::int as opened,
      count(*) filter (where submitted)::int as submitted,
      count(*) filter (where opened and left_form and not submitted)::int as deflected
    from v`);
  const [t] = rowsOf<{ shown: number; opened: number; submitted: number; deflected: number }>(result);
  const perArticle = await db.execute(sql`
    with v as (
      select visit, bool_or(kind = 'left') and not bool_or(kind = 'submitted') as ended
      from ${kbSuggestionEvents} where created_at >= ${from} group by visit
    )
    select e.slug,
      count(*) filter (where e.kind = 'shown')::int as shown,
      count(*) filter (where e.kind = 'opened')::int as opened,
      count(*) filter (where e.kind = 'opened' and v.ended)::int as deflected
    from ${kbSuggestionEvents} e join v using (visit)
    where e.created_at >= ${from} and e.slug <> ''
    group by e.slug`);
  return {
    totals: {
      visitsShown: Number(t?.shown ?? 0),
      visitsOpened: Number(t?.opened ?? 0),
      visitsSubmitted: Number(t?.submitted ?? 0),
      visitsDeflected: Number(t?.deflected ?? 0),
    },
    perArticle: new Map(
      rowsOf<{ slug: string; shown: number; opened: number; deflected: number }>(perArticle).map((r) => [
        r.slug,
        { shown: Number(r.shown), opened: Number(r.opened), deflected: Number(r.deflected) },
      ]),
    ),
  };
}

export type Template = typeof kbTemplates.$inferSelect;

export const listTemplates = (db: Queryable) => db.select().from(kbTemplates).orderBy(asc(kbTemplates.title));

export async function readTemplate(db: Queryable, id: number): Promise<Template | null> {
  const [r] = await db.select().from(kbTemplates).where(eq(kbTemplates.id, id));
  return r ?? null;
}

export async function insertTemplate(
  db: Queryable,
  t: { title: string; body: string; category: string | null },
  userId: number,
): Promise<Template> {
  const [r] = await db
    .insert(kbTemplates)
    .values({ ...t, updatedBy: userId })
    .returning();
  return r!;
}

export async function updateTemplate(
  db: Queryable,
  id: number,
  t: { title: string; body: string; category: string | null },
  userId: number,
): Promise<Template | null> {
  const [r] = await db
    .update(kbTemplates)
    .set({ ...t, updatedBy: userId, updatedAt: new Date() })
    .where(eq(kbTemplates.id, id))
    .returning();
  return r ?? null;
}

export async function deleteTemplate(db: Queryable, id: number): Promise<boolean> {
  const r = await db.delete(kbTemplates).where(eq(kbTemplates.id, id)).returning({ id: kbTemplates.id });
  return r.length > 0;
}
