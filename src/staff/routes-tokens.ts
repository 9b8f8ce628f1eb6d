// An employee's own API tokens: list, make (from a signed-in console session only), revoke.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Problem } from "../http/schemas.ts";
import { issueToken, listTokens, revokeToken } from "./api-tokens.ts";

export const TokenId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

// Dates go out as ISO strings (the serialiser turns a Date into one).
const Time = Type.Unsafe<string | Date>({ type: "string", format: "date-time" });
export const TokenView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time,
  lastUsedAt: Type.Union([Time, Type.Null()]),
  revokedAt: Type.Union([Time, Type.Null()]),
});

export async function tokenRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/tokens",
    {
      config: { access: "staff" },
      schema: {
        summary: "Свои токены API: название, начало токена, когда создан, когда использован, когда отозван",
        tags: ["staff"],
        response: { 200: Type.Array(TokenView) },
      },
    },
    async (req) => listTokens(ctx.db, staffOf(req).id),
  );

  app.post(
    "/tokens",
    {
      config: { access: "staff" },
      schema: {
        summary: "Создать свой токен API; сам токен показывается один раз",
        description:
          "Только из консоли, после входа по паролю: токен не выпускает другие токены (украденный не переживёт свой отзыв).",
        tags: ["staff"],
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: {
          201: Type.Composite([TokenView, Type.Object({ token: Type.String() })]),
          400: Problem,
          403: Problem,
        },
      },
    },
    async (req, reply) => {
      if (req.authVia !== "session") {
        throw errors.forbidden("Новый токен выдаётся только в консоли, после входа по паролю, а не по другому токену.");
      }
      const user = staffOf(req);
      const made = await issueToken(ctx.db, user.id, req.body.name.trim(), { userId: user.id });
      return reply.code(201).send(made);
    },
  );

  app.delete(
    "/tokens/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Отозвать свой токен: следующий запрос с ним получит 401",
        tags: ["staff"],
        params: TokenId,
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (req, reply) => {
      const user = staffOf(req);
      await revokeToken(ctx.db, req.params.id, { userId: user.id }, user.id);
      return reply.code(204).send(null);
    },
  );
}
