// The statistics API: the dashboards, the rating comments (supervisors only), exports and the daily summary's
// settings. Who sees which figures is decided here, on the server (see scopedFilters).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Binary, Id, Problem } from "../http/schemas.ts";
import { TABLES, type Table, tableOf, toCsv, toXlsx } from "./export.ts";
import { scopedFilters, seesEverything, ZONE } from "./filters.ts";
import { ratingComments } from "./measures.ts";
import { boardFor, periodBoard, todayBoard } from "./service.ts";
import { queueSummary, saveSummarySettings, summarySettings, summaryText } from "./summary.ts";

const FilterQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ description: "Первый день периода, ГГГГ-ММ-ДД (московское время)" })),
    to: Type.Optional(Type.String({ description: "Последний день периода, ГГГГ-ММ-ДД, включительно" })),
    channel: Type.Optional(Type.String({ maxLength: 20 })),
    category: Type.Optional(Type.String({ maxLength: 40 })),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    audience: Type.Optional(Type.String({ maxLength: 20 })),
    department: Type.Optional(Type.String({ maxLength: 40, description: "Код подразделения" })),
    operator: Type.Optional(Id({ description: "Сотрудник, которому назначены обращения" })),
  },
  { additionalProperties: false },
);

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const Board = Type.Object({}, { additionalProperties: true });
const ExportQuery = Type.Composite([
  FilterQuery,
  Type.Object({
    table: Type.Union([...TABLES, "comments"].map((t) => Type.Literal(t))),
    format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("xlsx")])),
  }),
]);

const SUPERVISORS = ["supervisor", "administrator"] as const;

export async function analyticsRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/analytics/period",
    {
      config: { access: "staff" },
      schema: {
        summary: "Показатели за период с предыдущим периодом для сравнения",
        description:
          "Руководители смены и администраторы видят всё; остальные — своё подразделение и себя (чужое — 403).",
        tags: ["analytics"],
        querystring: FilterQuery,
        response: { 200: Board, 400: Problem, 403: Problem },
      },
    },
    async (req) =>
      boardFor(await periodBoard(ctx.db, await scopedFilters(ctx.db, staffOf(req), req.query)), staffOf(req)),
  );

  app.get(
    "/analytics/today",
    {
      config: { access: "staff" },
      schema: {
        summary: "Сегодня: поступление, очередь, сроки и звонки в реальном времени",
        tags: ["analytics"],
        querystring: FilterQuery,
        response: { 200: Board, 400: Problem, 403: Problem },
      },
    },
    async (req) => {
      const { from: _f, to: _t, ...slices } = await scopedFilters(ctx.db, staffOf(req), req.query);
      return todayBoard(ctx.db, slices);
    },
  );

  app.get(
    "/analytics/comments",
    {
      config: { access: SUPERVISORS },
      schema: {
        summary: "Комментарии к оценкам за период, без имён, контактов и номеров обращений",
        tags: ["analytics"],
        querystring: FilterQuery,
        response: { 200: Type.Array(Board), 400: Problem, 403: Problem },
      },
    },
    async (req) => ratingComments(ctx.db, await scopedFilters(ctx.db, staffOf(req), req.query)),
  );

  app.get(
    "/analytics/export",
    {
      config: { access: "staff" },
      schema: {
        summary: "Таблица панели статистики в CSV или XLSX с теми же фильтрами",
        tags: ["analytics"],
        querystring: ExportQuery,
        produces: ["text/csv", XLSX_TYPE],
        response: {
          200: {
            description: "Файл таблицы",
            content: { "text/csv": { schema: Type.String() }, [XLSX_TYPE]: { schema: Binary } },
          },
          400: Problem,
          403: Problem,
        },
      },
    },
    async (req, reply) => {
      const user = staffOf(req);
      const { table, format, ...q } = req.query;
      const f = await scopedFilters(ctx.db, user, q);
      let t: Table;
      if (table === "comments") {
        if (!seesEverything(user)) throw errors.forbidden("Комментарии к оценкам видят только руководители смены.");
        t = {
          title: "Комментарии к оценкам",
          columns: [
            { key: "ratedAt", title: "Дата оценки" },
            { key: "rating", title: "Оценка" },
            { key: "channel", title: "Канал" },
            { key: "category", title: "Категория" },
            { key: "comment", title: "Комментарий" },
          ],
          rows: await ratingComments(ctx.db, f, 10_000),
        };
      } else {
        t = tableOf(boardFor(await periodBoard(ctx.db, f), staffOf(req)), table);
      }
      const day = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toISODate();
      const name = `otklik-${table}-${day(f.from)}-${day(new Date(f.to.getTime() - 1))}`;
      reply.header("cache-control", "no-store");
      if (format === "xlsx") {
        reply.header("content-type", XLSX_TYPE);
        reply.header("content-disposition", `attachment; filename="${name}.xlsx"`);
        return reply.send(await toXlsx(t));
      }
      reply.header("content-type", "text/csv; charset=utf-8");
      reply.header("content-disposition", `attachment; filename="${name}.csv"`);
      return reply.send(toCsv(t));
    },
  );

  const Settings = Type.Object(
    {
      recipients: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 }),
      hour: Type.Integer({ minimum: 0, maximum: 23, description: "Час отправки по московскому времени" }),
    },
    { additionalProperties: false },
  );

  app.get(
    "/admin/analytics/summary",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Кому и когда уходит ежедневная сводка",
        tags: ["admin"],
        response: { 200: Settings },
      },
    },
    async () => summarySettings(ctx.db),
  );

  app.put(
    "/admin/analytics/summary",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Задать адреса и час ежедневной сводки",
        tags: ["admin"],
        body: Settings,
        response: { 200: Settings, 400: Problem },
      },
    },
    async (req) => saveSummarySettings(ctx.db, req.body),
  );

  app.post(
    "/admin/analytics/summary/send",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Поставить в очередь сводку за указанный день (если за этот день её ещё не было)",
        tags: ["admin"],
        body: Type.Object({ day: Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ queued: Type.Boolean(), subject: Type.String(), text: Type.String() }),
          400: Problem,
        },
      },
    },
    async (req) => {
      const s = await summarySettings(ctx.db);
      if (s.recipients.length === 0) {
        throw errors.validation("Сначала укажите адреса получателей сводки.", { field: "recipients" });
      }
      const queued = await queueSummary(ctx, req.body.day, s.recipients.length);
      return { queued: queued !== null, ...(await summaryText(ctx.db, req.body.day)) };
    },
  );
}
