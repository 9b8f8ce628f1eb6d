// The directory room: the phone lines, the production calendar and the overload flags, kept in the database and
// in each process's memory; every process rereads them when any one announces a change.
import type { Room } from "../room.ts";
import { loadRegions } from "./load.ts";
import { adminDirectoryRoutes } from "./routes-admin.ts";
import { publicDirectoryRoutes } from "./routes-public.ts";
import { CHANGED, seedIfEmpty } from "./service.ts";
import { forgetState, loadState, reloadState } from "./state.ts";

export { setOverloaded, workCalendarOf } from "./service.ts";
export { directoryOf } from "./state.ts";

export const directoryRoom: Room = {
  name: "directory",
  provides: ["directory"],
  async start(ctx) {
    const regions = await loadRegions();
    await seedIfEmpty(ctx, regions);
    await loadState(ctx, regions);
    const unsubscribe = ctx.bus.subscribe((e) => {
      if (e.topic === CHANGED) void reloadState(ctx);
    });
    return () => {
      unsubscribe();
      forgetState(ctx);
    };
  },
  async routes(app, opts) {
    await publicDirectoryRoutes(app, opts);
    await adminDirectoryRoutes(app, opts);
  },
};
