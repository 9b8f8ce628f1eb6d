// The notifications room: the policy every channel's adapter applies (policy.ts, gate.ts) and the public page's API
// behind the unsubscribe link of each notification.

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import { Problem, StringEnum } from "../http/schemas.ts";
import type { Room } from "../room.ts";
import { followShortLink } from "./short-links.ts";
import { isOptedOut, optOut, readUnsubscribeToken } from "./unsubscribe.ts";

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const State = Type.Object({
  medium: StringEnum(["email", "sms"] as const, { description: "письма или СМС" }),
  unsubscribed: Type.Boolean({ description: "приходят только уведомления о регистрации и решении обращений" }),
});

function tokenOf(token: string) {
  const t = readUnsubscribeToken(token);
  if (!t) {
    throw errors.badInput(
      "invalid_unsubscribe_link",
      "Ссылка для отказа от уведомлений повреждена: откройте её из письма целиком.",
      { field: "token" },
    );
  }
  return t;
}

// A mail program's one-click unsubscribe (RFC 8058) posts this form; the public page posts an empty JSON object.
const OneClick = Type.Object(
  { "List-Unsubscribe": Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: false },
);

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const limit = ctx.config.publicRateLimit;

  app.get(
    "/notifications/links/:code",
    {
      // A code is a secret: guessing is held to a few tries a minute per address.
      config: { access: "public", rateLimit: limit > 0 ? { max: limit * 3, timeWindow: "1 minute" } : false },
      schema: {
        summary: "Куда ведёт короткая ссылка из СМС: страница обращения",
        tags: ["tracking"],
        params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 40 }) }),
        response: { 200: Type.Object({ trackingPath: Type.String() }), 404: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      const token = await followShortLink(ctx, req.params.code);
      if (!token) throw errors.notFound("link");
      return { trackingPath: `/track/${token}` };
    },
  );
  app.get(
    "/notifications/unsubscribe/:token",
    {
      config: { access: "public" },
      schema: {
        summary: "Подписка на уведомления по ссылке из письма: что приходит сейчас",
        tags: ["tracking"],
        params: TokenParams,
        response: { 200: State, 400: Problem },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      const t = tokenOf(req.params.token);
      return { medium: t.medium, unsubscribed: await isOptedOut(ctx, t) };
    },
  );

  app.post(
    "/notifications/unsubscribe/:token",
    {
      config: { access: "public" },
      schema: {
        summary: "Отказ от уведомлений, кроме регистрации и решения обращений (подтверждение по ссылке из письма)",
        tags: ["tracking"],
        params: TokenParams,
        body: OneClick,
        response: { 200: State, 400: Problem },
      },
    },
    async (req) => {
      const t = tokenOf(req.params.token);
      await optOut(ctx, t);
      return { medium: t.medium, unsubscribed: true };
    },
  );
}

export const notificationsRoom: Room = { name: "notifications", routes };
