// The chat's HTTP and WebSocket routes. The applicant starts a session with contact details and talks over
// /chat/ws with its token; employees use the same socket with their session or token, and act through HTTP.

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import fastifyWebsocket from "@fastify/websocket";
import { Type } from "@sinclair/typebox";
import { eq } from "drizzle-orm";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { staffOf } from "../../http/access.ts";
import { AppError, errors, isAppError } from "../../http/errors.ts";
import { formOnly, Id, IdParams, multipartOf, Natural, Problem } from "../../http/schemas.ts";
import { type StoredFile, safeFilename } from "../../requests/files.ts";
import { sendAttachment } from "../../requests/routes-public.ts";
import { sha256 } from "../../security/tokens.ts";
import { departments, users } from "../../staff/schema.ts";
import { startSession } from "./applicant.ts";
import { chatFiles } from "./db-schema.ts";
import { chatHoursRoutes, currentChatHours } from "./hours-setting.ts";
import { conversationDetail, firstLineIdOf, inbox, revealContact } from "./inbox.ts";
import { accept, close, mayAttach, transfer } from "./operator.ts";
import { chatSettings } from "./settings.ts";
import { acceptSocket } from "./socket.ts";
import { hubOf } from "./state.ts";
import { conversationByTokenHash } from "./store.ts";

const Ok = Type.Object({ ok: Type.Literal(true) });
const UploadedFile = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
});

/** What a chat takes: images a browser shows and PDF (the widget's file picker offers the same). */
const CHAT_FILE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]);
const refusedType = (filename: string) =>
  errors.unsupportedType(
    `Файл «${filename}» не принят: в чат можно отправить изображение (PNG, JPEG, GIF, WebP) или PDF.`,
  );

/** A file for a conversation: an image or a PDF by its content, within the chat's size limit. */
async function receiveFile(ctx: AppContext, req: FastifyRequest, conversationId: number) {
  if (!req.isMultipart()) throw errors.badInput("multipart_required", "Отправьте файл формой multipart/form-data.");
  const part = await req.file();
  if (!part) throw errors.badInput("file_missing", "Файл не приложен.");
  const max = chatSettings(ctx).maxFileBytes;
  let content: Buffer;
  try {
    content = await part.toBuffer();
  } catch {
    throw errors.tooLarge(`Файл больше ${Math.floor(max / 1024 / 1024)} МБ.`);
  }
  // Named as the applicant sent it (made safe to show): the store may give the kept file another extension.
  const name = safeFilename(part.filename || "file");
  if (part.file.truncated || content.length > max) {
    throw errors.tooLarge(`Файл «${name}» больше ${Math.floor(max / 1024 / 1024)} МБ.`);
  }
  let stored: StoredFile;
  try {
    stored = await ctx.files.put(part.filename || "file", content);
  } catch (e) {
    // The store's refusal lists what a request may carry (documents, text): the chat names its own narrower list.
    if (isAppError(e) && e.code === "unsupported_media_type") throw refusedType(name);
    throw e;
  }
  if (!CHAT_FILE_TYPES.has(stored.contentType)) {
    await ctx.files.remove(stored.id);
    throw refusedType(name);
  }
  await ctx.db.insert(chatFiles).values({ ...stored, conversationId });
  return { id: stored.id, filename: stored.filename, contentType: stored.contentType, size: stored.size };
}
const FileForm = formOnly(multipartOf(Type.Object({}), "file"));
const Hours = Type.Object({
  open: Type.Boolean(),
  opensAt: Type.Union([Type.String(), Type.Null()]),
  closesAt: Type.Union([Type.String(), Type.Null()]),
  text: Type.String(),
  back: Type.Union([Type.String(), Type.Null()], {
    description: "Когда операторы вернутся: «завтра в 9:00 по московскому времени»",
  }),
});
const TOKEN_HEADER = "x-chat-token";
const Contact = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
// The applicant's routes answer any site that embeds /widget.js: they carry no cookie, only the chat token.
const PUBLIC_CHAT = new Set([
  "/api/v1/chat/hours",
  "/api/v1/chat/sessions",
  "/api/v1/chat/files",
  "/api/v1/chat/files/:id",
]);

/**
 * An error on an open chat socket. A client's broken frame (too big, bad UTF-8, a bad opcode) or a cut connection is
 * the client's doing, and ws has already closed the socket with the matching code: a line at debug, not an error with
 * a stack that anyone on the internet could write into the log at will. Anything else is ours and logged as an error.
 */
function socketError(this: unknown, error: Error, socket: { terminate(): void }, req: FastifyRequest) {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (code.startsWith("WS_ERR_") || code === "ECONNRESET" || code === "EPIPE")) {
    req.log.debug({ code }, "chat socket closed on the client's error");
  } else {
    req.log.error(error);
  }
  socket.terminate();
}

export async function chatRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  if (!fastify.hasDecorator("websocketServer"))
    await fastify.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 }, errorHandler: socketError });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const firstLine = await firstLineIdOf(ctx);
  fastify.addHook("onSend", async (req, reply) => {
    if (PUBLIC_CHAT.has(req.routeOptions.url ?? "")) reply.header("access-control-allow-origin", "*");
  });
  const limit = ctx.config.publicRateLimit;

  app.get(
    "/chat/hours",
    {
      config: { access: "public" },
      schema: {
        summary: "Работают ли сейчас операторы чата и когда начнут",
        description:
          "Часы задаёт администратор (PUT /api/v1/admin/chat/hours); пока не задал — 09:00–21:00 по Москве в рабочие дни производственного календаря справочника.",
        tags: ["chat"],
        response: { 200: Hours },
      },
    },
    async () => currentChatHours(ctx),
  );

  app.post(
    "/chat/sessions",
    {
      config: { access: "public", rateLimit: limit > 0 ? { max: limit, timeWindow: "1 minute" } : false },
      schema: {
        summary: "Начать чат: контактные данные заявителя, в ответ — токен сессии чата",
        description:
          "Токен открывает WebSocket `/api/v1/chat/ws?token=…` и загрузку файлов (заголовок X-Chat-Token). Нужны почта или телефон.",
        tags: ["chat"],
        body: Type.Object(
          {
            contact: Type.Optional(Contact),
            // The same fields at the top level: the widget on another site posts a plain form (no preflight).
            ...Contact.properties,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), conversationId: Type.Integer(), hours: Hours }),
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      reply.code(201);
      const { contact, ...flat } = req.body;
      return startSession(ctx, contact ?? flat);
    },
  );

  app.post(
    "/chat/files",
    {
      config: { access: "public" },
      schema: {
        summary: "Загрузить изображение или PDF в чат (multipart, поле file); затем сослаться на него в сообщении",
        description:
          "Тип определяется по содержимому. Токен сессии чата — в заголовке X-Chat-Token или параметре token.",
        tags: ["chat"],
        headers: Type.Object({ [TOKEN_HEADER]: Type.Optional(Type.String({ minLength: 10, maxLength: 100 })) }),
        querystring: Type.Object({ token: Type.Optional(Type.String({ minLength: 10, maxLength: 100 })) }),
        body: FileForm,
        response: {
          201: UploadedFile,
          400: Problem,
          404: Problem,
          413: Problem,
          415: Problem,
        },
      },
    },
    async (req, reply) => {
      const token = req.headers[TOKEN_HEADER] ?? req.query.token;
      const conv = token ? await conversationByTokenHash(ctx.db, sha256(String(token))) : undefined;
      if (!conv) throw errors.notFound("chat");
      reply.code(201);
      return receiveFile(ctx, req, conv.id);
    },
  );

  app.post(
    "/chat/conversations/:id/files",
    {
      config: { access: "staff" },
      schema: {
        summary:
          "Оператор загружает изображение или PDF в свой чат (multipart, поле file); затем ссылается на него в сообщении",
        description: "Тип определяется по содержимому. Только в чат, который ведёт сотрудник (руководитель — в любой).",
        tags: ["chat"],
        params: IdParams,
        body: FileForm,
        response: { 201: UploadedFile, 400: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem },
      },
    },
    async (req, reply) => {
      await mayAttach(ctx, staffOf(req), req.params.id);
      reply.code(201);
      return receiveFile(ctx, req, req.params.id);
    },
  );

  app.get(
    "/chat/files/:id",
    {
      config: { access: "public" },
      schema: {
        summary: "Файл из чата (для заявителя, по токену сессии чата)",
        tags: ["chat"],
        params: Type.Object({ id: Type.String({ format: "uuid" }) }),
        querystring: Type.Object({ token: Type.String({ minLength: 10 }) }),
      },
    },
    async (req, reply) => {
      const conv = await conversationByTokenHash(ctx.db, sha256(req.query.token));
      const [file] = await ctx.db.select().from(chatFiles).where(eq(chatFiles.id, req.params.id));
      if (!conv || !file || file.conversationId !== conv.id) throw errors.notFound("file");
      return sendAttachment(ctx, reply, file);
    },
  );

  // `wsHandler` rather than `websocket: true`, which would hide the route from the OpenAPI document.
  app.route({
    method: "GET",
    url: "/chat/ws",
    config: { access: "public" },
    schema: {
      summary: "WebSocket чата: заявитель по токену сессии, сотрудник по сессии или токену API",
      description:
        "Только с заголовком Upgrade: websocket (иначе 426). Кадры JSON: клиент шлёт `msg` (id клиента, text, files, action), `typing`, `sync` (since), `ping`; сервер — `ready`, `ack` (id, seq), `msg` (seq по разговору), `state`, `typing`, `inbox`, `error`, `pong`. Повтор с тем же id не создаёт второго сообщения. См. docs/CHAT.md.",
      tags: ["chat"],
      querystring: Type.Object({
        token: Type.Optional(Type.String({ description: "токен сессии чата (заявитель)" })),
        since: Type.Optional(Natural({ description: "последний полученный номер сообщения" })),
      }),
      response: { 426: Problem },
    },
    handler: async (_req, reply) => {
      reply.header("upgrade", "websocket");
      throw new AppError("upgrade_required", "Этот адрес открывается как WebSocket.", 426);
    },
    wsHandler: (socket, req) => acceptSocket(ctx, hubOf(ctx), socket, req, () => firstLine),
  });

  app.get(
    "/chat/inbox",
    {
      config: { access: "staff" },
      schema: {
        summary: "Очередь чатов, доступная сотруднику, и его текущие чаты",
        tags: ["chat"],
        response: {
          200: Type.Object({ queue: Type.Array(Type.Any()), mine: Type.Array(Type.Any()), limit: Type.Integer() }),
        },
      },
    },
    async (req) => inbox(ctx, staffOf(req), firstLine),
  );

  app.get(
    "/chat/conversations/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Чат целиком: переписка, контакт, прежние обращения заявителя и ответы из базы знаний",
        description:
          "Почта и телефон заявителя скрыты (показать — POST …/reveal с причиной); прежние обращения — только те, что сотрудник может открыть. Каждое открытие записывается в журнал доступа.",
        tags: ["chat"],
        params: IdParams,
        response: { 200: Type.Any(), 404: Problem },
      },
    },
    async (req) => conversationDetail(ctx, staffOf(req), req.params.id, firstLine),
  );

  app.post(
    "/chat/conversations/:id/reveal",
    {
      config: { access: "staff" },
      schema: {
        summary: "Показать контакты заявителя чата полностью; причина записывается в журнал доступа",
        tags: ["chat"],
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            name: Type.Union([Type.String(), Type.Null()]),
            email: Type.Union([Type.String(), Type.Null()]),
            phone: Type.Union([Type.String(), Type.Null()]),
          }),
          400: Problem,
          404: Problem,
        },
      },
    },
    async (req) => revealContact(ctx, staffOf(req), req.params.id, req.body.reason, firstLine),
  );

  app.post(
    "/chat/conversations/:id/accept",
    {
      config: { access: "staff" },
      schema: {
        summary: "Принять чат из очереди (в пределах лимита одновременных чатов)",
        tags: ["chat"],
        params: IdParams,
        response: { 200: Ok, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await accept(ctx, staffOf(req), req.params.id, firstLine);
      return { ok: true as const };
    },
  );

  app.post(
    "/chat/conversations/:id/transfer",
    {
      config: { access: "staff" },
      schema: {
        summary: "Передать чат другому оператору или в очередь подразделения",
        tags: ["chat"],
        params: IdParams,
        body: Type.Object(
          { operatorId: Type.Optional(Id()), department: Type.Optional(Type.String({ maxLength: 40 })) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const { operatorId, department } = req.body;
      if ((operatorId === undefined) === (department === undefined)) {
        throw errors.validation("Укажите либо оператора, либо подразделение.", { field: "operatorId" });
      }
      if (operatorId !== undefined) {
        const [op] = await ctx.db.select().from(users).where(eq(users.id, operatorId));
        if (!op?.active) throw errors.validation("Такого сотрудника нет.", { field: "operatorId" });
        await transfer(ctx, user, req.params.id, { operatorId }, { operator: { id: op.id, name: op.name } });
      } else {
        const [dept] = await ctx.db.select().from(departments).where(eq(departments.code, department!));
        if (!dept) throw errors.validation(`Неизвестное подразделение «${department}».`, { field: "department" });
        await transfer(ctx, user, req.params.id, { departmentId: dept.id }, { department: dept.name });
      }
      return { ok: true as const };
    },
  );

  app.post(
    "/chat/conversations/:id/close",
    {
      config: { access: "staff" },
      schema: {
        summary: "Завершить чат с результатом: вопрос решён или ответ будет позже в обращении",
        tags: ["chat"],
        params: IdParams,
        body: Type.Object(
          { result: Type.Union([Type.Literal("resolved"), Type.Literal("follow_up")]) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await close(ctx, staffOf(req), req.params.id, req.body.result);
      return { ok: true as const };
    },
  );

  await chatHoursRoutes(fastify, { ctx });
}
