// The rooms of Otklik, each a capability with its own routes, start-up work and background jobs.
// A room keeps its in-memory state keyed by the context (see e.g. directory/state.ts), so adding a room
// is one line here and nothing else in the platform changes.
import type { FastifyInstance } from "fastify";
import { analyticsRoom } from "./analytics/room.ts";
import { auditRoom } from "./audit/room.ts";
import { chatRoom } from "./channels/chat/room.ts";
import { emailRoom } from "./channels/email/room.ts";
import { phoneRoom } from "./channels/phone/room.ts";
import type { AppContext } from "./context.ts";
import type { JobHandler } from "./db/outbox.ts";
import { directoryRoom } from "./directory/room.ts";
import { consoleStreamRoutes } from "./http/console-stream.ts";
import { healthRoutes } from "./http/health.ts";
import type { FeedFactory } from "./http/sse.ts";
import { knowledgeRoom } from "./knowledge/room.ts";
import { portalRoom } from "./portal/room.ts";
import { publicRequestRoutes } from "./requests/routes-public.ts";
import { staffRequestRoutes } from "./requests/routes-staff.ts";
import { requestsFeed } from "./requests/sse.ts";
import { retentionRoom } from "./retention/room.ts";
import { routingRoom } from "./routing/room.ts";
import { slaRoom } from "./routing/sla-room.ts";
import { staffRoutes } from "./staff/routes.ts";

export type Room = {
  name: string;
  /** Runs after migrations and first-start data, before the server listens (load data, build indexes). */
  start?(ctx: AppContext): Promise<void>;
  /** Runs on shutdown, after the HTTP server has closed. */
  stop?(ctx: AppContext): Promise<void>;
  /** Routes under /api/v1. */
  routes?(app: FastifyInstance, opts: { ctx: AppContext }): Promise<void>;
  /** Jobs carried out once per outbox event of the topic. */
  jobs?(ctx: AppContext): Record<string, JobHandler>;
  /** Live feeds for the console, by name (the console hears them all over one stream). */
  feeds?(ctx: AppContext): Record<string, FeedFactory>;
};

export const ROOMS: Room[] = [
  auditRoom,
  retentionRoom,
  directoryRoom,
  routingRoom,
  slaRoom,
  emailRoom,
  analyticsRoom,
  knowledgeRoom,
  portalRoom,
  phoneRoom,
  chatRoom,
  { name: "health", routes: healthRoutes },
  { name: "staff", routes: staffRoutes },
  {
    name: "requests",
    routes: async (app, o) => {
      await publicRequestRoutes(app, o);
      await staffRequestRoutes(app, o);
    },
    feeds: (ctx) => ({ requests: requestsFeed(ctx) }),
    // The request core's deliveries to the channels' adapters (each channel registers its adapter at start).
    jobs: (ctx) => ctx.requests.jobs(),
  },
  {
    name: "console",
    routes: (app, o) => consoleStreamRoutes(app, { ctx: o.ctx, feeds: feedsOf(o.ctx) }),
  },
];

/** Every room's console feeds, by name. */
export function feedsOf(ctx: AppContext): Map<string, FeedFactory> {
  const feeds = new Map<string, FeedFactory>();
  for (const room of ROOMS) {
    for (const [name, factory] of Object.entries(room.feeds?.(ctx) ?? {})) {
      if (feeds.has(name)) throw new Error(`two rooms offer the console feed «${name}»`);
      feeds.set(name, factory);
    }
  }
  return feeds;
}
