// Requests that belong together or apart: merge a duplicate into another, split an applicant's message off into a
// new request, link related requests. The employee must see and be able to act on both requests (actions.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { Id, NumberParams, Problem } from "../http/schemas.ts";
import { mergeRequests, relateRequests, splitRequest } from "./actions.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;
const RequestNumber = NumberParams.properties.number;

export async function mergeRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/requests/:number/merge",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Объединить обращение-дубль с другим: сообщения и файлы переходят в него, дубль закрывается",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { into: Type.String({ pattern: "^\\d{6,12}$", description: "Номер обращения, в которое объединить" }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            number: Type.String(),
            into: Type.String(),
            messages: Type.Integer({ description: "Сколько сообщений перенесено" }),
            files: Type.Integer({ description: "Сколько файлов перенесено" }),
          }),
          400: Problem,
          404: Problem,
          409: Problem,
        },
      },
    },
    (req) => mergeRequests(ctx, staffOf(req), req.params.number, req.body.into),
  );

  app.post(
    "/requests/:number/split",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Выделить сообщение заявителя в новое обращение того же заявителя",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object({ messageId: Id() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ number: Type.String({ description: "Номер нового обращения" }), from: Type.String() }),
          400: Problem,
          404: Problem,
          409: Problem,
        },
      },
    },
    (req) => splitRequest(ctx, staffOf(req), req.params.number, req.body.messageId),
  );

  app.post(
    "/requests/:number/links",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Связать обращения (связь видна в обоих)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object({ number: RequestNumber }, { additionalProperties: false }),
        response: { 200: Type.Object({ linked: Type.Boolean() }), 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const added = await relateRequests(ctx, staffOf(req), req.params.number, req.body.number, true);
      return { linked: added };
    },
  );

  app.delete(
    "/requests/:number/links/:other",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Убрать связь между обращениями",
        tags: ["requests"],
        params: Type.Object({ number: RequestNumber, other: RequestNumber }),
        response: { 200: Type.Object({ unlinked: Type.Boolean() }), 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const removed = await relateRequests(ctx, staffOf(req), req.params.number, req.params.other, false);
      return { unlinked: removed };
    },
  );
}
