// The staff side of the registry: the queue, one request, and the actions on it.

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { readMultipart } from "../http/multipart.ts";
import { Id, jsonOrForm, NumberParams, Ok, Problem, StringEnum } from "../http/schemas.ts";
import { openFeedStream } from "../http/sse.ts";
import { addStaffMessage, changeStatus, escalate, updateRequest } from "./actions.ts";
import { maskEmail, maskPhone } from "./contact.ts";
import type { StoredFile } from "./files.ts";
import {
  contactHashesOf,
  getRequestForStaff,
  listRequests,
  requestFile,
  requestsByContactHashes,
  visibleRequestRow,
} from "./queries.ts";
import { queueRoutes } from "./queue/routes.ts";
import { sendAttachment } from "./routes-public.ts";
import { ListPage, ListQuery, RequestDetail, STATUS_LIST } from "./schemas.ts";
import { requestsFeed } from "./sse.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;
const StaffMessageBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 20000 }),
    visibility: Type.Union([Type.Literal("public"), Type.Literal("note")]),
  },
  { additionalProperties: false },
);

export async function staffRequestRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  queueRoutes(fastify, ctx);
  app.get(
    "/requests",
    {
      config: { access: "staff" },
      schema: {
        summary: "Очередь обращений с фильтрами, поиском и порядком; страницы по курсору",
        tags: ["requests"],
        querystring: ListQuery,
        response: {
          200: ListPage,
          400: Problem,
          401: Problem,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const assignee =
        q.assignee === "me" || q.assignee === "none" ? q.assignee : q.assignee ? Number(q.assignee) : undefined;
      return listRequests(ctx.db, staffOf(req), { ...q, assignee });
    },
  );

  app.get(
    "/requests/:number",
    {
      config: { access: "staff" },
      schema: {
        summary: "Обращение целиком: сообщения, заметки, файлы, история",
        description:
          "Номер обращения, объединённого с другим, ведёт к тому, с которым его объединили (308 с Location).",
        tags: ["requests"],
        params: NumberParams,
        response: { 200: RequestDetail, 308: Type.Null(), 401: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      const user = staffOf(req);
      const view = await getRequestForStaff(ctx.db, user, req.params.number);
      // A merged duplicate's number leads to the request it was merged into.
      if (view.mergedInto) return reply.redirect(`/api/v1/requests/${view.mergedInto}`, 308);
      // Opening a request shows the applicant's words: that is a view of personal data, and it is recorded.
      await ctx.db.transaction((tx) =>
        audit(tx, { actorId: user.id, action: "request.view", subjectType: "request", subjectId: view.number }),
      );
      // The same person's requests from every channel (the applicant record joins their e-mails and phones).
      const own = await contactHashesOf(ctx.db, view.number);
      const start = { emailHash: own?.emailHash ?? null, phoneHash: own?.phoneHash ?? null };
      const person = (await ctx.services.maybe("applicants")?.person(ctx.db, start)) ?? {
        email: start.emailHash ? [start.emailHash] : [],
        phone: start.phoneHash ? [start.phoneHash] : [],
      };
      const others = await requestsByContactHashes(ctx.db, user, person, { except: own ? [own.id] : [], limit: 20 });
      // Contacts stay masked until someone reveals them with a reason (POST …/reveal).
      return {
        ...view,
        applicantRequests: others.map(({ id: _id, ...r }) => ({ ...r, createdAt: r.createdAt.toISOString() })),
        contact: {
          name: view.contact.name,
          email: maskEmail(view.contact.email),
          phone: maskPhone(view.contact.phone),
        },
      };
    },
  );

  app.post(
    "/requests/:number/reveal",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Показать контакты заявителя полностью; причина записывается в журнал доступа",
        tags: ["requests"],
        params: NumberParams,
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
    async (req) => {
      const user = staffOf(req);
      const row = await visibleRequestRow(ctx.db, user, req.params.number);
      await ctx.db.transaction((tx) =>
        audit(tx, {
          actorId: user.id,
          action: "contact.reveal",
          subjectType: "request",
          subjectId: row.number,
          reason: req.body.reason.trim(),
        }),
      );
      return { name: row.contactName, email: row.contactEmail, phone: row.contactPhone };
    },
  );

  app.patch(
    "/requests/:number",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Изменить категорию, тип заявителя, приоритет, регион или исполнителя",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          {
            category: Type.Optional(Type.String({ maxLength: 40 })),
            audience: Type.Optional(Type.String({ maxLength: 40 })),
            priority: Type.Optional(StringEnum(["low", "normal", "high", "urgent"] as const)),
            region: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            assigneeId: Type.Optional(Type.Union([Id(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      await updateRequest(ctx, staffOf(req), req.params.number, req.body);
      return { ok: true as const };
    },
  );

  app.post(
    "/requests/:number/messages",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Ответ заявителю (public) или внутренняя заметка (note)",
        tags: ["requests"],
        params: NumberParams,
        body: jsonOrForm(StaffMessageBody),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      let body: string;
      let visibility: string;
      let files: StoredFile[] = [];
      if (req.body) {
        ({ body, visibility } = req.body);
      } else {
        const parsed = await readMultipart(req, ctx.files, ctx.config.maxAttachments);
        files = parsed.files;
        body = parsed.fields.body ?? "";
        visibility = parsed.fields.visibility ?? "public";
      }
      if (visibility !== "public" && visibility !== "note") {
        await Promise.all(files.map((f) => ctx.files.remove(f.id)));
        throw errors.validation("Видимость сообщения (visibility) — public или note.", { field: "visibility" });
      }
      try {
        await addStaffMessage(ctx, staffOf(req), req.params.number, {
          body,
          visibility,
          files,
        });
      } catch (e) {
        await Promise.all(files.map((f) => ctx.files.remove(f.id)));
        throw e;
      }
      return { ok: true as const };
    },
  );

  app.post(
    "/requests/:number/status",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Сменить статус (недопустимые переходы отклоняются)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { status: STATUS_LIST, reason: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const b = req.body;
      await changeStatus(ctx, staffOf(req), req.params.number, b.status, b.reason);
      return { ok: true as const };
    },
  );

  app.post(
    "/requests/:number/escalate",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Передать в профильное подразделение с причиной",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          {
            department: Type.String({ minLength: 1, maxLength: 40 }),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const b = req.body;
      await escalate(ctx, staffOf(req), req.params.number, b.department, b.reason);
      return { ok: true as const };
    },
  );

  app.get(
    "/requests/:number/attachments/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Файл из обращения (для сотрудника)",
        tags: ["requests"],
        params: Type.Object({ number: NumberParams.properties.number, id: Type.String({ format: "uuid" }) }),
      },
    },
    async (req, reply) => {
      const user = staffOf(req);
      const row = await visibleRequestRow(ctx.db, user, req.params.number);
      const file = await requestFile(ctx.db, row.id, req.params.id);
      if (!file) throw errors.notFound("file");
      await ctx.db.transaction((tx) =>
        audit(tx, {
          actorId: user.id,
          action: "attachment.download",
          subjectType: "request",
          subjectId: row.number,
          details: { attachmentId: file.id },
        }),
      );
      return sendAttachment(ctx, reply, file);
    },
  );

  app.get(
    "/events",
    {
      config: { access: "staff" },
      schema: {
        summary: "Поток изменений очереди для консоли (Server-Sent Events)",
        tags: ["requests"],
      },
    },
    async (req, reply) => {
      openFeedStream(ctx, req, reply, await requestsFeed(ctx)(staffOf(req)));
    },
  );
}
