// The applicant's side of the registry: the web form, the tracking page's data, replies and the rating.

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Static } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import { parseJsonField, readMultipart } from "../http/multipart.ts";
import { jsonOrForm, multipartOf, Ok, Problem } from "../http/schemas.ts";
import { addApplicantMessage, rateRequest } from "./actions.ts";
import { AUDIENCES, CATEGORIES } from "./categories.ts";

import type { StoredFile } from "./files.ts";
import { findTrackedRequest, getTrackingView } from "./queries.ts";
import { NewRequestBody, Registered, TokenParams, TrackingView } from "./schemas.ts";
import { streamApplicantEvents } from "./sse.ts";

// A form with files: the field `data` holds the JSON body, validated against the same schema by the handler.
const NewRequestForm = multipartOf(
  Type.Object({ data: Type.String({ maxLength: 100_000, description: "JSON обращения" }) }),
  "files",
  "multipart/form-data: поле data (JSON того же вида, что и тело application/json) и файлы",
);
const ReplyBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 20000 }) },
  { additionalProperties: false },
);

export async function publicRequestRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const limit = ctx.config.publicRateLimit;
  const rateLimit = limit > 0 ? { max: limit, timeWindow: "1 minute" } : false;

  app.post(
    "/requests",
    {
      config: { access: "public", rateLimit },
      schema: {
        summary: "Новое обращение (веб-форма)",
        description:
          "Регистрирует обращение и отвечает номером, ссылкой для отслеживания и сроком ответа. Заголовок Idempotency-Key делает повторную отправку безопасной.",
        tags: ["requests"],
        headers: Type.Object({
          "idempotency-key": Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
        }),
        body: jsonOrForm(NewRequestBody, NewRequestForm),
        response: {
          200: Registered,
          201: Registered,
          400: Problem,
          409: Problem,
          413: Problem,
          415: Problem,
          429: Problem,
        },
      },
    },
    async (req, reply) => {
      let body: Static<typeof NewRequestBody>;
      let files: StoredFile[] = [];
      if (req.body) {
        body = req.body;
      } else {
        const parsed = await readMultipart(req, ctx.files, ctx.config.maxAttachments);
        files = parsed.files;
        try {
          body = parseJsonField(NewRequestBody, parsed.fields.data, "data");
        } catch (e) {
          await Promise.all(files.map((f) => ctx.files.remove(f.id)));
          throw e;
        }
      }
      const key = req.headers["idempotency-key"];
      try {
        const r = await ctx.requests.register({ ...body, channel: "web", files, idempotencyKey: key });
        if (r.replayed) {
          await Promise.all(files.map((f) => ctx.files.remove(f.id)));
          reply.header("idempotent-replayed", "true");
        }
        return reply.code(r.replayed ? 200 : 201).send({
          number: r.number,
          trackingUrl: `${ctx.config.publicUrl}/track/${r.trackingToken}`,
          dueAt: r.firstResponseDueAt.toISOString(),
          resolutionDueAt: r.resolutionDueAt.toISOString(),
          status: r.status,
        });
      } catch (e) {
        await Promise.all(files.map((f) => ctx.files.remove(f.id)));
        throw e;
      }
    },
  );

  app.get(
    "/categories",
    {
      config: { access: "public" },
      schema: {
        summary: "Категории обращений и типы заявителей",
        tags: ["requests"],
        response: {
          200: Type.Object({
            categories: Type.Array(Type.Object({ code: Type.String(), title: Type.String() })),
            audiences: Type.Array(Type.Object({ code: Type.String(), title: Type.String() })),
          }),
        },
      },
    },
    async () => ({ categories: [...CATEGORIES], audiences: [...AUDIENCES] }),
  );

  app.get(
    "/track/:token",
    {
      config: { access: "public" },
      schema: {
        summary: "Обращение глазами заявителя (страница отслеживания)",
        tags: ["tracking"],
        params: TokenParams,
        response: { 200: TrackingView, 404: Problem },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return getTrackingView(ctx.db, req.params.token);
    },
  );

  app.get(
    "/track/:token/events",
    {
      config: { access: "public" },
      schema: {
        summary: "Поток изменений обращения (Server-Sent Events)",
        description:
          "Событие `update` приходит, когда оператор ответил или изменился статус; затем страница перечитывает /track/{token}.",
        tags: ["tracking"],
        params: TokenParams,
      },
    },
    async (req, reply) => {
      const { row } = await findTrackedRequest(ctx.db, req.params.token);
      streamApplicantEvents(ctx, req, reply, row.id);
    },
  );

  app.post(
    "/track/:token/messages",
    {
      config: { access: "public", rateLimit: limit > 0 ? { max: limit * 3, timeWindow: "1 minute" } : false },
      schema: {
        summary: "Ответ заявителя (открывает решённое обращение заново)",
        tags: ["tracking"],
        params: TokenParams,
        body: jsonOrForm(ReplyBody),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      let text: string;
      let files: StoredFile[] = [];
      if (req.body) {
        text = req.body.text;
      } else {
        const parsed = await readMultipart(req, ctx.files, ctx.config.maxAttachments);
        files = parsed.files;
        text = parsed.fields.text ?? "";
      }
      try {
        await addApplicantMessage(ctx, req.params.token, text, files);
      } catch (e) {
        await Promise.all(files.map((f) => ctx.files.remove(f.id)));
        throw e;
      }
      return { ok: true as const };
    },
  );

  const RatingBody = Type.Object(
    {
      score: Type.Integer({ minimum: 1, maximum: 5 }),
      comment: Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  );
  app.post(
    "/track/:token/rating",
    {
      config: { access: "public" },
      schema: {
        summary: "Оценка обслуживания (1–5 и комментарий): одна на обращение",
        description:
          "Обращение, которое уже оценено, отвечает 409 `already_rated`, и прежняя оценка с комментарием остаётся. Изменить оценку — PUT на тот же адрес.",
        tags: ["tracking"],
        params: TokenParams,
        body: RatingBody,
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await rateRequest(ctx, req.params.token, req.body.score, req.body.comment);
      return { ok: true as const };
    },
  );

  app.put(
    "/track/:token/rating",
    {
      config: { access: "public" },
      schema: {
        summary: "Изменить оценку обслуживания (или поставить, если её ещё нет)",
        description:
          "Новая оценка и комментарий заменяют текущие; в истории обращения остаются и прежняя оценка со своим комментарием, и изменение. Та же оценка с тем же комментарием ничего не меняет.",
        tags: ["tracking"],
        params: TokenParams,
        body: RatingBody,
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await rateRequest(ctx, req.params.token, req.body.score, req.body.comment, { replace: true });
      return { ok: true as const };
    },
  );

  app.get(
    "/track/:token/attachments/:id",
    {
      config: { access: "public" },
      schema: {
        summary: "Файл из обращения (для заявителя)",
        tags: ["tracking"],
        params: Type.Object({ token: TokenParams.properties.token, id: Type.String({ format: "uuid" }) }),
      },
    },
    async (req, reply) => {
      const view = await getTrackingView(ctx.db, req.params.token);
      const file = view.messages.flatMap((m) => m.attachments).find((a) => a.id === req.params.id);
      if (!file) throw errors.notFound("file");
      return sendAttachment(ctx, reply, file);
    },
  );
}

export async function sendAttachment(
  ctx: AppContext,
  reply: import("fastify").FastifyReply,
  file: { id: string; filename: string; contentType: string; size: number },
) {
  const stream = await ctx.files.open(file.id);
  // Always a download with a safe name: a file is never rendered as a page of ours.
  reply.header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
  reply.header("cache-control", "private, no-store");
  reply.type(file.contentType === "text/plain" ? "text/plain; charset=utf-8" : file.contentType);
  return reply.send(stream);
}
