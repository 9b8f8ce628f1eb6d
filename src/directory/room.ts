// The directory room: the phone lines, the production calendar and the overload flags, kept in the database and
// in each process's memory; every process rereads them when any one announces a change.
import type { AppContext } from "../context.ts";
import type { Room } from "../rooms.ts";
import { loadRegions } from "./load.ts";
import { adminDirectoryRoutes } from "./routes-admin.ts";
import { publicDirectoryRoutes } from "./routes-public.ts";
import { CHANGED, seedIfEmpty } from "./service.ts";
import { forgetState, loadState, reloadState } from "./state.ts";

export { setOverloaded, workCalendarOf } from "./service.ts";
export { directoryOf } from "./state.ts";

const unsubscribers = new WeakMap<AppContext, () => void>();

export const directoryRoom: Room = {
  name: "directory",
  async start(ctx) {
    const regions = await loadRegions();
    await seedIfEmpty(ctx, regions);
    await loadState(ctx, regions);
    unsubscribers.set(
      ctx,
      ctx.bus.subscribe((e) => {
        if (e.topic === CHANGED) void reloadState(ctx);
      }),
    );
  },
  async stop(ctx) {
    unsubscribers.get(ctx)?.();
    forgetState(ctx);
  },
  async routes(app, opts) {
    await publicDirectoryRoutes(app, opts);
    await adminDirectoryRoutes(app, opts);
  },
};
