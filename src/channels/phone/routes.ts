// The phone channel's HTTP side: the PBX's call events and the IVR (authenticated by the shared secret), the
// console's live stream, call screen and verification, the wallboard and the lines' queue settings.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import { desc, eq } from "drizzle-orm";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { directoryOf } from "../../directory/room.ts";
import { staffOf } from "../../http/access.ts";
import { errors } from "../../http/errors.ts";
import { IdParams, Int, Problem, StringEnum } from "../../http/schemas.ts";
import { openFeedStream } from "../../http/sse.ts";
import { portalOf } from "../../portal/room.ts";
import { PortalAccountView } from "../../portal/schemas.ts";
import { visibleId } from "../../requests/actions.ts";
import { checkEventAuth, checkIvrAuth, keepRawBody } from "./auth.ts";
import { checklistFor } from "./checklist.ts";
import { phoneCalls, phoneLineSettings } from "./db-schema.ts";
import { applyCallEvent, readEventBody } from "./events.ts";
import { IVR_STEPS, ivr } from "./ivr.ts";
import { EVENT_LIMITS, IVR_LIMITS } from "./limits.ts";
import { callScreen } from "./screen.ts";
import { phoneFeed } from "./stream.ts";
import { verifyCaller } from "./verification.ts";
import { wallboard } from "./wallboard.ts";

const SecretParams = Type.Object({ secret: Type.String({ maxLength: 200 }) });
const CallParams = IdParams;
const upTo = (maxLength: number) => Type.String({ maxLength });
const Users = Type.Union([
  upTo(EVENT_LIMITS.user),
  Type.Array(upTo(EVENT_LIMITS.user), { maxItems: EVENT_LIMITS.users }),
]);
// Fields a PBX adds that the event does not use: flat and short, or the event is refused.
const extraField = (max: number) =>
  Type.Union([
    upTo(max),
    Type.Number({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
    Type.Boolean(),
    Type.Null(),
  ]);
const EventBody = Type.Object(
  {
    event: Type.String({ maxLength: EVENT_LIMITS.event, description: "newCall, answer или hangup" }),
    callId: Type.Union([
      Type.String({ maxLength: EVENT_LIMITS.callId }),
      Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    ]),
    from: Type.Optional(upTo(EVENT_LIMITS.number)),
    to: Type.Optional(upTo(EVENT_LIMITS.number)),
    direction: Type.Optional(StringEnum(["in", "out"] as const)),
    user: Type.Optional(Users),
    "user[]": Type.Optional(Users),
    queue: Type.Optional(upTo(EVENT_LIMITS.queue)),
    answeringNumber: Type.Optional(upTo(EVENT_LIMITS.number)),
    cause: Type.Optional(upTo(EVENT_LIMITS.cause)),
  },
  { additionalProperties: extraField(EVENT_LIMITS.extra), maxProperties: EVENT_LIMITS.fields },
);
const EventAnswer = Type.Object({
  callId: Type.Integer({ description: "id звонка в Otklik" }),
  state: Type.String(),
  duplicate: Type.Boolean({ description: "такое событие этого звонка уже было" }),
  applied: Type.Boolean({ description: "событие изменило звонок (ответ после отбоя — нет)" }),
});
const IvrBody = Type.Object(
  {
    CallSid: Type.Optional(upTo(IVR_LIMITS.callSid)),
    From: Type.Optional(upTo(IVR_LIMITS.number)),
    To: Type.Optional(upTo(IVR_LIMITS.number)),
    Digits: Type.Optional(upTo(IVR_LIMITS.digits)),
  },
  { additionalProperties: extraField(IVR_LIMITS.extra), maxProperties: IVR_LIMITS.fields },
);
const IvrQuery = Type.Object({
  step: Type.Optional(StringEnum(IVR_STEPS)),
  attempt: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
});

export async function phoneRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ["phone"];

  const onEvent = async (req: FastifyRequest<{ Body: Static<typeof EventBody> }>, secret: string | undefined) => {
    checkEventAuth(ctx.config.phoneSecret, req, secret);
    return applyCallEvent(ctx, readEventBody(req.body));
  };
  const eventSchema = {
    summary: "Событие звонка от АТС (Generic CTI: newCall, answer, hangup), JSON или форма",
    description:
      "Подпись: секрет в пути (/phone/events/{secret}) или заголовок X-Otklik-Signature: sha256=<HMAC-SHA256 тела на OTKLIK_PHONE_SECRET>. Повтор события ничего не меняет.",
    tags,
    body: EventBody,
    response: { 200: EventAnswer, 400: Problem, 401: Problem, 503: Problem },
  };
  app.post(
    "/phone/events",
    {
      config: { access: "public" },
      bodyLimit: EVENT_LIMITS.bodyBytes,
      preParsing: (req, _reply, payload) => keepRawBody(req, payload, EVENT_LIMITS.bodyBytes),
      schema: eventSchema,
    },
    (req) => onEvent(req, undefined),
  );
  app.post(
    "/phone/events/:secret",
    {
      config: { access: "public" },
      bodyLimit: EVENT_LIMITS.bodyBytes,
      schema: { ...eventSchema, params: SecretParams },
    },
    (req) => onEvent(req, req.params.secret),
  );

  const onIvr = async (
    req: FastifyRequest<{ Body: Static<typeof IvrBody>; Querystring: Static<typeof IvrQuery> }>,
    reply: FastifyReply,
    secret: string | undefined,
  ) => {
    checkIvrAuth(ctx.config.phoneSecret, req, ctx.config.publicUrl, secret);
    const body = req.body;
    const query = req.query;
    const xml = await ivr(ctx, {
      step: query.step ?? "start",
      attempt: query.attempt ?? 0,
      base: `/api/v1${req.routeOptions.url?.replace(/^\/api\/v1/, "").replace(":secret", secret ?? "") ?? "/phone/ivr"}`,
      callSid: body.CallSid,
      from: body.From,
      to: body.To,
      digits: body.Digits,
      callerTrusted: Boolean(ctx.config.phoneSecret),
    });
    reply.header("cache-control", "no-store").type("text/xml; charset=utf-8");
    return xml;
  };
  const ivrSchema = {
    summary: "Голосовое меню (TwiML): приветствие, часы работы, темы, статус обращения и заявления, перегрузка",
    description:
      "Параметры Twilio (CallSid, From, To, Digits) формой; шаг диалога — в step. Каждый запрос подписан X-Twilio-Signature на OTKLIK_PHONE_SECRET (или несёт секрет в пути), иначе 401; без OTKLIK_PHONE_SECRET — 503 phone_not_configured, как у событий звонков. Статус обращения называется не больше чем по 5 номерам в час с одного номера звонящего и 600 в час на процесс.",
    tags,
    body: IvrBody,
    querystring: IvrQuery,
    response: { 200: Type.String({ description: "TwiML" }), 401: Problem },
  };
  const ivrLimit = IVR_LIMITS.bodyBytes;
  app.post("/phone/ivr", { config: { access: "public" }, bodyLimit: ivrLimit, schema: ivrSchema }, (req, reply) =>
    onIvr(req, reply, undefined),
  );
  app.post(
    "/phone/ivr/:secret",
    { config: { access: "public" }, bodyLimit: ivrLimit, schema: { ...ivrSchema, params: SecretParams } },
    (req, reply) => onIvr(req, reply, req.params.secret),
  );

  app.get(
    "/phone/stream",
    {
      config: { access: "staff" },
      schema: { summary: "Живой поток звонков для консоли (SSE): звонит, ответили, завершён", tags },
    },
    async (req, reply) => openFeedStream(ctx, req, reply, await phoneFeed(ctx)(staffOf(req))),
  );

  app.get(
    "/phone/calls/:id/screen",
    {
      config: { access: "staff" },
      schema: {
        summary: "Карточка звонка: кто звонит, его открытые обращения и звонки, линия и тема, контрольный список",
        tags,
        params: CallParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: Problem },
      },
    },
    (req) => callScreen(ctx, staffOf(req), req.params.id),
  );

  app.post(
    "/phone/calls/:id/verification",
    {
      config: { access: "staff" },
      schema: {
        summary: "Проверить личность звонящего: ответы заявителя сверяются с учётной записью на портале",
        description:
          "Оператор вводит ответы заявителя как они прозвучали; сервер сверяет ФИО, телефон, последние цифры СНИЛС, СНИЛС и номер заявления с учётной записью портала, идентификаторы организаций — по контрольным числам. Записывается только, какие пункты сошлись, и учётная запись, если сошлись все; сами значения не сохраняются. Во время звонка и 15 минут после него; после пяти неудачных попыток на звонке — 429.",
        tags,
        params: CallParams,
        body: Type.Object(
          {
            audience: StringEnum(["citizen", "legal_entity", "entrepreneur"] as const),
            topic: Type.Optional(Type.String({ maxLength: 40 })),
            answers: Type.Record(
              Type.String({ pattern: "^[a-z_]{1,40}$" }),
              Type.Union([Type.String({ maxLength: 200 }), Type.Boolean()]),
              { maxProperties: 20 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            passed: Type.Boolean(),
            items: Type.Record(Type.String(), Type.String()),
            problems: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
            account: Type.Union([PortalAccountView, Type.Null()]),
          }),
          403: Problem,
          404: Problem,
          429: Problem,
          502: Problem,
        },
      },
    },
    (req) => verifyCaller(ctx, portalOf(ctx), staffOf(req), req.params.id, req.body),
  );

  app.get(
    "/phone/checklist",
    {
      config: { access: "staff" },
      schema: {
        summary: "Контрольный список проверки личности для типа заявителя и темы",
        tags,
        querystring: Type.Object({
          audience: StringEnum(["citizen", "legal_entity", "entrepreneur"] as const),
          topic: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              code: Type.String(),
              title: Type.String(),
              kind: Type.String(),
              required: Type.Boolean(),
              registry: Type.Boolean(),
            }),
          ),
        },
      },
    },
    async (req) => checklistFor(req.query.audience, req.query.topic),
  );

  app.get(
    "/phone/calls",
    {
      config: { access: "staff" },
      schema: {
        summary: "Журнал звонков обращения",
        tags,
        querystring: Type.Object({ request: Type.String({ maxLength: 20 }) }),
        response: { 200: Type.Array(Type.Object({}, { additionalProperties: true })), 404: Problem },
      },
    },
    async (req) => {
      const requestId = await visibleId(ctx, staffOf(req), req.query.request);
      const rows = await ctx.db
        .select()
        .from(phoneCalls)
        .where(eq(phoneCalls.requestId, requestId))
        .orderBy(desc(phoneCalls.startedAt))
        .limit(200);
      return rows.map((c) => ({
        id: c.id,
        direction: c.direction,
        state: c.state,
        lineId: c.lineId,
        queue: c.queue,
        userId: c.userId,
        continued: c.continued,
        startedAt: c.startedAt.toISOString(),
        answeredAt: c.answeredAt?.toISOString() ?? null,
        endedAt: c.endedAt?.toISOString() ?? null,
      }));
    },
  );

  app.get(
    "/phone/wallboard",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Табло очередей: ожидают, самое долгое ожидание, операторы, принятые и потерянные, уровень сервиса",
        tags,
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async (_req, reply) => {
      reply.header("cache-control", "no-store");
      return wallboard(ctx);
    },
  );

  const LineSettings = Type.Object({
    lineId: Type.String(),
    queue: Type.Union([Type.String(), Type.Null()]),
    maxWaiting: Type.Union([Type.Integer(), Type.Null()]),
    maxWaitSeconds: Type.Union([Type.Integer(), Type.Null()]),
  });
  app.put(
    "/admin/phone/lines/:lineId",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Очередь линии и пороги перегрузки (ожидающих звонков, секунд ожидания)",
        tags: ["admin"],
        params: Type.Object({ lineId: Type.String({ maxLength: 80 }) }),
        body: Type.Object(
          {
            queue: Type.Optional(Type.Union([Type.String({ pattern: "^[A-Za-z0-9_.-]{1,100}$" }), Type.Null()])),
            maxWaiting: Type.Optional(Type.Union([Int(1, 100_000), Type.Null()])),
            maxWaitSeconds: Type.Optional(Type.Union([Int(1, 86_400), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: LineSettings, 404: Problem },
      },
    },
    async (req) => {
      const { lineId } = req.params;
      if (!directoryOf(ctx).lines.some((l) => l.id === lineId)) throw errors.notFound("directory_line");
      const values = {
        lineId,
        queue: req.body.queue ?? null,
        maxWaiting: req.body.maxWaiting ?? null,
        maxWaitSeconds: req.body.maxWaitSeconds ?? null,
        updatedAt: new Date(),
      };
      await ctx.db
        .insert(phoneLineSettings)
        .values(values)
        .onConflictDoUpdate({ target: phoneLineSettings.lineId, set: values });
      const { updatedAt: _u, ...shown } = values;
      return shown;
    },
  );
}
