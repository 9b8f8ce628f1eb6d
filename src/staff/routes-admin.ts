// Administration of staff accounts: list, invite and create them; change the role, department or name; reset the
// password (a one-time link) or the second factor; deactivate and reactivate; every employee's API tokens. The links
// themselves are redeemed here too, by the employee, without a session.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { Problem, StringEnum } from "../http/schemas.ts";
import { type Account, setActive } from "./accounts.ts";
import { changeAccount, inviteUser, readLink, redeemLink, resetPassword, resetTotp } from "./admin.ts";
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

const StaffListItem = Type.Composite([
  StaffAccount,
  Type.Object({
    hasPassword: Type.Boolean({
      description: "Пароль задан (false — приглашение или сброс ещё не использованы, либо только единый вход)",
    }),
    secondFactor: Type.Boolean({ description: "Включён второй фактор (TOTP)" }),
  }),
]);

const LinkView = Type.Object({
  url: Type.String({ description: "Одноразовая ссылка; показывается один раз" }),
  expiresAt: Type.String({ format: "date-time" }),
});

const DepartmentRef = Type.Union([Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), Type.Null()]);

const LinkToken = Type.String({ minLength: 20, maxLength: 100, pattern: "^[A-Za-z0-9_-]+$" });

export async function adminRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/admin/users",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Учётные записи сотрудников, отключённые тоже",
        description: "Руководители смены видят список; менять его может только администратор.",
        tags: ["admin"],
        response: { 200: Type.Array(StaffListItem) },
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

  app.post(
    "/admin/users/invite",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Пригласить сотрудника: учётная запись и одноразовая ссылка для пароля",
        description:
          "Ссылка действует неделю и показывается один раз; по ней сотрудник задаёт пароль. Когда вход по паролю выключен (OTKLIK_PASSWORD_LOGIN=off), ссылки нет (link: null): сотрудник входит через единый вход.",
        tags: ["admin"],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            role: StringEnum(ROLES),
            departmentId: Type.Optional(DepartmentRef),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ account: StaffAccount, link: Type.Union([LinkView, Type.Null()]) }),
          400: Problem,
          409: Problem,
        },
      },
    },
    async (req, reply) => {
      const made = await inviteUser(ctx.db, ctx.config, req.body, { userId: staffOf(req).id });
      return reply.code(201).send({
        account: made.account,
        link: made.link && { url: made.link.url, expiresAt: made.link.expiresAt.toISOString() },
      });
    },
  );

  app.patch(
    "/admin/users/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Изменить роль, подразделение или имя сотрудника; отключить или снова включить его",
        description:
          "Отключение сразу завершает его сессии и отзывает токены (следующий запрос — 401), запрещает вход, снимает со смены; имя остаётся в истории обращений. Включение разрешает вход снова; отозванные токены не возвращаются. Новая роль завершает сессии сотрудника. Последний действующий администратор не может быть отключён или лишён роли.",
        tags: ["admin"],
        params: UserId,
        body: Type.Object(
          {
            active: Type.Optional(Type.Boolean()),
            role: Type.Optional(StringEnum(ROLES)),
            departmentId: Type.Optional(DepartmentRef),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: StaffAccount, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const by = { userId: staffOf(req).id };
      const { active, ...rest } = req.body;
      let result: Account | undefined;
      // Switching off comes last and switching on first: the other changes are made on a working account.
      if (active === true) result = await setActive(ctx.db, req.params.id, true, by);
      if (Object.keys(rest).length > 0) result = await changeAccount(ctx.db, req.params.id, rest, by);
      if (active === false) result = await setActive(ctx.db, req.params.id, false, by);
      return result!;
    },
  );

  app.post(
    "/admin/users/:id/password-reset",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Сбросить пароль сотрудника: новая одноразовая ссылка",
        description:
          "Старый пароль сразу перестаёт действовать, сессии сотрудника завершаются. Ссылка действует сутки и показывается один раз.",
        tags: ["admin"],
        params: UserId,
        response: { 200: LinkView, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const link = await resetPassword(ctx.db, ctx.config, req.params.id, { userId: staffOf(req).id });
      return { url: link.url, expiresAt: link.expiresAt.toISOString() };
    },
  );

  app.delete(
    "/admin/users/:id/totp",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Выключить второй фактор сотрудника (потерян телефон)",
        tags: ["admin"],
        params: UserId,
        response: { 200: StaffAccount, 404: Problem, 409: Problem },
      },
    },
    async (req) => resetTotp(ctx.db, req.params.id, { userId: staffOf(req).id }),
  );

  app.get(
    "/auth/password-link/:token",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        summary: "Для кого одноразовая ссылка: приглашение или сброс пароля",
        tags: ["staff"],
        params: Type.Object({ token: LinkToken }),
        response: {
          200: Type.Object({
            purpose: StringEnum(["invite", "reset"] as const),
            email: Type.String(),
            name: Type.String(),
          }),
          404: Problem,
        },
      },
    },
    async (req) => readLink(ctx.db, req.params.token),
  );

  app.post(
    "/auth/password-link",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        summary: "Задать пароль по одноразовой ссылке",
        description: "Ссылка тратится; после этого сотрудник входит с новым паролем.",
        tags: ["staff"],
        body: Type.Object(
          { token: LinkToken, password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ email: Type.String() }), 400: Problem, 404: Problem },
      },
    },
    async (req) => redeemLink(ctx.db, req.body.token, req.body.password),
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
