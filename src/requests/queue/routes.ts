// The queue's own routes beside the list: views with their counters, the numbers of a whole view, changes of many
// requests at once.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../context.ts";
import { staffOf } from "../../http/access.ts";
import { Id, IdParams, Ok, Problem, StringEnum } from "../../http/schemas.ts";
import { listNumbers } from "../queries.ts";
import { ListQuery } from "../schemas.ts";
import { STATUSES } from "../status.ts";
import { BULK_MAX, bulkChange } from "./bulk.ts";
import { listViews, removeView, saveView, ViewFilters } from "./views.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;

const View = Type.Object({
  id: Type.String({ description: "open, mine, overdue, waiting, uncategorised — встроенные; число — сохранённые" }),
  name: Type.String(),
  kind: StringEnum(["default", "personal", "shared"] as const),
  department: Type.Union([Type.String(), Type.Null()], { description: "подразделение, с которым подборка общая" }),
  filters: ViewFilters,
  count: Type.Integer({
    description: "сколько обращений в подборке сейчас (в пределах видимости сотрудника), не больше 10 000",
  }),
  countCapped: Type.Boolean({ description: "true: обращений больше, чем count" }),
  removable: Type.Boolean(),
});

const Action = Type.Union([
  Type.Object(
    { type: Type.Literal("assign"), assigneeId: Type.Union([Id(), Type.Null()]) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("status"),
      status: StringEnum(STATUSES),
      reason: Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal("category"), category: Type.String({ minLength: 1, maxLength: 40 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal("priority"), priority: StringEnum(["low", "normal", "high", "urgent"] as const) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("escalate"),
      department: Type.String({ minLength: 1, maxLength: 40 }),
      reason: Type.String({ minLength: 1, maxLength: 2000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal("merge"),
      into: Type.String({
        minLength: 1,
        maxLength: 40,
        description: "Номер обращения, с которым объединить выбранные; пробелы и «№» допускаются: «№ 1 030 026»",
      }),
    },
    { additionalProperties: false },
  ),
]);

export function queueRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/requests/views",
    {
      config: { access: "staff" },
      schema: {
        summary: "Подборки очереди (встроенные, свои и общие для подразделения) со счётчиками",
        tags: ["requests"],
        response: { 200: Type.Object({ views: Type.Array(View) }), 401: Problem },
      },
    },
    async (req) => ({ views: await listViews(ctx.db, staffOf(req)) }),
  );

  app.post(
    "/requests/views",
    {
      config: { access: "staff" },
      schema: {
        summary: "Сохранить подборку: свою или общую для подразделения",
        tags: ["requests"],
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 60 }),
            filters: ViewFilters,
            department: Type.Optional(
              Type.String({ maxLength: 40, description: "код подразделения, с которым подборка будет общей" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String() }), 400: Problem, 403: Problem },
      },
    },
    async (req, reply) => {
      const id = await saveView(ctx.db, staffOf(req), req.body);
      return reply.code(201).send({ id: String(id) });
    },
  );

  app.delete(
    "/requests/views/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Удалить сохранённую подборку",
        tags: ["requests"],
        params: IdParams,
        response: { 200: Ok, 403: Problem, 404: Problem },
      },
    },
    async (req) => {
      await removeView(ctx.db, staffOf(req), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    "/requests/numbers",
    {
      config: { access: "staff" },
      schema: {
        summary: `Номера обращений очереди с этими фильтрами, в её порядке (не больше ${BULK_MAX}): «выбрать все»`,
        tags: ["requests"],
        querystring: Type.Omit(ListQuery, ["cursor", "limit"]),
        response: {
          200: Type.Object({ numbers: Type.Array(Type.String()), truncated: Type.Boolean() }),
          400: Problem,
          401: Problem,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const assignee =
        q.assignee === "me" || q.assignee === "none" ? q.assignee : q.assignee ? Number(q.assignee) : undefined;
      const numbers = await listNumbers(ctx.db, staffOf(req), { ...q, assignee }, BULK_MAX + 1);
      return { numbers: numbers.slice(0, BULK_MAX), truncated: numbers.length > BULK_MAX };
    },
  );

  app.post(
    "/requests/bulk",
    {
      config: { access: WORKERS },
      schema: {
        summary: `Изменить много обращений сразу (не больше ${BULK_MAX}): исполнитель, статус, категория, приоритет, передача, объединение`,
        description:
          "Каждое обращение меняется отдельно и целиком (одна запись в истории); то, что изменить нельзя или что сотруднику не видно, остаётся как было и перечислено в failed. " +
          "Объединение (merge) присоединяет каждое выбранное обращение к обращению into, как POST /requests/{number}/merge: " +
          "если into не найдено, не видно сотруднику, закрыто или само объединено с другим, не меняется ничего; " +
          "само обращение into среди выбранных пропускается и перечислено в skipped.",
        tags: ["requests"],
        body: Type.Object(
          {
            numbers: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { minItems: 1, maxItems: 10_000 }),
            action: Action,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            total: Type.Integer({ description: "сколько обращений менялось (без пропущенных)" }),
            changed: Type.Array(Type.String()),
            failed: Type.Array(Type.Object({ number: Type.String(), code: Type.String(), message: Type.String() })),
            skipped: Type.Array(Type.Object({ number: Type.String(), message: Type.String() }), {
              description: "выбранные, но оставленные как были по смыслу действия: обращение, с которым объединяли",
            }),
            summary: Type.String({
              description:
                "итог по-русски: «Изменено 48 обращений из 50; 2 не изменены.», «С обращением № 1 030 026 объединены 3 обращения.»",
            }),
          }),
          400: Problem,
          409: Problem,
        },
      },
    },
    async (req) => bulkChange(ctx, staffOf(req), req.body.numbers, req.body.action),
  );
}
