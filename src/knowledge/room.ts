// The knowledge-base room: articles in the database (the shipped folder brought in at each start: see syncShipped),
// each process's search index over them, rebuilt in the background whenever any process announces a change.
import type { Room } from "../room.ts";
import { editorRoutes } from "./routes-editor.ts";
import { macroRoutes } from "./routes-macros.ts";
import { publicKnowledgeRoutes } from "./routes-public.ts";
import { templateRoutes } from "./routes-templates.ts";
import { syncShipped } from "./service.ts";
import { forgetIndex, KB_CHANGED, loadIndex, rebuildIndex } from "./state.ts";

export { indexSettled, searchKnowledge } from "./state.ts";

export const knowledgeRoom: Room = {
  name: "knowledge",
  provides: ["knowledge"],
  async start(ctx) {
    await syncShipped(ctx);
    await loadIndex(ctx);
    const unsubscribe = ctx.bus.subscribe((e) => {
      if (e.topic === KB_CHANGED) void rebuildIndex(ctx);
    });
    return () => {
      unsubscribe();
      forgetIndex(ctx);
    };
  },
  async routes(app, opts) {
    await publicKnowledgeRoutes(app, opts);
    await editorRoutes(app, opts);
    await templateRoutes(app, opts);
    await macroRoutes(app, opts);
  },
};
