// Staff's side of the knowledge base: the editor's list, edits, publishing, versions and the check; answer
// templates and their rendering for one request; deflection and vote statistics.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Id, Positive } from "../http/schemas.ts";
import { requestRowById, visibleRequestId } from "../requests/queries.ts";
import { articleNotFound, articleView, categoryTitle } from "./routes-public.ts";
import {
  ArticleInputBody,
  ArticleOut,
  IdParams,
  NewArticleBody,
  Problem,
  ProblemOut,
  SavedArticle,
  SlugParams,
  TemplateInput,
  TemplateOut,
  VersionOut,
} from "./schemas.ts";
import {
  type ArticleInput,
  checkForPublishing,
  createArticle,
  restoreVersion,
  setArticleStatus,
  updateArticle,
} from "./service.ts";
import {
  deflectionStats,
  deleteTemplate,
  feedbackCounts,
  insertTemplate,
  listTemplates,
  listVersions,
  readArticle,
  readArticles,
  readTemplate,
  readVersion,
  updateTemplate,
} from "./store.ts";
import { PLACEHOLDERS, renderTemplate } from "./template.ts";

const ADMIN = ["administrator"] as const;
const VersionParams = Type.Object({ slug: Type.String({ maxLength: 100 }), version: Positive() });

export async function staffKnowledgeRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/kb/admin/articles",
    {
      config: { access: "staff" },
      schema: {
        summary: "Все статьи для редактора: черновики, внутренние, оценки",
        tags: ["kb"],
        response: {
          200: Type.Array(
            Type.Object({
              slug: Type.String(),
              title: Type.String(),
              category: Type.String(),
              categoryTitle: Type.String(),
              status: Type.String(),
              visibility: Type.String(),
              helpful: Type.Object({ yes: Type.Integer(), no: Type.Integer() }),
            }),
          ),
        },
      },
    },
    async () => {
      const [articles, votes] = await Promise.all([readArticles(ctx.db), feedbackCounts(ctx.db)]);
      return articles.map((a) => ({
        slug: a.slug,
        title: a.title,
        category: a.category,
        categoryTitle: categoryTitle(a.category),
        status: a.status,
        visibility: a.visibility,
        helpful: votes.get(a.slug) ?? { yes: 0, no: 0 },
      }));
    },
  );

  app.post(
    "/kb/articles",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Новая статья (черновик)",
        tags: ["kb"],
        body: NewArticleBody,
        response: { 201: ArticleOut, 400: Problem, 409: Problem },
      },
    },
    async (req, reply) => {
      const { slug, ...input } = req.body as ArticleInput & { slug: string };
      const a = await createArticle(ctx, slug, input, staffOf(req).id);
      return reply.code(201).send(articleView(ctx, a, true));
    },
  );

  app.put(
    "/kb/articles/:slug",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Изменить статью (новая версия); опубликованная сохраняется, только если проходит проверку",
        tags: ["kb"],
        params: SlugParams,
        body: ArticleInputBody,
        response: { 200: SavedArticle, 400: Problem, 404: Problem, 422: Problem },
      },
    },
    async (req) => {
      const r = await updateArticle(ctx, req.params.slug, req.body as ArticleInput, staffOf(req).id);
      return { article: articleView(ctx, r.article, true), problems: r.problems };
    },
  );

  for (const [action, status] of [
    ["publish", "published"],
    ["unpublish", "draft"],
  ] as const) {
    app.post(
      `/kb/articles/:slug/${action}`,
      {
        config: { access: ADMIN },
        schema: {
          summary: action === "publish" ? "Опубликовать статью (после проверки)" : "Снять статью с публикации",
          tags: ["kb"],
          params: SlugParams,
          response: { 200: SavedArticle, 404: Problem, 422: Problem },
        },
      },
      async (req) => {
        const r = await setArticleStatus(ctx, req.params.slug, status, staffOf(req).id);
        return { article: articleView(ctx, r.article, true), problems: r.problems };
      },
    );
  }

  app.post(
    "/kb/check",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Проверить статью до сохранения (предпросмотр): что помешает публикации",
        tags: ["kb"],
        body: NewArticleBody,
        response: { 200: Type.Object({ problems: Type.Array(ProblemOut) }), 400: Problem },
      },
    },
    async (req) => ({
      problems: await checkForPublishing(ctx.db, {
        ...(req.body as ArticleInput & { slug: string }),
        status: "published",
      }),
    }),
  );

  app.get(
    "/kb/articles/:slug/versions",
    {
      config: { access: ADMIN },
      schema: {
        summary: "История статьи: кто, когда и что менял",
        tags: ["kb"],
        params: SlugParams,
        response: { 200: Type.Array(VersionOut), 404: Problem },
      },
    },
    async (req) => {
      if (!(await readArticle(ctx.db, req.params.slug))) throw articleNotFound();
      return listVersions(ctx.db, req.params.slug);
    },
  );

  app.get(
    "/kb/articles/:slug/versions/:version",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Одна версия статьи целиком",
        tags: ["kb"],
        params: VersionParams,
        response: {
          200: Type.Composite([VersionOut, Type.Object({ article: Type.Record(Type.String(), Type.Unknown()) })]),
          404: Problem,
        },
      },
    },
    async (req) => {
      const v = await readVersion(ctx.db, req.params.slug, req.params.version);
      if (!v) throw errors.notFound("Версия статьи");
      const { data, ...meta } = v;
      return { ...meta, article: data };
    },
  );

  app.post(
    "/kb/articles/:slug/versions/:version/restore",
    {
      config: { access: ADMIN },
      schema: {
        summary: "Вернуть содержимое старой версии (как новую версию)",
        tags: ["kb"],
        params: VersionParams,
        response: { 200: ArticleOut, 404: Problem, 422: Problem },
      },
    },
    async (req) =>
      articleView(ctx, await restoreVersion(ctx, req.params.slug, req.params.version, staffOf(req).id), true),
  );

  app.get(
    "/kb/stats",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Подсказки формы обращения и оценки статей: сколько посещений формы закончилось статьёй",
        tags: ["kb"],
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }),
        response: {
          200: Type.Object({
            totals: Type.Object({
              visitsShown: Type.Integer(),
              visitsOpened: Type.Integer(),
              visitsSubmitted: Type.Integer(),
              visitsDeflected: Type.Integer(),
            }),
            articles: Type.Array(
              Type.Object({
                slug: Type.String(),
                title: Type.String(),
                shown: Type.Integer(),
                opened: Type.Integer(),
                deflected: Type.Integer(),
                helpfulYes: Type.Integer(),
                helpfulNo: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const from = new Date(Date.now() - (req.query.days ?? 30) * 86_400_000);
      const [articles, votes, d] = await Promise.all([
        readArticles(ctx.db),
        feedbackCounts(ctx.db),
        deflectionStats(ctx.db, from),
      ]);
      return {
        totals: d.totals,
        articles: articles
          .map((a) => {
            const s = d.perArticle.get(a.slug) ?? { shown: 0, opened: 0, deflected: 0 };
            const v = votes.get(a.slug) ?? { yes: 0, no: 0 };
            return { slug: a.slug, title: a.title, ...s, helpfulYes: v.yes, helpfulNo: v.no };
          })
          .sort((x, y) => y.deflected - x.deflected || y.opened - x.opened || x.slug.localeCompare(y.slug)),
      };
    },
  );

  app.get(
    "/kb/templates",
    {
      config: { access: "staff" },
      schema: {
        summary: "Шаблоны ответов",
        description: `Подстановки: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`,
        tags: ["kb"],
        response: { 200: Type.Array(TemplateOut) },
      },
    },
    async () => listTemplates(ctx.db),
  );

  app.post(
    "/kb/templates",
    {
      config: { access: "staff" },
      schema: {
        summary: "Новый шаблон ответа",
        tags: ["kb"],
        body: TemplateInput,
        response: { 201: TemplateOut, 400: Problem },
      },
    },
    async (req, reply) => {
      const t = await insertTemplate(
        ctx.db,
        { ...req.body, category: (req.body.category as string | undefined) ?? null },
        staffOf(req).id,
      );
      return reply.code(201).send(t);
    },
  );

  app.put(
    "/kb/templates/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Изменить шаблон ответа",
        tags: ["kb"],
        params: IdParams,
        body: TemplateInput,
        response: { 200: TemplateOut, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      const t = await updateTemplate(
        ctx.db,
        req.params.id,
        { ...req.body, category: (req.body.category as string | undefined) ?? null },
        staffOf(req).id,
      );
      if (!t) throw errors.notFound("Шаблон");
      return t;
    },
  );

  app.delete(
    "/kb/templates/:id",
    {
      config: { access: "staff" },
      schema: {
        summary: "Удалить шаблон ответа",
        tags: ["kb"],
        params: IdParams,
        response: { 204: Type.Null(), 404: Problem },
      },
    },
    async (req, reply) => {
      if (!(await deleteTemplate(ctx.db, req.params.id))) throw errors.notFound("Шаблон");
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/requests/:number/render-template",
    {
      config: { access: "staff" },
      schema: {
        summary: "Шаблон ответа с подстановками для этого обращения: {{имя}}, {{номер}}, {{срок}}",
        tags: ["kb"],
        params: Type.Object({ number: Type.String({ maxLength: 20 }) }),
        body: Type.Object(
          {
            templateId: Type.Optional(Id()),
            body: Type.Optional(Type.String({ minLength: 1, maxLength: 10000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ text: Type.String(), unknown: Type.Array(Type.String()) }),
          400: Problem,
          404: Problem,
        },
      },
    },
    async (req) => {
      const user = staffOf(req);
      const row = (await requestRowById(ctx.db, await visibleRequestId(ctx.db, user, req.params.number)))!;
      let body = req.body.body;
      if (req.body.templateId !== undefined) {
        const t = await readTemplate(ctx.db, req.body.templateId);
        if (!t) throw errors.notFound("Шаблон");
        body = t.body;
      }
      if (body === undefined) throw errors.validation("Укажите шаблон (templateId) или его текст (body).");
      return renderTemplate(body, {
        name: row.contactName,
        number: row.number,
        dueAt: row.resolutionDueAt,
        category: row.category ? categoryTitle(row.category) : null,
        operator: user.name,
      });
    },
  );
}
