// The administrators' webhooks API: subscribe, list, pause, resume, delete, and the delivery log.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { IdParams, Int, Problem, StringEnum } from "../http/schemas.ts";
import { WEBHOOK_EVENTS } from "./events.ts";
import { log, pause, policyOf, remove, resume, subscribe, subscriptions } from "./service.ts";

const ADMIN = { access: ["administrator"] as const };
const Time = Type.Unsafe<string | Date>({ type: "string", format: "date-time" });
const MaybeTime = Type.Union([Time, Type.Null()]);

const Subscription = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  includePersonalData: Type.Boolean(),
  status: StringEnum(["active", "paused", "disabled"] as const, {
    description:
      "active — доставляется; paused — приостановлена администратором; disabled — остановлена после суток неудачных попыток",
  }),
  disabledAt: MaybeTime,
  createdAt: Time,
  updatedAt: Time,
});

const SubscriptionWithStats = Type.Composite([
  Subscription,
  Type.Object({
    pending: Type.Integer({ description: "доставок ждут отправки или повтора" }),
    failed: Type.Integer({ description: "доставок брошено после суток попыток" }),
    lastDeliveredAt: MaybeTime,
  }),
]);

const Delivery = Type.Object({
  id: Type.Integer(),
  deliveryId: Type.String({ description: "значение X-Otklik-Delivery, одно на все попытки" }),
  type: Type.String(),
  subject: Type.String(),
  personalData: Type.Boolean(),
  status: StringEnum(["pending", "delivered", "failed"] as const),
  attempts: Type.Integer(),
  createdAt: Time,
  nextAttemptAt: Time,
  lastAttemptAt: MaybeTime,
  deliveredAt: MaybeTime,
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "HTTP-статус последнего ответа" }),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description:
      "timeout, connection_refused, connection_reset, tls_failed, connect_failed, address_refused, host_unresolved",
  }),
  lastResponse: Type.Union([Type.String(), Type.Null()], { description: "начало тела последнего ответа" }),
});

export async function webhookRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const policy = policyOf(ctx.config);

  app.post(
    "/admin/webhooks",
    {
      config: ADMIN,
      schema: {
        summary: "Подписать адрес на события Otklik; секрет подписи показывается один раз",
        description:
          "Адрес проверяется сразу: https (http — только при OTKLIK_WEBHOOK_ALLOW_LOOPBACK), без имени и пароля, и имя не должно вести на этот сервер или во внутреннюю сеть, если она не разрешена в OTKLIK_WEBHOOK_ALLOW_HOSTS. С includePersonalData события несут контакты и тексты заявителя, и каждая такая доставка записывается в журнал аудита.",
        tags: ["webhooks"],
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            events: Type.Array(StringEnum(WEBHOOK_EVENTS), { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
            includePersonalData: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ id: Type.Integer(), secret: Type.String() }),
          400: Problem,
          403: Problem,
        },
      },
    },
    async (req, reply) => {
      const made = await subscribe(ctx.db, policy, req.body, staffOf(req).id);
      return reply.code(201).send(made);
    },
  );

  app.get(
    "/admin/webhooks",
    {
      config: ADMIN,
      schema: {
        summary: "Подписки на события: адрес, события, состояние, сколько доставок ждёт и сколько брошено",
        tags: ["webhooks"],
        response: { 200: Type.Array(SubscriptionWithStats), 403: Problem },
      },
    },
    async () => subscriptions(ctx.db),
  );

  app.post(
    "/admin/webhooks/:id/pause",
    {
      config: ADMIN,
      schema: {
        summary: "Приостановить подписку: пока она стоит, новые события для неё не ставятся в очередь",
        tags: ["webhooks"],
        params: IdParams,
        response: { 200: Subscription, 403: Problem, 404: Problem },
      },
    },
    async (req) => pause(ctx.db, req.params.id),
  );

  app.post(
    "/admin/webhooks/:id/resume",
    {
      config: ADMIN,
      schema: {
        summary:
          "Возобновить подписку (и остановленную после сбоев): ждавшие доставки отправляются сразу, с новыми сутками повторов",
        tags: ["webhooks"],
        params: IdParams,
        response: { 200: Subscription, 403: Problem, 404: Problem },
      },
    },
    async (req) => resume(ctx.db, req.params.id),
  );

  app.delete(
    "/admin/webhooks/:id",
    {
      config: ADMIN,
      schema: {
        summary: "Удалить подписку вместе с её очередью и журналом доставок",
        tags: ["webhooks"],
        params: IdParams,
        response: { 204: Type.Null(), 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      await remove(ctx.db, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/admin/webhooks/:id/deliveries",
    {
      config: ADMIN,
      schema: {
        summary: "Журнал доставок подписки, новые сверху: состояние, попытки, последний ответ получателя",
        tags: ["webhooks"],
        params: IdParams,
        querystring: Type.Object(
          { limit: Type.Optional(Int(1, 200, { default: 50 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Delivery), 403: Problem, 404: Problem },
      },
    },
    async (req) => log(ctx.db, req.params.id, req.query.limit ?? 50),
  );
}
