// HTTP for staff notifications: the list behind the console's bell, marking them read, and their live feed.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { Id, StringEnum } from "../http/schemas.ts";
import { type FeedFactory, openFeedStream } from "../http/sse.ts";
import { myNotifications, mySettings, readMine, saveMySettings } from "./notifications.ts";
import { NOTICE_KIND_LIST, NOTIFICATION_TOPIC } from "./notify.ts";

const KINDS = NOTICE_KIND_LIST;
const Settings = Type.Object({
  kinds: Type.Array(Type.Object({ kind: StringEnum(KINDS), title: Type.String(), enabled: Type.Boolean() })),
});

/** The console's feed of one's own notifications (for the bell). */
export const notificationsFeed = ((user) => (e) =>
  e.topic === NOTIFICATION_TOPIC && e.data.userId === user.id
    ? { id: e.data.notificationId }
    : null) satisfies FeedFactory;

export async function notificationRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/notifications",
    {
      config: { access: "staff" },
      schema: {
        summary: "Мои уведомления (последние 100) и они же по группам: одна группа на обращение",
        tags: ["staff"],
        querystring: Type.Object({ unread: Type.Optional(Type.Boolean()) }),
        response: {
          200: Type.Object({
            unread: Type.Integer(),
            items: Type.Array(
              Type.Object({
                id: Type.Integer(),
                kind: Type.String(),
                title: Type.String(),
                number: Type.Union([Type.Null(), Type.String()]),
                createdAt: Type.String({ format: "date-time" }),
                read: Type.Boolean(),
              }),
            ),
            groups: Type.Array(
              Type.Object({
                key: Type.String(),
                number: Type.Union([Type.Null(), Type.String()]),
                kind: Type.String(),
                title: Type.String(),
                createdAt: Type.String({ format: "date-time" }),
                count: Type.Integer(),
                unread: Type.Integer(),
                ids: Type.Array(Type.Integer()),
              }),
            ),
          }),
        },
      },
    },
    async (req) => myNotifications(ctx, staffOf(req).id, req.query.unread === true),
  );

  app.post(
    "/notifications/read",
    {
      config: { access: "staff" },
      schema: {
        summary: "Отметить уведомления прочитанными (все, если ids не даны)",
        tags: ["staff"],
        body: Type.Object({ ids: Type.Optional(Type.Array(Id(), { maxItems: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ unread: Type.Integer() }) },
      },
    },
    async (req) => ({ unread: await readMine(ctx, staffOf(req).id, req.body.ids) }),
  );

  app.get(
    "/notifications/settings",
    {
      config: { access: "staff" },
      schema: {
        summary: "О чём мне сообщать: виды уведомлений и включён ли каждый",
        tags: ["staff"],
        response: { 200: Settings },
      },
    },
    async (req) => mySettings(ctx, staffOf(req).id),
  );

  app.put(
    "/notifications/settings",
    {
      config: { access: "staff" },
      schema: {
        summary: "Выбрать, о чём сообщать: выключенные виды уведомлений больше не приходят",
        tags: ["staff"],
        body: Type.Object(
          { muted: Type.Array(StringEnum(KINDS), { maxItems: KINDS.length * 2 }) },
          { additionalProperties: false },
        ),
        response: { 200: Settings },
      },
    },
    async (req) => saveMySettings(ctx, staffOf(req).id, req.body.muted),
  );

  app.get(
    "/notifications/events",
    {
      config: { access: "staff" },
      schema: { summary: "Поток новых уведомлений для значка в консоли (Server-Sent Events)", tags: ["staff"] },
    },
    async (req, reply) => openFeedStream(ctx, req, reply, notificationsFeed(staffOf(req))),
  );
}
