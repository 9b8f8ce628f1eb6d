// Signing in and out, who am I, and the lists the console needs (staff, departments).

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { SESSION_COOKIE, staffOf } from "../http/access.ts";
import { AppError, errors } from "../http/errors.ts";
import { Problem, StringEnum } from "../http/schemas.ts";
import { adminRoutes } from "./routes-admin.ts";
import { departmentRoutes } from "./routes-departments.ts";
import { oidcRoutes } from "./routes-oidc.ts";
import { tokenRoutes } from "./routes-tokens.ts";
import { ROLES } from "./schema.ts";
import { beginTotpSetup, confirmTotp, disableTotp, totpReused } from "./second-factor.ts";
import {
  accessChanged,
  changePassword,
  checkLogin,
  deleteSession,
  findSession,
  listDepartments,
  listStaff,
} from "./service.ts";
import { setSessionCookie } from "./session-cookie.ts";

const Me = Type.Object({
  user: Type.Object({
    id: Type.Integer(),
    email: Type.String(),
    name: Type.String(),
    role: StringEnum(ROLES),
    departmentId: Type.Union([Type.Integer(), Type.Null()]),
  }),
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});

const passwordLoginOff = () =>
  new AppError("password_login_disabled", "Вход по паролю выключен: войдите через единый вход организации.", 403);

export async function staffRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const secure = ctx.config.publicUrl.startsWith("https:");

  app.post(
    "/auth/login",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        summary: "Вход сотрудника: ставит cookie сессии и возвращает CSRF-токен",
        description:
          "После пяти неудачных попыток подряд (неверный пароль или код) вход блокируется на 1, 2, 4… минут (не больше часа); попытки считаются и при параллельных запросах. Если включён второй фактор, нужен код totp; каждый код принимается один раз. Когда вход по паролю выключен (OTKLIK_PASSWORD_LOGIN=off), пароль принимается только у аварийного администратора (OTKLIK_BREAK_GLASS_EMAIL), остальным — 403 password_login_disabled.",
        tags: ["staff"],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            totp: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Me, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const { email, password, totp } = req.body;
      const breakGlass = ctx.config.breakGlassEmail;
      const passwordOff = ctx.config.passwordLogin === "off";
      // With password sign-in off, only the break-glass administrator's password is even checked.
      if (passwordOff && email.trim().toLowerCase() !== breakGlass) throw passwordLoginOff();
      const result = await checkLogin(ctx.db, email, password, totp);
      if (!result.ok) {
        if (result.reason === "locked") throw errors.accountLocked(result.retryAfterSeconds ?? 60);
        if (result.reason === "totp_required") throw errors.totpRequired();
        if (result.reason === "totp_invalid") throw errors.totpInvalid();
        if (result.reason === "totp_reused") throw totpReused();
        throw errors.badCredentials();
      }
      if (passwordOff && result.user.role !== "administrator") throw passwordLoginOff();
      const csrfToken = await setSessionCookie(ctx, reply, result.user.id, secure);
      return { user: result.user, csrfToken };
    },
  );

  app.post(
    "/auth/password",
    {
      config: { access: "staff" },
      schema: {
        summary: "Сменить свой пароль; все другие сессии завершаются",
        tags: ["staff"],
        body: Type.Object(
          {
            current: Type.String({ minLength: 1, maxLength: 200 }),
            next: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: Problem, 401: Problem },
      },
    },
    async (req, reply) => {
      await changePassword(ctx.db, staffOf(req).id, req.body.current, req.body.next, req.cookies[SESSION_COOKIE]);
      return reply.code(204).send(null);
    },
  );

  const PasswordBody = Type.Object(
    { password: Type.String({ minLength: 1, maxLength: 200 }) },
    { additionalProperties: false },
  );

  app.post(
    "/auth/totp/setup",
    {
      config: { access: "staff" },
      schema: {
        summary: "Начать подключение или замену второго фактора: сервер создаёт секрет, нужен текущий пароль",
        description:
          "Возвращает секрет и ссылку otpauth:// для приложения. Секрет вступает в силу после /auth/totp/enable с кодом из него; до этого действует прежний.",
        tags: ["staff"],
        body: PasswordBody,
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }), 400: Problem, 429: Problem },
      },
    },
    async (req) => beginTotpSetup(ctx.db, staffOf(req), req.body.password),
  );

  app.post(
    "/auth/totp/enable",
    {
      config: { access: "staff" },
      schema: {
        summary: "Включить второй фактор, подтвердив код из приложения для секрета, выданного /auth/totp/setup",
        tags: ["staff"],
        body: Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), 400: Problem, 401: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await confirmTotp(ctx.db, staffOf(req).id, req.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/totp/disable",
    {
      config: { access: "staff" },
      schema: {
        summary: "Отключить второй фактор; нужен текущий пароль",
        tags: ["staff"],
        body: PasswordBody,
        response: { 204: Type.Null(), 400: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await disableTotp(ctx.db, staffOf(req).id, req.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { access: "public" },
      schema: {
        summary: "Выход: сессия удаляется на сервере",
        tags: ["staff"],
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) {
        const session = await findSession(ctx.db, sid);
        // Logging out of someone else's browser needs their CSRF token too.
        if (session && req.headers["x-csrf-token"] !== session.csrfToken) throw errors.csrf();
        if (session) {
          await ctx.db.transaction(async (tx) => {
            await deleteSession(tx, sid);
            await accessChanged(tx, session.user.id);
          });
        }
      }
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      config: { access: "staff" },
      schema: {
        summary: "Текущий сотрудник и его CSRF-токен",
        tags: ["staff"],
        response: { 200: Me, 401: Problem },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const sid = req.cookies[SESSION_COOKIE];
      const session = req.authVia === "session" && sid ? await findSession(ctx.db, sid) : undefined;
      return { user, csrfToken: session?.csrfToken ?? null };
    },
  );

  app.get(
    "/staff",
    {
      config: { access: "staff" },
      schema: {
        summary: "Сотрудники: для назначения исполнителя (только active) и имён в истории (все)",
        tags: ["staff"],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              role: Type.String(),
              departmentId: Type.Union([Type.Integer(), Type.Null()]),
              active: Type.Boolean(),
            }),
          ),
        },
      },
    },
    async () =>
      (await listStaff(ctx.db)).map(({ id, name, role, departmentId, active }) => ({
        id,
        name,
        role,
        departmentId,
        active,
      })),
  );

  app.get(
    "/departments",
    {
      config: { access: "staff" },
      schema: {
        summary: "Подразделения",
        tags: ["staff"],
        response: {
          200: Type.Array(Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() })),
        },
      },
    },
    async () => listDepartments(ctx.db),
  );

  await tokenRoutes(fastify, ctx);
  await oidcRoutes(fastify, ctx);
  await adminRoutes(fastify, ctx);
  await departmentRoutes(fastify, ctx);
}
