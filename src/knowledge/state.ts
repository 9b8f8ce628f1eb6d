// Each process's search index over the stored articles, a service of the context (src/room.ts). When any process announces
// «kb.changed», the index is rebuilt in the background; the old one answers until the new one is ready.
import type { AppContext } from "../context.ts";
import type { Article } from "./article.ts";
import { createSearchIndex, type SearchHit, type SearchIndex, type SearchOptions } from "./search-index.ts";
import { readArticles } from "./store.ts";

export const KB_CHANGED = "kb.changed";

export type KnowledgeIndex = {
  index: SearchIndex;
  articles: Article[];
  /** The rebuild under way, if any; a change during it asks for one more. */
  building: Promise<void> | null;
  again: boolean;
};

declare module "../room.ts" {
  interface Services {
    /** The search index over the published articles, rebuilt when any process changes one. */
    knowledge: KnowledgeIndex;
  }
}

export async function loadIndex(ctx: AppContext): Promise<void> {
  const articles = await readArticles(ctx.db);
  ctx.services.provide("knowledge", { index: createSearchIndex(articles), articles, building: null, again: false });
}

/** Rebuilds from the database; resolves when the index that saw the latest change is serving. */
export function rebuildIndex(ctx: AppContext): Promise<void> {
  const h = ctx.services.maybe("knowledge");
  if (!h) return Promise.resolve();
  if (h.building) {
    h.again = true;
    return h.building;
  }
  const run = async (): Promise<void> => {
    do {
      h.again = false;
      try {
        const articles = await readArticles(ctx.db);
        // Yield first, so a burst of changes is read once and requests in flight are served meanwhile.
        await new Promise((r) => setImmediate(r));
        h.index = createSearchIndex(articles);
        h.articles = articles;
      } catch {
        // The database is unreachable for a moment: keep serving the last good index; the next change retries.
      }
    } while (h.again);
  };
  h.building = run().finally(() => {
    h.building = null;
  });
  return h.building;
}

/** Waits for a rebuild under way (tests and admin answers that must show the new state). */
export function indexSettled(ctx: AppContext): Promise<void> {
  return ctx.services.maybe("knowledge")?.building ?? Promise.resolve();
}

export function forgetIndex(ctx: AppContext): void {
  ctx.services.forget("knowledge");
}

/**
 * The knowledge-base search for other rooms (chatbot, IVR) and the HTTP API: published public articles
 * unless `includeInternal` / `includeDrafts` say otherwise.
 */
export function searchKnowledge(ctx: AppContext, query: string, opts: SearchOptions = {}): SearchHit[] {
  return ctx.services.get("knowledge").index.search(query, { limit: 10, ...opts });
}

/** The articles the serving index was built from. */
export function indexedArticles(ctx: AppContext): readonly Article[] {
  return ctx.services.maybe("knowledge")?.articles ?? [];
}
