// HTTP for departments: their names and working hours. Supervisors read them; administrators change them.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { IdParams, Problem } from "../http/schemas.ts";
import { loadSla } from "../routing/sla-service.ts";
import { addDepartment, changeDepartment, listDepartmentsWithHours } from "./departments.ts";

const Hours = Type.Object(
  {
    zone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: "Часовой пояс IANA, по умолчанию Europe/Moscow" }),
    ),
    from: Type.String({ pattern: "^\\d{2}:\\d{2}$", description: "Начало рабочего дня, ЧЧ:ММ" }),
    to: Type.String({ pattern: "^\\d{2}:\\d{2}$", description: "Конец рабочего дня, ЧЧ:ММ (24:00 — до полуночи)" }),
  },
  { additionalProperties: false },
);

const DepartmentView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  hours: Type.Object({ zone: Type.String(), from: Type.String(), to: Type.String() }),
});

export async function departmentRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // This process reads the new hours at once; the others when they hear the announcement.
  const reload = async () => {
    if (ctx.services.maybe("sla")) await loadSla(ctx);
  };

  app.get(
    "/admin/departments",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Подразделения и их рабочие часы",
        description:
          "Рабочее время SLA обращения считается в часах его подразделения, в рабочие дни производственного календаря; предпраздничный день на час короче.",
        tags: ["admin"],
        response: { 200: Type.Array(DepartmentView) },
      },
    },
    async () => listDepartmentsWithHours(ctx.db),
  );

  app.post(
    "/admin/departments",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Добавить подразделение",
        tags: ["admin"],
        body: Type.Object(
          {
            code: Type.String({ minLength: 2, maxLength: 40 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            hours: Type.Optional(Hours),
          },
          { additionalProperties: false },
        ),
        response: { 201: DepartmentView, 400: Problem, 409: Problem },
      },
    },
    async (req, reply) => {
      const made = await addDepartment(ctx.db, req.body, { userId: staffOf(req).id });
      await reload();
      return reply.code(201).send(made);
    },
  );

  app.patch(
    "/admin/departments/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Переименовать подразделение или изменить его рабочие часы",
        tags: ["admin"],
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), hours: Type.Optional(Hours) },
          { additionalProperties: false },
        ),
        response: { 200: DepartmentView, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      const changed = await changeDepartment(ctx.db, req.params.id, req.body, { userId: staffOf(req).id });
      await reload();
      return changed;
    },
  );
}
