// Staff views of the e-mail side of a request: the letters received and sent, and each raw letter for download.
// A request's letters are visible to whoever may see the request; letters that opened nothing (machines, failures)
// to supervisors and administrators.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { AppContext } from "../../context.ts";
import { staffOf } from "../../http/access.ts";
import { Id, NumberParams, Problem } from "../../http/schemas.ts";
import { visibleRequestId, visibleRequestRow } from "../../requests/queries.ts";
import { downloadLetter, letterInbox, lettersOfRequest } from "./letters.ts";

const Inbound = Type.Object({
  id: Type.Integer(),
  receivedAt: Type.String({ format: "date-time" }),
  from: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Union([Type.String(), Type.Null()]),
  size: Type.Integer(),
  outcome: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  flags: Type.Array(Type.String()),
  attachments: Type.Array(
    Type.Object({
      filename: Type.String(),
      contentType: Type.String(),
      size: Type.Integer(),
      fileId: Type.Optional(Type.String()),
      flagged: Type.Optional(Type.String()),
      refused: Type.Optional(Type.String()),
    }),
  ),
  rawAvailable: Type.Boolean(),
});

const Outbound = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  to: Type.String(),
  subject: Type.String(),
  createdAt: Type.String({ format: "date-time" }),
  sentAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  failedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  attempts: Type.Integer(),
  lastErrorCode: Type.Union([Type.String(), Type.Null()]),
});

function sendRaw(reply: FastifyReply, id: number, raw: Buffer) {
  reply.header("content-disposition", `attachment; filename="letter-${id}.eml"`);
  reply.header("cache-control", "private, no-store");
  reply.type("message/rfc822");
  return reply.send(raw);
}

export async function emailRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/requests/:number/emails",
    {
      config: { access: "staff" },
      schema: {
        summary: "Письма обращения: полученные (с флагами разбора и вложениями) и отправленные (с состоянием доставки)",
        tags: ["email"],
        params: NumberParams,
        response: {
          200: Type.Object({ inbound: Type.Array(Inbound), outbound: Type.Array(Outbound) }),
          401: Problem,
          404: Problem,
        },
      },
    },
    async (req) => lettersOfRequest(ctx, await visibleRequestId(ctx.db, staffOf(req), req.params.number)),
  );

  app.get(
    "/requests/:number/emails/:id/raw",
    {
      config: { access: "staff" },
      schema: {
        summary: "Исходное письмо (.eml) как оно пришло, со всеми вложениями",
        tags: ["email"],
        params: Type.Object({ number: NumberParams.properties.number, id: Id() }),
        response: { 401: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      // The scope check of the request itself: a letter is visible exactly when its request is.
      const user = staffOf(req);
      const request = await visibleRequestRow(ctx.db, user, req.params.number);
      return sendRaw(reply, req.params.id, await downloadLetter(ctx, user, req.params.id, request));
    },
  );

  app.get(
    "/email/inbox",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Письма без обращения: автоматические, не обработанные и ожидающие обработки",
        tags: ["email"],
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Inbound) }), 401: Problem, 403: Problem },
      },
    },
    async (req) => ({ items: await letterInbox(ctx, req.query.limit ?? 50) }),
  );

  app.get(
    "/email/inbox/:id/raw",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Исходное письмо без обращения (.eml)",
        tags: ["email"],
        params: Type.Object({ id: Id() }),
        response: { 401: Problem, 403: Problem, 404: Problem },
      },
    },
    // A letter of a request is served through the request, under its scope check.
    async (req, reply) => sendRaw(reply, req.params.id, await downloadLetter(ctx, staffOf(req), req.params.id, null)),
  );
}
