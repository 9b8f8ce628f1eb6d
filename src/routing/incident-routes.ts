// HTTP for known incidents: supervisors declare, amend and resolve; staff read; the public sees what is going on
// now (the banners of the public pages and the chat) and whether a text it is typing is about it (the form).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { IdParams, Problem, StringEnum } from "../http/schemas.ts";
import { CATEGORY_CODES } from "../requests/categories.ts";
import { classify, loadShippedModel } from "./classifier.ts";
import {
  activeIncidents,
  declareIncident,
  getIncident,
  listIncidents,
  matchingIncidents,
  type PublicIncident,
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

// What the public reads of an incident: no description, no words or categories it is recognised by.
const PublicView = Type.Array(
  Type.Object(
    {
      id: Type.Integer(),
      title: Type.String({ description: "Что не работает" }),
      publicMessage: Type.String({ description: "Текст для заявителей" }),
      since: DateTimeString,
      expectedRecoveryAt: Type.Union([Type.Null(), DateTimeString]),
    },
    { additionalProperties: false },
  ),
);

const MatchBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20000, description: "Текст, который заявитель пишет в форме" }),
    subject: Type.Optional(Type.String({ maxLength: 300 })),
    category: Type.Optional(StringEnum(CATEGORY_CODES, { description: "Категория, если заявитель её выбрал" })),
  },
  { additionalProperties: false },
);

const publicView = (list: PublicIncident[]) =>
  list.map((i) => ({
    id: i.id,
    title: i.title,
    publicMessage: i.publicMessage,
    since: i.since.toISOString(),
    expectedRecoveryAt: i.expectedRecoveryAt?.toISOString() ?? null,
  }));

// The body's dates are strings; the incident's are dates. Generic so a whole body makes a whole input.
function toInput<B extends Partial<Static<typeof IncidentBody>>>(b: B) {
  const { since, expectedRecoveryAt, ...rest } = b;
  return {
    ...rest,
    since: since ? new Date(since) : undefined,
    expectedRecoveryAt:
      expectedRecoveryAt === undefined ? undefined : expectedRecoveryAt ? new Date(expectedRecoveryAt) : null,
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
        response: { 200: PublicView },
      },
    },
    async (_req, reply) => {
      // Cached by nobody: a resolved incident must leave the pages on their next look. The chat widget asks from any
      // site that embeds /widget.js; the answer holds nothing private.
      reply.header("cache-control", "no-store");
      reply.header("access-control-allow-origin", "*");
      return publicView(await activeIncidents(ctx));
    },
  );

  app.post(
    "/incidents/match",
    {
      config: { access: "public", rateLimit: { max: 120, timeWindow: "1 minute" } },
      schema: {
        summary: "Известные сбои, о которых говорит текст (форма обращения до отправки)",
        description:
          "Те же правила, что связывают новое обращение со сбоем при регистрации: слова сбоя в тексте и, если сбой ограничен категориями, категория — выбранная заявителем или уверенно определённая классификатором.",
        tags: ["incidents"],
        body: MatchBody,
        response: { 200: PublicView, 400: Problem },
      },
    },
    async (req) => {
      const body = req.body;
      let category: string | null = body.category ?? null;
      if (!category) {
        const model = ctx.services.maybe("classifier")?.model ?? loadShippedModel();
        const guess = classify(`${body.subject ?? ""}\n${body.text}`, model);
        category = guess.needsTriage ? null : guess.category;
      }
      return publicView(await matchingIncidents(ctx.db, { text: body.text, subject: body.subject, category }));
    },
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
    async (req) => listIncidents(ctx.db, req.query.status),
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
    async (req) => getIncident(ctx.db, req.params.id),
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
      const r = await declareIncident(ctx, staffOf(req), toInput(req.body));
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
      await updateIncident(ctx, req.params.id, toInput(req.body));
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
    async (req) => resolveIncident(ctx, staffOf(req), req.params.id, req.body.message),
  );
}
