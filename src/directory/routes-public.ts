// What anyone may ask the directory: which number to call now, the whole list of lines, the regions to pick from.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import { Problem } from "../http/schemas.ts";
import { dialFromAbroad } from "./phone.ts";
import { DirectoryQueryError, parseAt, recommend } from "./recommend.ts";
import { regionIn } from "./regions.ts";
import { describeSchedule, openState } from "./schedule.ts";
import { RecommendAnswerSchema } from "./schema.ts";
import { LinesAnswer, RecommendQuery, RegionsAnswer } from "./schemas-http.ts";
import { type DirectoryState, directoryOf } from "./state.ts";

/** The answer of `otklik directory recommend` for the stored directory and its overload flags. */
export function recommendNow(state: DirectoryState, query: Parameters<typeof recommend>[3], now = new Date()) {
  return recommend(state.lines, state.calendar, state.regions, query, {
    overloaded: new Set(state.overloaded.keys()),
    now,
  });
}

// The list's `at` is checked by its schema's format, so a bad one has always been `validation_failed` here; a moment
// outside the directory's years is refused the same way, naming the field as the schema's refusals do.
function linesAt(text: string): Date {
  try {
    return parseAt(text);
  } catch (e) {
    if (e instanceof DirectoryQueryError)
      throw errors.validation(e.message, { errors: [{ field: "at", message: e.message }] });
    throw e;
  }
}

export async function publicDirectoryRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/directory/recommend",
    {
      config: { access: "public" },
      schema: {
        summary: "Куда звонить сейчас: линии по теме, типу заявителя и региону, лучшие первыми",
        description:
          "Тот же ответ, что у `otklik directory recommend --json` для тех же данных и момента. Открытые линии первыми, затем закрытые (раньше открывающиеся — выше), затем линии без известных часов.",
        tags: ["directory"],
        querystring: RecommendQuery,
        response: { 200: RecommendAnswerSchema, 400: Problem },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      try {
        return recommendNow(directoryOf(ctx), req.query);
      } catch (e) {
        if (e instanceof DirectoryQueryError) throw errors.badInput(e.code, e.message);
        throw e;
      }
    },
  );

  app.get(
    "/directory/lines",
    {
      config: { access: "public" },
      schema: {
        summary: "Все опубликованные линии по разделам справочника, открыты ли они сейчас и когда откроются",
        tags: ["directory"],
        querystring: Type.Object({ at: Type.Optional(Type.String({ format: "date-time" })) }),
        response: { 200: LinesAnswer, 400: Problem },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      const at = req.query.at ? linesAt(req.query.at) : new Date();
      const state = directoryOf(ctx);
      const groups: Static<typeof LinesAnswer>["groups"] = [];
      for (const { line, section } of state.entries) {
        if (!line.published) continue;
        let group = groups.find((g) => g.title === section);
        if (!group) {
          group = { title: section, lines: [] };
          groups.push(group);
        }
        const s = openState(line, state.calendar, at);
        group.lines.push({
          ...line,
          hours: describeSchedule(line, at),
          dial: line.abroad ? dialFromAbroad(line.e164) : undefined,
          open: s.open,
          opensAt: s.opensAt,
          closesAt: s.closesAt,
          overloaded: state.overloaded.has(line.id),
        });
      }
      return { at: at.toISOString(), groups };
    },
  );

  app.get(
    "/directory/regions",
    {
      config: { access: "public" },
      schema: {
        summary: "Субъекты РФ для выбора региона: официальные названия и краткие формы («Якутия», «ХМАО», «СПб»)",
        tags: ["directory"],
        response: { 200: RegionsAnswer },
      },
    },
    async (_req, reply) => {
      reply.header("cache-control", "public, max-age=3600");
      return directoryOf(ctx)
        .regions.regions.map((r) => ({
          name: r.name,
          short: r.short,
          cities: r.cities ?? [],
          in: regionIn(r.name),
          district: r.district,
          timezone: r.timezone,
        }))
        .sort((a, b) => a.name.localeCompare(b.name, "ru"));
    },
  );
}
