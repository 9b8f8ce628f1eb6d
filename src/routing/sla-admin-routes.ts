// HTTP for the SLA's settings: policies (first-response and resolution targets) and the escalation ladder.
// Supervisors read them; administrators change them.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { IdParams, Ok, Problem, StringEnum } from "../http/schemas.ts";
import { addPolicy, changePolicy, removePolicy, replaceEscalationRules } from "./sla-admin.ts";
import { PRIORITIES } from "./sla-clock.ts";
import { readPolicies, readRules } from "./sla-store.ts";

const BASIS = StringEnum(["calendar", "working"] as const);
const CHANNELS = ["web", "email", "chat", "phone", "telegram", "vk", "max"] as const;

const TargetSchema = Type.Object({ minutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 366 }), basis: BASIS });
const PolicyBody = Type.Object(
  {
    channel: Type.Union([Type.Null(), StringEnum(CHANNELS)]),
    category: Type.Union([Type.Null(), Type.String({ maxLength: 40 })]),
    priority: Type.Union([Type.Null(), StringEnum(PRIORITIES)]),
    firstResponse: TargetSchema,
    resolution: TargetSchema,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const PolicyView = Type.Object({
  id: Type.Integer(),
  channel: Type.Union([Type.Null(), Type.String()]),
  category: Type.Union([Type.Null(), Type.String()]),
  priority: Type.Union([Type.Null(), Type.String()]),
  firstResponse: TargetSchema,
  resolution: TargetSchema,
});
const RuleSchema = Type.Object(
  {
    trigger: StringEnum(["first_response", "resolution"] as const),
    afterMinutes: Type.Integer({ minimum: 0, maximum: 60 * 24 * 366 }),
    action: StringEnum(["notify_assignee", "notify_supervisors", "raise_priority", "move_up"] as const),
  },
  { additionalProperties: false },
);

export async function slaAdminRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/admin/sla/policies",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Политики SLA: сроки первого ответа и решения",
        tags: ["admin"],
        response: { 200: Type.Array(PolicyView) },
      },
    },
    async () => readPolicies(ctx.db),
  );

  app.post(
    "/admin/sla/policies",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Добавить политику SLA для канала, категории или приоритета",
        tags: ["admin"],
        body: PolicyBody,
        response: { 201: Type.Object({ id: Type.Integer() }), 400: Problem, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send({ id: await addPolicy(ctx, req.body, staffOf(req).id) }),
  );

  app.put(
    "/admin/sla/policies/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Изменить политику SLA",
        tags: ["admin"],
        params: IdParams,
        body: PolicyBody,
        response: { 200: Ok, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      await changePolicy(ctx, req.params.id, req.body, staffOf(req).id);
      return { ok: true as const };
    },
  );

  app.delete(
    "/admin/sla/policies/:id",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Удалить политику SLA",
        tags: ["admin"],
        params: IdParams,
        response: { 200: Ok, 404: Problem },
      },
    },
    async (req) => {
      await removePolicy(ctx, req.params.id, staffOf(req).id);
      return { ok: true as const };
    },
  );

  app.get(
    "/admin/sla/rules",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Правила автоматической эскалации",
        tags: ["admin"],
        response: { 200: Type.Array(Type.Object({ id: Type.Integer(), ...RuleSchema.properties })) },
      },
    },
    async () => readRules(ctx.db),
  );

  app.put(
    "/admin/sla/rules",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Заменить правила автоматической эскалации",
        description: "Уровни уже пройденных обращений сохраняются: новые шаги сработают по порядку.",
        tags: ["admin"],
        body: Type.Array(RuleSchema, { maxItems: 50 }),
        response: { 200: Ok, 400: Problem },
      },
    },
    async (req) => {
      await replaceEscalationRules(ctx, req.body, staffOf(req).id);
      return { ok: true as const };
    },
  );
}
