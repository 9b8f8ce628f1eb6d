// Single sign-on through the organisation's OpenID Connect provider, and which ways of signing in are on.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import { AppError } from "../http/errors.ts";
import { Problem, StringEnum } from "../http/schemas.ts";
import { FLOW_TTL_MS, OIDC_CALLBACK_PATH, OidcClient, oidcErrors } from "./oidc.ts";
import { setSessionCookie } from "./session-cookie.ts";

// Binds a sign-in to the browser that began it. SameSite=Lax: the provider's redirect back is a cross-site
// navigation, on which a Strict cookie would not come.
const FLOW_COOKIE = "otklik_oidc";
const FLOW_COOKIE_PATH = "/api/v1/auth/oidc";

const Redirect = Type.Null({ description: "Переход по адресу из заголовка Location" });

export async function oidcRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const oidc = new OidcClient(ctx.config);
  const secure = ctx.config.publicUrl.startsWith("https:");

  app.get(
    "/auth/methods",
    {
      config: { access: "public" },
      schema: {
        summary: "Какими способами сотрудники входят в консоль: пароль, единый вход",
        description:
          "password: all — все по паролю; break_glass — по паролю только аварийный администратор (OTKLIK_PASSWORD_LOGIN=off). sso: true, если настроен единый вход (OTKLIK_OIDC_ISSUER); начинается переходом на ssoStartUrl.",
        tags: ["staff"],
        response: {
          200: Type.Object({
            password: StringEnum(["all", "break_glass"] as const),
            sso: Type.Boolean(),
            ssoStartUrl: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async () => ({
      password: ctx.config.passwordLogin === "off" ? ("break_glass" as const) : ("all" as const),
      sso: oidc.enabled,
      ssoStartUrl: oidc.enabled ? "/api/v1/auth/oidc/start" : null,
    }),
  );

  app.get(
    "/auth/oidc/start",
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        summary: "Начать вход через единый вход: переход к провайдеру OpenID Connect",
        description:
          "Отвечает 303 на страницу входа провайдера (код авторизации с PKCE, state и nonce) и ставит cookie, связывающий вход с этим браузером на 10 минут.",
        tags: ["staff"],
        response: { 303: Redirect, 404: Problem, 502: Problem, 503: Problem },
      },
    },
    async (req, reply) => {
      try {
        if (!oidc.enabled) throw oidcErrors.notConfigured();
        const { url, browser } = await oidc.start(ctx.db);
        reply.setCookie(FLOW_COOKIE, browser, {
          path: FLOW_COOKIE_PATH,
          httpOnly: true,
          sameSite: "lax",
          secure,
          maxAge: FLOW_TTL_MS / 1000,
        });
        return reply.redirect(url, 303);
      } catch (e) {
        return failed(req, reply, e);
      }
    },
  );

  app.get(
    OIDC_CALLBACK_PATH.replace("/api/v1", ""),
    {
      config: { access: "public", rateLimit: { max: 20, timeWindow: "1 minute" } },
      schema: {
        summary: "Возврат от провайдера единого входа: сессия сотрудника и переход в консоль",
        description:
          "Проверяет state (вход начат в этом браузере, не использован, не старше 10 минут), обменивает код с PKCE, проверяет подпись ID-токена по ключам провайдера и nonce, создаёт или обновляет сотрудника по утверждению с ролями и ставит cookie сессии, как вход по паролю. Браузер (Accept: text/html) при ошибке попадает на страницу входа с кодом ошибки в sso_error, другой клиент получает problem+json.",
        tags: ["staff"],
        querystring: Type.Object(
          {
            code: Type.Optional(Type.String({ maxLength: 4096 })),
            state: Type.Optional(Type.String({ maxLength: 1024 })),
            iss: Type.Optional(Type.String({ maxLength: 2048 })),
            error: Type.Optional(Type.String({ maxLength: 256 })),
            error_description: Type.Optional(Type.String({ maxLength: 2048 })),
            session_state: Type.Optional(Type.String({ maxLength: 1024 })),
          },
          { additionalProperties: true },
        ),
        response: {
          303: Redirect,
          400: Problem,
          401: Problem,
          403: Problem,
          404: Problem,
          409: Problem,
          502: Problem,
          503: Problem,
        },
      },
    },
    async (req, reply) => {
      const browser = req.cookies[FLOW_COOKIE];
      reply.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
      try {
        if (!oidc.enabled) throw oidcErrors.notConfigured();
        const query = req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : "";
        const user = await oidc.finish(ctx.db, query, browser);
        await setSessionCookie(ctx, reply, user.id, secure);
        return reply.redirect("/console", 303);
      } catch (e) {
        return failed(req, reply, e);
      }
    },
  );
}

/** A person's browser lands on the sign-in page, which says what went wrong; a program gets problem+json. */
function failed(req: FastifyRequest, reply: FastifyReply, e: unknown) {
  if (!(e instanceof AppError)) throw e;
  if (!String(req.headers.accept ?? "").includes("text/html")) throw e;
  return reply.redirect(`/console/login?sso_error=${encodeURIComponent(e.code)}`, 303);
}
