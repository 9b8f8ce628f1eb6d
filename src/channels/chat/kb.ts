// The knowledge-base search the chatbot answers with: the same index and articles as `otklik kb search` and
// GET /api/v1/kb/search (public, published articles only for applicants; internal ones too for operators).
import { fileURLToPath } from "node:url";
import { createSearchIndex, loadArticlesFromDir, type SearchIndex } from "../../knowledge/index.ts";

export const kbDir = () => fileURLToPath(new URL("../../../data/kb", import.meta.url));

let shared: Promise<SearchIndex> | undefined;

/** Built once per process from the shipped articles (they do not change while it runs). */
export function knowledgeIndex(): Promise<SearchIndex> {
  shared ??= loadArticlesFromDir(kbDir()).then((articles) => createSearchIndex(articles));
  return shared;
}
