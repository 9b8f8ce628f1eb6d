// Administration of staff accounts: list and create them, deactivate and reactivate, every employee's API tokens.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { Problem, StringEnum } from "../requests/schemas.ts";
import { setActive } from "./accounts.ts";
import { listAllTokens, revokeToken } from "./api-tokens.ts";
import { TokenId, TokenView } from "./routes-tokens.ts";
import { ROLES } from "./schema.ts";
import { createUser, listStaff } from "./service.ts";

const UserId = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

const StaffAccount = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: StringEnum(ROLES),
  departmentId: Type.Union([Type.Integer(), Type.Null()]),
  active: Type.Boolean(),
});

export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/admin/users",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Учётные записи сотрудников, отключённые тоже",
        tags: ["admin"],
        response: { 200: Type.Array(StaffAccount) },
      },
    },
    async () => listStaff(ctx.db),
  );

  app.post(
    "/admin/users",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Создать учётную запись сотрудника",
        tags: ["admin"],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            role: StringEnum(ROLES),
            password: Type.String({ minLength: 10, maxLength: 200 }),
            department: Type.Optional(Type.String({ maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: StaffAccount, 400: Problem, 409: Problem },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send({ ...(await createUser(ctx.db, { ...req.body, role: String(req.body.role) })), active: true }),
  );

  app.patch(
    "/admin/users/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Отключить или снова включить сотрудника",
        description:
          "Отключение сразу завершает его сессии и отзывает токены (следующий запрос — 401), запрещает вход, снимает со смены; имя остаётся в истории обращений. Включение разрешает вход снова; отозванные токены не возвращаются.",
        tags: ["admin"],
        params: UserId,
        body: Type.Object({ active: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: StaffAccount, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => setActive(ctx.db, req.params.id, req.body.active, { userId: staffOf(req).id }),
  );

  app.get(
    "/admin/tokens",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Токены API всех сотрудников",
        tags: ["admin"],
        response: {
          200: Type.Array(
            Type.Composite([
              TokenView,
              Type.Object({
                user: Type.Object({
                  id: Type.Integer(),
                  name: Type.String(),
                  email: Type.String(),
                  active: Type.Boolean(),
                }),
              }),
            ]),
          ),
        },
      },
    },
    async () => listAllTokens(ctx.db),
  );

  app.delete(
    "/admin/tokens/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Отозвать токен любого сотрудника",
        tags: ["admin"],
        params: TokenId,
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (req, reply) => {
      await revokeToken(ctx.db, req.params.id, { userId: staffOf(req).id });
      return reply.code(204).send(null);
    },
  );
}
