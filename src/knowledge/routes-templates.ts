// Answer templates: the list staff pick from, their edits, and one filled for the request being answered.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Id, IdParams, Problem } from "../http/schemas.ts";
import { visibleRequestRow } from "../requests/queries.ts";
import { TemplateInput, TemplateOut } from "./schemas.ts";
import { deleteTemplate, insertTemplate, listTemplates, updateTemplate } from "./store.ts";
import { PLACEHOLDERS } from "./template.ts";
import { renderForRequest } from "./template-service.ts";

export async function templateRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/kb/templates",
    {
      config: { access: "staff" },
      schema: {
        summary: "Шаблоны ответов",
        description: `Подстановки: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
        tags: ["kb"],
        response: { 200: Type.Array(TemplateOut) },
      },
    },
    async () => listTemplates(ctx.db),
  );

  app.post(
    "/kb/templates",
    {
      config: { access: "staff" },
      schema: {
        summary: "Новый шаблон ответа",
        tags: ["kb"],
        body: TemplateInput,
        response: { 201: TemplateOut, 400: Problem },
      },
    },
    async (req, reply) => {
      const t = await insertTemplate(ctx.db, { ...req.body, category: req.body.category ?? null }, staffOf(req).id);
      return reply.code(201).send(t);
    },
  );

  app.put(
    "/kb/templates/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Изменить шаблон ответа",
        tags: ["kb"],
        params: IdParams,
        body: TemplateInput,
        response: { 200: TemplateOut, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      const t = await updateTemplate(
        ctx.db,
        req.params.id,
        { ...req.body, category: req.body.category ?? null },
        staffOf(req).id,
      );
      if (!t) throw errors.notFound("template");
      return t;
    },
  );

  app.delete(
    "/kb/templates/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Удалить шаблон ответа",
        tags: ["kb"],
        params: IdParams,
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (req, reply) => {
      if (!(await deleteTemplate(ctx.db, req.params.id))) throw errors.notFound("template");
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/requests/:number/render-template",
    {
      config: { access: "staff" },
      schema: {
        summary: "Шаблон ответа с подстановками для этого обращения: {{приветствие}}, {{номер}}, {{срок_ответа}}…",
        tags: ["kb"],
        params: Type.Object({ number: Type.String({ maxLength: 20 }) }),
        body: Type.Object(
          {
            templateId: Type.Optional(Id()),
            body: Type.Optional(Type.String({ minLength: 1, maxLength: 10000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ text: Type.String(), unknown: Type.Array(Type.String()) }),
          400: Problem,
          404: Problem,
        },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const request = await visibleRequestRow(ctx.db, user, req.params.number);
      return renderForRequest(ctx, request, req.body, user);
    },
  );
}
