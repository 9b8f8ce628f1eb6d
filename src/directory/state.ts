// What each server process keeps in memory of the directory: read from the database at start and again whenever
// any process announces «directory.changed». A service of the context (src/room.ts), so two servers in one test do
// not share it.
import type { AppContext } from "../context.ts";
import { buildCalendar, type CalendarYear, type ProductionCalendar } from "./calendar.ts";
import type { RegionIndex } from "./regions.ts";
import { readCalendar, readEntries, readOverloaded, type StoredEntry } from "./store.ts";
import type { DirectoryLine } from "./types.ts";

export interface DirectoryState {
  entries: StoredEntry[];
  lines: DirectoryLine[];
  calendarYears: CalendarYear[];
  calendar: ProductionCalendar;
  regions: RegionIndex;
  /** Lines whose queue is overloaded now, with who said so and when. */
  overloaded: Map<string, { setBy: number | null; setAt: Date }>;
}

export type DirectoryHolder = { state: DirectoryState; chain: Promise<void> };

declare module "../room.ts" {
  interface Services {
    /** The phone lines, the production calendar and the overload flags as this process last read them. */
    directory: DirectoryHolder;
  }
}

export function directoryOf(ctx: AppContext): DirectoryState {
  return ctx.services.get("directory").state;
}

async function read(ctx: AppContext, regions: RegionIndex): Promise<DirectoryState> {
  const [entries, calendarYears, flags] = await Promise.all([
    readEntries(ctx.db),
    readCalendar(ctx.db),
    readOverloaded(ctx.db),
  ]);
  return {
    entries,
    lines: entries.map((e) => e.line),
    calendarYears,
    calendar: buildCalendar(calendarYears),
    regions,
    overloaded: new Map(flags.map((f) => [f.lineId, { setBy: f.setBy, setAt: f.setAt }])),
  };
}

export async function loadState(ctx: AppContext, regions: RegionIndex): Promise<void> {
  ctx.services.provide("directory", { state: await read(ctx, regions), chain: Promise.resolve() });
}

/** Rereads everything; reloads run one after another, so the last to finish saw the latest commit. */
export function reloadState(ctx: AppContext): Promise<void> {
  const h = ctx.services.maybe("directory");
  if (!h) return Promise.resolve();
  h.chain = h.chain
    .then(async () => {
      h.state = await read(ctx, h.state.regions);
    })
    .catch(() => {
      // The database is unreachable for a moment: keep serving the last good copy; the next change reloads.
    });
  return h.chain;
}

export function forgetState(ctx: AppContext): void {
  ctx.services.forget("directory");
}
