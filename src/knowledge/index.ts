// The knowledge base: articles as Markdown files and the in-memory Russian search over them.
export {
  type Article,
  AUDIENCES,
  type Audience,
  CATEGORIES,
  type Category,
  loadArticlesFromDir,
  parseArticle,
  plainText,
} from "./article.ts";
export { type ArticleProblem, CHECKED_NUMBERS, checkArticles } from "./check.ts";
export { KnowledgeError, type KnowledgeErrorCode } from "./errors.ts";
export {
  createSearchIndex,
  type IndexOptions,
  type SearchHit,
  type SearchIndex,
  type SearchOptions,
} from "./search-index.ts";
export { MARK_CLOSE, MARK_OPEN } from "./snippet.ts";
export { DEFAULT_SYNONYMS, type SynonymGroup } from "./synonyms.ts";
