// Keeping the directory: administrators edit lines, import and export the YAML, keep the calendar; supervisors
// and administrators mark a main line as overloaded.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { IdParams, Problem } from "../http/schemas.ts";
import { isShortDay, isWorkingDay } from "./calendar.ts";
import { lineToEntry } from "./document.ts";
import {
  AdminDirectory,
  CalendarYearAnswer,
  CalendarYearBody,
  CheckReport,
  DirectoryProblem,
  LineEditBody,
  LineIdParams,
  SaveAnswer,
  VersionItem,
  YamlBody,
  YearParams,
} from "./schemas-http.ts";
import {
  checkText,
  exportYaml,
  importDirectory,
  putCalendarYear,
  saveLine,
  setOverloaded,
  setPublished,
} from "./service.ts";
import { directoryOf } from "./state.ts";
import { calendarYearMeta, listVersions, readVersion } from "./store.ts";

const ADMIN = ["administrator"] as const;
const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];

function yamlOf(body: string | { yaml: string } | undefined): string {
  if (typeof body === "string") return body;
  if (body) return body.yaml;
  throw errors.validation("Пришлите файл справочника: YAML в теле запроса или JSON {yaml}.");
}

export async function adminDirectoryRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_req, body, done) => done(null, body));

  app.put(
    "/directory/lines/:id/overload",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Отметить перегрузку основной линии (её резерв предлагается первым) или снять отметку",
        tags: ["directory"],
        params: LineIdParams,
        body: Type.Object({ overloaded: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({ lineId: Type.String(), overloaded: Type.Boolean(), reserves: Type.Array(Type.String()) }),
          400: Problem,
          404: Problem,
        },
      },
    },
    async (req) => setOverloaded(ctx, req.params.id, req.body.overloaded, staffOf(req).id),
  );

  app.get(
    "/admin/directory",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Справочник для редактирования: все строки (и снятые с публикации) и замечания проверки",
        tags: ["admin"],
        response: { 200: AdminDirectory },
      },
    },
    async () => {
      const state = directoryOf(ctx);
      const overloadOf = (id: string) => {
        const o = state.overloaded.get(id);
        return o ? { overloadedBy: o.setBy, overloadedAt: o.setAt.toISOString() } : {};
      };
      return {
        sections: [...new Set(state.entries.map((e) => e.section))],
        entries: state.entries.map((e) => ({
          id: e.line.id,
          section: e.section,
          comment: e.comment,
          entry: lineToEntry(e.line),
          published: e.line.published,
          overloaded: state.overloaded.has(e.line.id),
          ...overloadOf(e.line.id),
          updatedAt: e.updatedAt.toISOString(),
          updatedBy: e.updatedBy,
        })),
        check: checkText(ctx, exportYaml(ctx)),
      };
    },
  );

  app.get(
    "/admin/directory/export",
    {
      config: { access: ADMIN },
      schema: { summary: "Выгрузить справочник в YAML (формат data/directory.yaml)", tags: ["admin"] },
    },
    async (_req, reply) => {
      reply.header("content-disposition", 'attachment; filename="directory.yaml"');
      reply.header("cache-control", "no-store");
      return reply.type("application/yaml; charset=utf-8").send(exportYaml(ctx));
    },
  );

  app.post(
    "/admin/directory/check",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Проверить файл справочника, ничего не сохраняя (как `otklik directory check --json`)",
        tags: ["admin"],
        body: YamlBody,
        response: { 200: CheckReport, 400: Problem },
      },
    },
    async (req) => checkText(ctx, yamlOf(req.body)),
  );

  app.put(
    "/admin/directory",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Загрузить справочник из YAML целиком; файл с ошибками отклоняется, ничего не записав",
        tags: ["admin"],
        body: YamlBody,
        response: { 200: CheckReport, 400: DirectoryProblem },
      },
    },
    async (req) => importDirectory(ctx, yamlOf(req.body), staffOf(req).id),
  );

  app.put(
    "/admin/directory/lines/:id",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Изменить или добавить одну строку справочника (проверяется весь справочник)",
        tags: ["admin"],
        params: LineIdParams,
        body: LineEditBody,
        response: { 200: SaveAnswer, 400: DirectoryProblem },
      },
    },
    async (req) => saveLine(ctx, req.params.id, req.body, staffOf(req).id),
  );

  app.post(
    "/admin/directory/lines/:id/publication",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Опубликовать строку или снять её с публикации (с причиной)",
        tags: ["admin"],
        params: LineIdParams,
        body: Type.Object(
          { published: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: { 200: SaveAnswer, 400: DirectoryProblem, 404: Problem },
      },
    },
    async (req) => setPublished(ctx, req.params.id, req.body.published, req.body.reason, staffOf(req).id),
  );

  app.get(
    "/admin/directory/calendar",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Годы производственного календаря",
        tags: ["admin"],
        response: { 200: Type.Array(Type.Omit(CalendarYearAnswer, ["days"])) },
      },
    },
    async () => directoryOf(ctx).calendarYears.map(({ days: _days, ...y }) => ({ ...y, ...countDays(y.year) })),
  );

  const countDays = (year: number) => {
    const calendar = directoryOf(ctx).calendar;
    let workingDays = 0;
    let shortDays = 0;
    for (let d = new Date(Date.UTC(year, 0, 1)); d.getUTCFullYear() === year; d.setUTCDate(d.getUTCDate() + 1)) {
      const iso = d.toISOString().slice(0, 10);
      if (isWorkingDay(calendar, iso)) workingDays++;
      if (isShortDay(calendar, iso)) shortDays++;
    }
    return { workingDays, shortDays };
  };

  app.get(
    "/admin/directory/calendar/:year",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Один год производственного календаря",
        tags: ["admin"],
        params: YearParams,
        response: { 200: CalendarYearAnswer, 404: Problem },
      },
    },
    async (req) => {
      const y = directoryOf(ctx).calendarYears.find((c) => c.year === req.params.year);
      if (!y) throw errors.notFound("calendar_year");
      const meta = await calendarYearMeta(ctx.db, y.year);
      return { ...y, ...countDays(y.year), updatedAt: meta?.updatedAt.toISOString() };
    },
  );

  app.put(
    "/admin/directory/calendar/:year",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Записать год производственного календаря (праздники, переносы, сокращённые дни)",
        tags: ["admin"],
        params: YearParams,
        body: CalendarYearBody,
        response: { 200: CalendarYearAnswer, 400: Problem },
      },
    },
    async (req) => {
      const y = await putCalendarYear(ctx, req.params.year, req.body, staffOf(req).id);
      return { ...y, ...countDays(y.year) };
    },
  );

  app.get(
    "/admin/directory/versions",
    {
      config: { access: ADMIN },
      schema: {
        summary: "История изменений справочника и календаря: кто, когда, что",
        tags: ["admin"],
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
        response: { 200: Type.Array(VersionItem) },
      },
    },
    async (req) =>
      (await listVersions(ctx.db, req.query.limit)).map((v) => ({ ...v, changedAt: v.changedAt.toISOString() })),
  );

  app.get(
    "/admin/directory/versions/:id",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Сохранённая версия целиком (YAML)",
        tags: ["admin"],
        params: IdParams,
      },
    },
    async (req, reply) => {
      const v = await readVersion(ctx.db, req.params.id);
      if (!v) throw errors.notFound("directory_version");
      return reply.type("application/yaml; charset=utf-8").send(v.document);
    },
  );
}
