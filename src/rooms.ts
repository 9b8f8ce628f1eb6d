// The rooms of Otklik, each a capability with its own routes, start-up work and background jobs (src/room.ts).
// The server starts the rooms in the order their declared services require. The list's order matters in one place:
// the jobs of rooms that act on one outbox topic run in this order, and the webhooks' job, which only queues, comes
// first, so that another room's failing job cannot keep a request's events from being queued in order.
import { analyticsRoom } from "./analytics/room.ts";
import { applicantsRoom } from "./applicants/room.ts";
import { auditRoom } from "./audit/room.ts";
import { chatRoom } from "./channels/chat/room.ts";
import { emailRoom } from "./channels/email/room.ts";
import { maxRoom } from "./channels/max/room.ts";
import { messengerRoom } from "./channels/messenger/room.ts";
import { phoneRoom } from "./channels/phone/room.ts";
import { smsRoom } from "./channels/sms/room.ts";
import { telegramRoom } from "./channels/telegram/room.ts";
import { vkRoom } from "./channels/vk/room.ts";
import type { AppContext } from "./context.ts";
import { directoryRoom } from "./directory/room.ts";
import { consoleStreamRoutes } from "./http/console-stream.ts";
import { healthRoutes } from "./http/health.ts";
import { limitsRoutes } from "./http/limits.ts";
import type { FeedFactory } from "./http/sse.ts";
import { knowledgeRoom } from "./knowledge/room.ts";
import { notificationsRoom } from "./notifications/room.ts";
import { portalRoom } from "./portal/room.ts";
import { mergeRoutes } from "./requests/routes-merge.ts";
import { publicRequestRoutes } from "./requests/routes-public.ts";
import { staffRequestRoutes } from "./requests/routes-staff.ts";
import { requestsFeed } from "./requests/sse.ts";
import { retentionRoom } from "./retention/room.ts";
import type { Room } from "./room.ts";
import { routingRoom } from "./routing/room.ts";
import { slaRoom } from "./routing/sla-room.ts";
import { staffRoutes } from "./staff/routes.ts";
import { webhooksRoom } from "./webhooks/room.ts";

export const ROOMS: Room[] = [
  webhooksRoom,
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
  applicantsRoom,
  smsRoom,
  messengerRoom,
  telegramRoom,
  vkRoom,
  maxRoom,
  notificationsRoom,
  { name: "health", routes: healthRoutes },
  { name: "limits", routes: limitsRoutes },
  { name: "staff", routes: staffRoutes },
  {
    name: "requests",
    routes: async (app, o) => {
      await publicRequestRoutes(app, o);
      await staffRequestRoutes(app, o);
      await mergeRoutes(app, o);
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
