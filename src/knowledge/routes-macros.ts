// Macros: the list staff pick from, their edits (supervisors and administrators), and one applied to a request.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Id, IdParams, NumberParams, Problem, StringEnum } from "../http/schemas.ts";
import { CATEGORIES } from "./article.ts";
import { deleteMacro, insertMacro, listMacros, type MacroInput, updateMacro } from "./macro-store.ts";
import { DateTime } from "./schemas.ts";
import { readTemplate } from "./store.ts";
import { applyMacro } from "./template-service.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;
const EDITORS = ["supervisor", "administrator"] as const;
/** The statuses a macro may set; a transfer to a department is an escalation, with its department and reason. */
const MACRO_STATUSES = ["in_progress", "waiting", "resolved", "closed"] as const;

const MacroInputSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    templateId: Type.Optional(Type.Union([Id(), Type.Null()])),
    visibility: Type.Optional(StringEnum(["public", "note"] as const)),
    status: Type.Optional(Type.Union([StringEnum(MACRO_STATUSES), Type.Null()])),
    category: Type.Optional(Type.Union([StringEnum(CATEGORIES), Type.Null()])),
    assign: Type.Optional(Type.Union([StringEnum(["self", "nobody"] as const), Type.Null()])),
  },
  { additionalProperties: false },
);

const MacroOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  templateId: Type.Union([Type.Integer(), Type.Null()]),
  visibility: StringEnum(["public", "note"] as const),
  status: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  assign: Type.Union([StringEnum(["self", "nobody"] as const), Type.Null()]),
  updatedAt: DateTime,
});

type Body = {
  title: string;
  templateId?: number | null | undefined;
  visibility?: "public" | "note" | undefined;
  status?: string | null | undefined;
  category?: string | null | undefined;
  assign?: "self" | "nobody" | null | undefined;
};

async function input(ctx: AppContext, b: Body): Promise<MacroInput> {
  const m: MacroInput = {
    title: b.title.trim(),
    templateId: b.templateId ?? null,
    visibility: b.visibility ?? "public",
    status: b.status ?? null,
    category: b.category ?? null,
    assign: b.assign ?? null,
  };
  if (!m.title) throw errors.validation("Назовите макрос.", { field: "title" });
  if (m.templateId !== null && !(await readTemplate(ctx.db, m.templateId))) throw errors.notFound("template");
  if (m.templateId === null && !m.status && !m.category && !m.assign) {
    throw errors.validation("Макрос ничего не делает: выберите шаблон, статус, категорию или назначение.");
  }
  return m;
}

export async function macroRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/kb/macros",
    {
      config: { access: "staff" },
      schema: {
        summary: "Макросы: шаблон ответа, статус, категория и назначение в одно действие",
        tags: ["kb"],
        response: { 200: Type.Array(MacroOut) },
      },
    },
    async () => listMacros(ctx.db),
  );

  app.post(
    "/kb/macros",
    {
      config: { access: EDITORS },
      schema: {
        summary: "Новый макрос",
        tags: ["kb"],
        body: MacroInputSchema,
        response: { 201: MacroOut, 400: Problem, 404: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await insertMacro(ctx.db, await input(ctx, req.body), staffOf(req).id)),
  );

  app.put(
    "/kb/macros/:id",
    {
      config: { access: EDITORS },
      schema: {
        summary: "Изменить макрос",
        tags: ["kb"],
        params: IdParams,
        body: MacroInputSchema,
        response: { 200: MacroOut, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      const m = await updateMacro(ctx.db, req.params.id, await input(ctx, req.body), staffOf(req).id);
      if (!m) throw errors.notFound("macro");
      return m;
    },
  );

  app.delete(
    "/kb/macros/:id",
    {
      config: { access: EDITORS },
      schema: {
        summary: "Удалить макрос",
        tags: ["kb"],
        params: IdParams,
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (req, reply) => {
      if (!(await deleteMacro(ctx.db, req.params.id))) throw errors.notFound("macro");
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/requests/:number/macros/:id",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Применить макрос к обращению: ответ по шаблону, статус, категория и назначение одной операцией",
        tags: ["requests"],
        params: Type.Object({ number: NumberParams.properties.number, id: Id() }),
        response: {
          200: Type.Object({ text: Type.Union([Type.String(), Type.Null()]) }),
          400: Problem,
          404: Problem,
          409: Problem,
        },
      },
    },
    async (req) => {
      return applyMacro(ctx, staffOf(req), req.params.number, req.params.id);
    },
  );
}
