// The editor's side of the knowledge base: the list of every article, edits, publishing, versions and the check
// before publishing; what the request form's suggestions did. Answer templates have routes of their own
// (routes-templates.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Positive, Problem } from "../http/schemas.ts";
import { articleNotFound, articleView, categoryTitle } from "./routes-public.ts";
import {
  ArticleInputBody,
  ArticleOut,
  NewArticleBody,
  ProblemOut,
  SavedArticle,
  SlugParams,
  VersionOut,
} from "./schemas.ts";
import {
  checkForPublishing,
  createArticle,
  deflectionReport,
  editorArticles,
  restoreVersion,
  setArticleStatus,
  updateArticle,
} from "./service.ts";
import { listVersions, readArticle, readVersion } from "./store.ts";

const ADMIN = ["administrator"] as const;
const VersionParams = Type.Object({ slug: Type.String({ maxLength: 100 }), version: Positive() });

export async function editorRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
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
    async () =>
      (await editorArticles(ctx.db)).map((a) => ({
        slug: a.slug,
        title: a.title,
        category: a.category,
        categoryTitle: categoryTitle(a.category),
        status: a.status,
        visibility: a.visibility,
        helpful: a.helpful,
      })),
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
      const { slug, ...input } = req.body;
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
      const r = await updateArticle(ctx, req.params.slug, req.body, staffOf(req).id);
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
    async (req) => ({ problems: await checkForPublishing(ctx.db, { ...req.body, status: "published" }) }),
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
      if (!v) throw errors.notFound("article_version");
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
    async (req) => deflectionReport(ctx.db, req.query.days ?? 30),
  );
}
