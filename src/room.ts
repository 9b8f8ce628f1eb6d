// A room: a capability of Otklik with its routes, start-up work, background jobs and live feeds, and the services it
// offers other rooms or takes from them. What a room keeps in memory for others (the directory, the search index,
// the SLA policies, the chat hub…) is a declared service on the context, not hidden state: a room names what it
// `provides` and what it `needs`, and the server starts the rooms in the order those declarations require, refusing
// to start when a service has no provider or two rooms need each other.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "./context.ts";
import type { JobHandler } from "./db/outbox.ts";
import type { FeedFactory } from "./http/sse.ts";

/**
 * The services rooms offer each other, by name. Each providing room adds its entry where it defines the service:
 * `declare module "../room.ts" { interface Services { directory: DirectoryState } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the providing rooms through declaration merging.
export interface Services {}
export type ServiceName = keyof Services & string;

export type Room = {
  name: string;
  /** Services of other rooms this room reads; their providers start first. */
  needs?: readonly ServiceName[];
  /** Services this room puts on the context during its start. */
  provides?: readonly ServiceName[];
  /**
   * Runs after migrations and first-start data, before the server listens (load data, build indexes, start timers).
   * What it returns runs on shutdown, after the HTTP server has closed (stop the timers it started).
   */
  start?(ctx: AppContext): Promise<void | (() => Promise<void> | void)>;
  /** Routes under /api/v1. */
  routes?(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void>;
  /** Jobs carried out once per outbox event of the topic. */
  jobs?(ctx: AppContext): Record<string, JobHandler>;
  /** Live feeds for the console, by name (the console hears them all over one stream). */
  feeds?(ctx: AppContext): Record<string, FeedFactory>;
};

/** The services of one running context, and what stops the rooms' start-up work. */
export class ServiceRegistry {
  private readonly values = new Map<string, unknown>();
  private readonly stops: (() => Promise<void> | void)[] = [];

  provide<K extends ServiceName>(name: K, value: Services[K]) {
    this.values.set(name, value);
  }

  /** The service; a clear error when no room provided it (a tool that runs without that room). */
  get<K extends ServiceName>(name: K): Services[K] {
    if (!this.values.has(name)) throw new Error(`service «${name}» is not available: its room has not started`);
    return this.values.get(name) as Services[K];
  }

  maybe<K extends ServiceName>(name: K): Services[K] | undefined {
    return this.values.get(name) as Services[K] | undefined;
  }

  forget(name: ServiceName) {
    this.values.delete(name);
  }

  /** What a room's start returned, run on shutdown. */
  onStop(stop: () => Promise<void> | void) {
    this.stops.push(stop);
  }

  /** Stops the rooms' work, the last started first. */
  async stopAll() {
    for (const stop of this.stops.splice(0).reverse()) await stop();
  }
}

/**
 * The rooms in the order they must start: each after the providers of what it needs, otherwise in the order given.
 * Throws, naming the rooms, when a need has no provider, two rooms provide one service, or needs go round in a circle.
 */
export function startOrder(rooms: readonly Room[]): Room[] {
  const providerOf = new Map<string, Room>();
  for (const room of rooms) {
    for (const s of room.provides ?? []) {
      const other = providerOf.get(s);
      if (other) throw new Error(`rooms «${other.name}» and «${room.name}» both provide the service «${s}»`);
      providerOf.set(s, room);
    }
  }
  const ordered: Room[] = [];
  const state = new Map<Room, "visiting" | "done">();
  const visit = (room: Room, path: string[]) => {
    if (state.get(room) === "done") return;
    if (state.get(room) === "visiting") {
      throw new Error(`rooms need each other in a circle: ${[...path, room.name].join(" → ")}`);
    }
    state.set(room, "visiting");
    for (const need of room.needs ?? []) {
      const provider = providerOf.get(need);
      if (!provider) throw new Error(`room «${room.name}» needs the service «${need}», which no room provides`);
      if (provider !== room) visit(provider, [...path, room.name]);
    }
    state.set(room, "done");
    ordered.push(room);
  };
  for (const room of rooms) visit(room, []);
  return ordered;
}
