// HTTP for the SLA on one request: its clock, and the actions taken by hand on the SLA's behalf (return to the first
// line, ask the applicant, re-check date). The settings, shifts and notifications have routes of their own
// (sla-admin-routes.ts, shift-routes.ts, notification-routes.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { NumberParams, Ok, Problem } from "../http/schemas.ts";
import { visibleRequestRow } from "../requests/queries.ts";
import { askApplicant, returnToFirstLine, setRecheck } from "./manual.ts";
import { requestClock } from "./sla-service.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;

export async function slaRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/requests/:number/sla",
    {
      config: { access: "staff" },
      schema: {
        summary: "Часы SLA обращения: политика, сроки, пауза, пройденные шаги эскалации, контрольный срок",
        tags: ["requests"],
        params: NumberParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: Problem },
      },
    },
    async (req) => requestClock(ctx, await visibleRequestRow(ctx.db, staffOf(req), req.params.number)),
  );

  app.post(
    "/requests/:number/return",
    {
      config: { access: ["specialist", "supervisor", "administrator"] },
      schema: {
        summary: "Вернуть обращение на первую линию с причиной",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await returnToFirstLine(ctx, staffOf(req), req.params.number, req.body.reason);
      return { ok: true as const };
    },
  );

  app.post(
    "/requests/:number/ask",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Запросить у заявителя недостающее: сообщение и статус «ожидает ответа» (часы SLA стоят)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { question: Type.String({ minLength: 1, maxLength: 20000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await askApplicant(ctx, staffOf(req), req.params.number, req.body.question);
      return { ok: true as const };
    },
  );

  app.put(
    "/requests/:number/recheck",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Контрольный срок повторной проверки (null — снять)",
        tags: ["requests"],
        params: NumberParams,
        body: Type.Object(
          { date: Type.Union([Type.Null(), Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" })]) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await setRecheck(ctx, staffOf(req), req.params.number, req.body.date);
      return { ok: true as const };
    },
  );
}
