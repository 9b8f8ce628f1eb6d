import { PGlite } from "@electric-sql/pglite";
import { type Article, plainText } from "./article.ts";

/**
 * The yardstick: plain PostgreSQL full-text search, `websearch_to_tsquery('russian', q)` ranked by
 * `ts_rank` over title, summary and body, in an in-memory PGlite. No synonyms, typos or layouts.
 */
export async function createPgBaseline(articles: readonly Article[]) {
  const db = await PGlite.create();
  await db.exec(`CREATE TEMPORARY TABLE kb_article (
    slug text PRIMARY KEY, internal boolean NOT NULL,
    doc tsvector NOT NULL)`);
  for (const a of articles.filter((x) => x.status === "published")) {
    await db.query(
      `INSERT INTO kb_article (slug, internal, doc)
       VALUES ($1, $2, to_tsvector('russian', $3 || ' ' || $4 || ' ' || $5))`,
      [a.slug, a.visibility === "internal", a.title, a.summary, plainText(a.body)],
    );
  }
  return {
    async search(query: string, includeInternal: boolean, limit = 10): Promise<string[]> {
      const res = await db.query<{ slug: string }>(
        `SELECT slug FROM kb_article
          WHERE doc @@ websearch_to_tsquery('russian', $1) AND ($2 OR NOT internal)
          ORDER BY ts_rank(doc, websearch_to_tsquery('russian', $1)) DESC, slug
          LIMIT $3`,
        [query, includeInternal, limit],
      );
      return res.rows.map((r) => r.slug);
    },
    close: () => db.close(),
  };
}
