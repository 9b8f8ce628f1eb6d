// The HTTP application: plugins, the access check, the error vocabulary, OpenAPI, and every room's routes.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifyMultipart from "@fastify/multipart";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { AppContext } from "../context.ts";
import { ROOMS } from "../rooms.ts";
import { accessHook, enforceAccessDeclarations } from "./access.ts";
import { type DeclaredInput, declaredBody, enforceBodyRule } from "./bodies.ts";
import { NOT_FOUND } from "./errors.ts";
import { loggerOptions } from "./logging.ts";
import { installMetrics } from "./metrics.ts";
import {
  clientErrorHandler,
  errorHandler,
  frameworkErrorHandler,
  schemaErrorFormatter,
  sendProblem,
} from "./problem.ts";
import { securityHeaders } from "./security.ts";

export type App = FastifyInstance;

declare module "fastify" {
  interface FastifyInstance {
    declaredRoutes: import("./access.ts").DeclaredRoute[];
    /** Every API route's params, query, headers and body schemas and the content types it takes. */
    declaredInputs: DeclaredInput[];
  }
}

const WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

export async function buildApp(ctx: AppContext, opts: { logger?: FastifyServerOptions["logger"] } = {}) {
  const app = Fastify({
    logger: opts.logger ?? (loggerOptions(ctx.config.logLevel) as unknown as FastifyServerOptions["logger"]),
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // A path parameter longer than this answers 414 before its route sees it; below it, the route's own schema
    // refuses a parameter too long for it with a 400 that names the field (a 101-character slug is a bad slug, not a
    // long address).
    routerOptions: { maxParamLength: 500 },
    schemaErrorFormatter,
    // Errors before routing and requests Node cannot parse answer in the same vocabulary as the rest.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ajv: { customOptions: { allErrors: false, coerceTypes: "array", removeAdditional: false, strictTypes: false } },
  });

  const routes = enforceAccessDeclarations(app);
  app.decorate("declaredRoutes", routes);
  app.decorate("declaredInputs", enforceBodyRule(app));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    // A missing asset is a 404, not the application's page (a stale bundle must fail visibly).
    if (req.url.startsWith("/api/") || req.url.startsWith("/assets/") || !existsSync(WEB_DIST)) {
      return sendProblem(reply, 404, "not_found", NOT_FOUND.route, { subject: "route" });
    }
    // The single-page application answers every other path.
    return reply.type("text/html; charset=utf-8").sendFile("index.html");
  });

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: ctx.config.maxAttachmentBytes,
      files: ctx.config.maxAttachments,
      fields: 20,
      fieldSize: 100_000,
      parts: ctx.config.maxAttachments + 20,
    },
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => ({
      statusCode: 429,
      code: "rate_limited",
      message: `Слишком много запросов. Повторите через ${Math.ceil(c.ttl / 1000)} с.`,
    }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Otklik API",
        version: "1",
        description: "Обращения, отслеживание, справочник линий, база знаний и каналы службы поддержки.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          session: { type: "apiKey", in: "cookie", name: "otklik_session" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access;
      const security: Record<string, string[]>[] =
        access === undefined || access === "public" ? [] : [{ bearer: [] }, { session: [] }];
      const extra =
        access && access !== "public"
          ? `\n\nДоступ: ${access === "staff" ? "любой сотрудник" : access.join(", ")}.`
          : "";
      return {
        schema: {
          ...schema,
          ...(schema?.body ? { body: declaredBody(schema.body) } : {}),
          security,
          description: `${schema?.description ?? ""}${extra}`.trim(),
        },
        url,
      };
    },
  });
  securityHeaders(app);
  app.addHook("onRequest", (_request, _reply, done) => {
    ctx.pressure.hit();
    done();
  });
  app.addHook("onRequest", accessHook(ctx));
  await installMetrics(app, ctx);

  await app.register(
    async (api) => {
      for (const room of ROOMS) if (room.routes) await api.register(room.routes, { ctx });
      api.get("/openapi.json", { config: { access: "public" }, schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: "/api/v1" },
  );

  if (existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: "/",
      wildcard: false,
      index: ["index.html"],
    });
  }
  return app;
}

export const WEB_DIST_DIR = path.resolve(WEB_DIST);
