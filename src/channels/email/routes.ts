// Staff views of the e-mail side of a request: the letters received and sent, and each raw letter for download.
// A request's letters are visible to whoever may see the request; letters that opened nothing (machines, failures)
// to supervisors and administrators.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { FastifyInstance, FastifyReply } from "fastify";
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import { staffOf } from "../../http/access.ts";
import { errors } from "../../http/errors.ts";
import { Id } from "../../http/schemas.ts";
import { maskEmail } from "../../requests/contact.ts";
import { getRequestForStaff, loadRequestRow } from "../../requests/queries.ts";
import { NumberParams, Problem } from "../../requests/schemas.ts";
import { emailInbox, emailOutbox } from "./db-schema.ts";

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

const inboundColumns = {
  id: emailInbox.id,
  receivedAt: emailInbox.receivedAt,
  from: emailInbox.fromAddress,
  subject: emailInbox.subject,
  size: emailInbox.size,
  outcome: emailInbox.outcome,
  reason: emailInbox.reason,
  flags: emailInbox.flags,
  attachments: emailInbox.attachments,
  duplicateOf: emailInbox.duplicateOf,
};

// Addresses are masked like the request's contacts (revealed there, with a reason); the raw letter holds them in
// full, and each download of it is recorded in the audit chain.
function inboundView(r: { duplicateOf: number | null; from: string | null } & Record<string, unknown>) {
  const { duplicateOf, ...rest } = r;
  // A duplicate's bytes were dropped: the first copy holds them.
  return { ...rest, from: maskEmail(r.from), rawAvailable: duplicateOf === null };
}

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
    async (req) => {
      const view = await getRequestForStaff(ctx.db, staffOf(req), req.params.number);
      const row = await loadRequestRow(ctx.db, view.number);
      const [inbound, outbound] = await Promise.all([
        ctx.db
          .select(inboundColumns)
          .from(emailInbox)
          .where(eq(emailInbox.requestId, row.id))
          .orderBy(asc(emailInbox.id)),
        ctx.db
          .select({
            id: emailOutbox.id,
            kind: emailOutbox.kind,
            to: emailOutbox.to,
            subject: emailOutbox.subject,
            createdAt: emailOutbox.createdAt,
            sentAt: emailOutbox.sentAt,
            failedAt: emailOutbox.failedAt,
            attempts: emailOutbox.attempts,
            lastErrorCode: emailOutbox.lastErrorCode,
          })
          .from(emailOutbox)
          .where(eq(emailOutbox.requestId, row.id))
          .orderBy(asc(emailOutbox.id)),
      ]);
      return {
        inbound: inbound.map(inboundView) as never,
        outbound: outbound.map((o) => ({ ...o, to: maskEmail(o.to) ?? "" })) as never,
      };
    },
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
      const view = await getRequestForStaff(ctx.db, user, req.params.number);
      const row = await loadRequestRow(ctx.db, view.number);
      const [letter] = await ctx.db
        .select({ raw: emailInbox.raw, duplicateOf: emailInbox.duplicateOf })
        .from(emailInbox)
        .where(and(eq(emailInbox.id, req.params.id), eq(emailInbox.requestId, row.id)));
      if (!letter || letter.duplicateOf !== null) throw errors.notFound("Письмо");
      await ctx.db.transaction((tx) =>
        audit(tx, {
          actorId: user.id,
          action: "email.raw_download",
          subjectType: "request",
          subjectId: view.number,
          details: { letterId: req.params.id },
        }),
      );
      return sendRaw(reply, req.params.id, letter.raw);
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
    async (req) => {
      const items = await ctx.db
        .select(inboundColumns)
        .from(emailInbox)
        .where(and(isNull(emailInbox.requestId), inArray(emailInbox.outcome, ["keep_only", "failed"])))
        .orderBy(desc(emailInbox.id))
        .limit(req.query.limit ?? 50);
      const pending = await ctx.db
        .select(inboundColumns)
        .from(emailInbox)
        .where(isNull(emailInbox.processedAt))
        .orderBy(desc(emailInbox.id))
        .limit(req.query.limit ?? 50);
      return { items: [...pending, ...items].map(inboundView) as never };
    },
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
    async (req, reply) => {
      const [letter] = await ctx.db
        .select({ raw: emailInbox.raw, requestId: emailInbox.requestId, duplicateOf: emailInbox.duplicateOf })
        .from(emailInbox)
        .where(eq(emailInbox.id, req.params.id));
      // A letter of a request is served through the request, under its scope check.
      if (!letter || letter.requestId !== null || letter.duplicateOf !== null) throw errors.notFound("Письмо");
      await ctx.db.transaction((tx) =>
        audit(tx, {
          actorId: staffOf(req).id,
          action: "email.raw_download",
          subjectType: "email",
          subjectId: String(req.params.id),
        }),
      );
      return sendRaw(reply, req.params.id, letter.raw);
    },
  );
}
