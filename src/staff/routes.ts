// Signing in and out, who am I, and the lists the console needs (staff, departments).

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { SESSION_COOKIE, staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Problem, StringEnum } from "../requests/schemas.ts";
import { ROLES } from "./schema.ts";
import {
  changePassword,
  checkLogin,
  createSession,
  createUser,
  deleteSession,
  findSession,
  listDepartments,
  listStaff,
  setTotpSecret,
} from "./service.ts";
import { checkTotp, newTotpSecret, totpUri } from "./totp.ts";

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
          "После пяти неверных паролей подряд вход блокируется на 1, 2, 4… минут (не больше часа). Если включён второй фактор, нужен код totp.",
        tags: ["staff"],
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            totp: Type.Optional(Type.String({ maxLength: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Me, 400: Problem, 401: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const { email, password, totp } = req.body;
      const result = await checkLogin(ctx.db, email, password);
      if (!result.ok) {
        if (result.reason === "locked") throw errors.accountLocked(result.retryAfterSeconds ?? 60);
        throw errors.badCredentials();
      }
      if (result.needsTotp) {
        if (!totp) throw errors.totpRequired();
        if (!checkTotp(result.totpSecret!, totp)) throw errors.totpInvalid();
      }
      const session = await createSession(ctx.db, result.user.id);
      reply.setCookie(SESSION_COOKIE, session.id, {
        path: "/",
        httpOnly: true,
        sameSite: "strict",
        secure,
        expires: session.expiresAt,
      });
      return { user: result.user, csrfToken: session.csrfToken };
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

  app.post(
    "/auth/totp/setup",
    {
      config: { access: "staff" },
      schema: {
        summary: "Начать подключение второго фактора: новый секрет и ссылка otpauth:// для приложения",
        tags: ["staff"],
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }) },
      },
    },
    async (req) => {
      const secret = newTotpSecret();
      return { secret, uri: totpUri(secret, staffOf(req).email) };
    },
  );

  app.post(
    "/auth/totp/enable",
    {
      config: { access: "staff" },
      schema: {
        summary: "Включить второй фактор, подтвердив код из приложения",
        tags: ["staff"],
        body: Type.Object(
          { secret: Type.String({ minLength: 16, maxLength: 64 }), code: Type.String({ maxLength: 10 }) },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: Problem },
      },
    },
    async (req, reply) => {
      if (!checkTotp(req.body.secret, req.body.code)) throw errors.totpInvalid();
      await setTotpSecret(ctx.db, staffOf(req).id, req.body.secret);
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
        await deleteSession(ctx.db, sid);
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
        summary: "Сотрудники (для назначения исполнителя)",
        tags: ["staff"],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              role: Type.String(),
              departmentId: Type.Union([Type.Integer(), Type.Null()]),
            }),
          ),
        },
      },
    },
    async () => (await listStaff(ctx.db)).map(({ id, name, role, departmentId }) => ({ id, name, role, departmentId })),
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

  const StaffAccount = Type.Object({
    id: Type.Integer(),
    email: Type.String(),
    name: Type.String(),
    role: StringEnum(ROLES),
    departmentId: Type.Union([Type.Integer(), Type.Null()]),
  });

  app.get(
    "/admin/users",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Учётные записи сотрудников",
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
    async (req, reply) => reply.code(201).send(await createUser(ctx.db, { ...req.body, role: String(req.body.role) })),
  );
}
