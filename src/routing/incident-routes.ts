// HTTP for known incidents: supervisors declare, amend and resolve; staff read; the public sees what is
// going on now (the help centre's banner, the IVR's announcement).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { IdParams } from "../http/schemas.ts";
import { Problem, StringEnum } from "../requests/schemas.ts";
import {
  activeIncidents,
  declareIncident,
  getIncident,
  type IncidentInput,
  listIncidents,
  resolveIncident,
  updateIncident,
} from "./incidents.ts";

const SUPERVISORS = ["supervisor", "administrator"] as const;
const DateTimeString = Type.String({ format: "date-time" });

const IncidentBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300, description: "Что не работает" }),
    description: Type.Optional(Type.String({ maxLength: 5000, description: "Для сотрудников" })),
    publicMessage: Type.Optional(Type.String({ maxLength: 2000, description: "Что прочтёт заявитель" })),
    since: Type.Optional(DateTimeString),
    expectedRecoveryAt: Type.Optional(Type.Union([Type.Null(), DateTimeString])),
    keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 30 })),
    categories: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const ActiveView = Type.Array(
  Type.Object({
    id: Type.Integer(),
    title: Type.String(),
    publicMessage: Type.String(),
    since: DateTimeString,
    expectedRecoveryAt: Type.Union([Type.Null(), DateTimeString]),
    categories: Type.Array(Type.String()),
  }),
);

type Body = {
  title: string;
  description?: string;
  publicMessage?: string;
  since?: string;
  expectedRecoveryAt?: string | null;
  keywords?: string[];
  categories?: string[];
};

function toInput(b: Partial<Body>): Partial<IncidentInput> {
  return {
    ...b,
    since: b.since ? new Date(b.since) : undefined,
    expectedRecoveryAt:
      b.expectedRecoveryAt === undefined ? undefined : b.expectedRecoveryAt ? new Date(b.expectedRecoveryAt) : null,
  };
}

export async function incidentRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/incidents/active",
    {
      config: { access: "public" },
      schema: {
        summary: "Известные сбои сейчас и ожидаемое время восстановления",
        tags: ["incidents"],
        response: { 200: ActiveView },
      },
    },
    async () =>
      (await activeIncidents(ctx)).map((i) => ({
        ...i,
        since: i.since.toISOString(),
        expectedRecoveryAt: i.expectedRecoveryAt?.toISOString() ?? null,
      })),
  );

  app.get(
    "/incidents",
    {
      config: { access: "staff" },
      schema: {
        summary: "Известные инциденты (действующие и устранённые)",
        tags: ["incidents"],
        querystring: Type.Object({ status: Type.Optional(StringEnum(["active", "resolved"] as const)) }),
        response: { 200: Type.Array(Type.Object({}, { additionalProperties: true })) },
      },
    },
    async (req) => listIncidents(ctx.db, (req.query as { status?: "active" | "resolved" }).status),
  );

  app.get(
    "/incidents/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Инцидент и связанные с ним обращения",
        tags: ["incidents"],
        params: IdParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: Problem },
      },
    },
    async (req) => getIncident(ctx.db, (req.params as { id: number }).id),
  );

  app.post(
    "/incidents",
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: "Объявить известный сбой: подходящие обращения связываются с ним автоматически",
        tags: ["incidents"],
        body: IncidentBody,
        response: { 201: Type.Object({ id: Type.Integer(), linked: Type.Integer() }), 400: Problem },
      },
    },
    async (req, reply) => {
      const r = await declareIncident(ctx, staffOf(req), toInput(req.body as Body) as IncidentInput);
      return reply.code(201).send({ id: r.incident.id, linked: r.linked });
    },
  );

  app.patch(
    "/incidents/:id",
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: "Уточнить инцидент: текст, ожидаемое время восстановления, слова",
        tags: ["incidents"],
        params: IdParams,
        body: Type.Partial(IncidentBody),
        response: { 200: Type.Object({ ok: Type.Literal(true) }), 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await updateIncident(ctx, (req.params as { id: number }).id, toInput(req.body as Partial<Body>));
      return { ok: true as const };
    },
  );

  app.post(
    "/incidents/:id/resolve",
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: "Сбой устранён: сообщение во все связанные обращения, простые решаются",
        tags: ["incidents"],
        params: IdParams,
        body: Type.Object(
          { message: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ answered: Type.Integer(), resolved: Type.Integer() }),
          404: Problem,
          409: Problem,
        },
      },
    },
    async (req) =>
      resolveIncident(ctx, staffOf(req), (req.params as { id: number }).id, (req.body as { message?: string }).message),
  );
}
