// The applicant's side of the knowledge base: search, articles, categories, votes and what the request form's
// suggestions led to. Staff calling the same routes also see internal articles and drafts.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import { SESSION_COOKIE } from "../http/access.ts";
import { errors } from "../http/errors.ts";
import { Problem } from "../http/schemas.ts";
import { CATEGORIES as CATEGORY_INFO } from "../requests/categories.ts";
import { randomToken } from "../security/tokens.ts";
import { findApiToken, findSession, type StaffUser } from "../staff/service.ts";
import { answerText } from "./answer.ts";
import { ArticleOut, SearchHitOut, SlugParams } from "./schemas.ts";
import { indexedArticles, searchKnowledge } from "./state.ts";
import { addSuggestionEvents, feedbackCounts, readArticle, type StoredArticle } from "./store.ts";
import { castVote, DAILY_LIMIT } from "./votes.ts";

const VOTE_COOKIE = "otklik_kb_vote";

export const articleNotFound = () => errors.notFound("article");

export const categoryTitle = (code: string) => CATEGORY_INFO.find((c) => c.code === code)?.title ?? code;

/** The employee behind a public call, if any: staff see more on the same pages. Reads never need CSRF. */
async function optionalStaff(ctx: AppContext, req: FastifyRequest): Promise<StaffUser | undefined> {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) return (await findApiToken(ctx.db, header.slice(7).trim())) ?? undefined;
  const sid = req.cookies?.[SESSION_COOKIE];
  if (!sid) return undefined;
  return (await findSession(ctx.db, sid))?.user;
}

export function articleView(ctx: AppContext, a: StoredArticle, staff: boolean, helpful?: { yes: number; no: number }) {
  const base = {
    slug: a.slug,
    title: a.title,
    summary: a.summary,
    category: a.category,
    categoryTitle: categoryTitle(a.category),
    audience: a.audience,
    tags: a.tags,
    body: a.body,
    updatedAt: a.updatedAt,
  };
  if (!staff) return base;
  return {
    ...base,
    synonyms: a.synonyms,
    status: a.status,
    visibility: a.visibility,
    version: a.version,
    updatedBy: a.updatedByName,
    answer: answerText(a, ctx.config.publicUrl),
    helpful: helpful ?? { yes: 0, no: 0 },
  };
}

const isPublic = (a: { status: string; visibility: string }) => a.status === "published" && a.visibility === "public";

export async function publicKnowledgeRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = ctx.config.publicRateLimit > 0 ? { max: 600, timeWindow: "1 minute" } : false;

  app.get(
    "/kb/search",
    {
      config: { access: "public" },
      schema: {
        summary: "Поиск по базе знаний (тот же ответ, что у `otklik kb search --json`)",
        description:
          "Понимает словоформы, опечатки, неверную раскладку, транслит и синонимы. Сотрудники могут попросить внутренние статьи (internal=true), администраторы — черновики (drafts=true).",
        tags: ["kb"],
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 2000 }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
          internal: Type.Optional(Type.Boolean()),
          drafts: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Array(SearchHitOut), 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req) => {
      const { q, limit = 10, internal = false, drafts = false } = req.query;
      if (internal || drafts) {
        const who = await optionalStaff(ctx, req);
        if (!who) throw errors.unauthenticated();
        if (drafts && who.role !== "administrator") throw errors.forbidden("Черновики видят только администраторы.");
      }
      return searchKnowledge(ctx, q, { limit, includeInternal: internal, includeDrafts: drafts });
    },
  );

  app.get(
    "/kb/articles/:slug",
    {
      config: { access: "public" },
      schema: {
        summary: "Статья базы знаний",
        description: "Опубликованные общедоступные статьи — всем; внутренние и черновики — только сотрудникам.",
        tags: ["kb"],
        params: SlugParams,
        response: { 200: ArticleOut, 404: Problem },
      },
    },
    async (req) => {
      const a = await readArticle(ctx.db, req.params.slug);
      if (!a) throw articleNotFound();
      if (isPublic(a)) {
        const who =
          req.headers.authorization || req.cookies?.[SESSION_COOKIE] ? await optionalStaff(ctx, req) : undefined;
        const counts = who ? (await feedbackCounts(ctx.db, a.slug)).get(a.slug) : undefined;
        return articleView(ctx, a, Boolean(who), counts);
      }
      const who = await optionalStaff(ctx, req);
      if (!who) throw articleNotFound();
      return articleView(ctx, a, true, (await feedbackCounts(ctx.db, a.slug)).get(a.slug));
    },
  );

  app.get(
    "/kb/categories",
    {
      config: { access: "public" },
      schema: {
        summary: "Опубликованные статьи по категориям",
        tags: ["kb"],
        response: {
          200: Type.Array(
            Type.Object({
              code: Type.String(),
              title: Type.String(),
              articles: Type.Array(Type.Object({ slug: Type.String(), title: Type.String(), summary: Type.String() })),
            }),
          ),
        },
      },
    },
    async () => {
      const published = indexedArticles(ctx).filter(isPublic);
      return CATEGORY_INFO.map((c) => ({
        code: c.code,
        title: c.title,
        articles: published
          .filter((a) => a.category === c.code)
          .map((a) => ({ slug: a.slug, title: a.title, summary: a.summary }))
          .sort((x, y) => x.title.localeCompare(y.title, "ru")),
      })).filter((c) => c.articles.length > 0);
    },
  );

  app.post(
    "/kb/articles/:slug/feedback",
    {
      config: { access: "public", rateLimit },
      schema: {
        summary: "Ответ на вопрос «Была ли статья полезной?»",
        description: `Один голос за статью в день с адреса и из сессии браузера (cookie ${VOTE_COOKIE}): повторный ответ меняет прежний. С одного адреса — не больше ${DAILY_LIMIT} статей в день (сверх — 429 \`kb_feedback_limit\` с Retry-After). Адрес не хранится: только хеш дня и адреса с ключом.`,
        tags: ["kb"],
        params: SlugParams,
        body: Type.Object({ helpful: Type.Boolean() }, { additionalProperties: false }),
        response: { 204: Type.Null(), 400: Problem, 404: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const a = await readArticle(ctx.db, req.params.slug);
      if (!a || !isPublic(a)) throw articleNotFound();
      // The browser session: a random value in a cookie that lasts until the browser closes.
      let session = req.cookies?.[VOTE_COOKIE];
      if (!session || !/^[A-Za-z0-9_-]{43}$/.test(session)) {
        session = randomToken(32);
        reply.setCookie(VOTE_COOKIE, session, {
          path: "/api/v1/kb",
          httpOnly: true,
          sameSite: "lax",
          secure: ctx.config.publicUrl.startsWith("https:"),
        });
      }
      await castVote(ctx.db, a.slug, req.body.helpful, { ip: req.ip, session });
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/kb/suggestions/events",
    {
      config: { access: "public", rateLimit },
      schema: {
        summary: "Что стало с подсказками формы обращения: показаны, открыты, форма отправлена или оставлена",
        description:
          "visit — случайный идентификатор одного посещения формы (без персональных данных). Посещение, в котором открыли статью и ушли, не отправив форму, считается решённым справкой.",
        tags: ["kb"],
        body: Type.Object(
          {
            visit: Type.String({ pattern: "^[A-Za-z0-9_-]{16,64}$" }),
            kind: Type.Union([
              Type.Literal("shown"),
              Type.Literal("opened"),
              Type.Literal("submitted"),
              Type.Literal("left"),
            ]),
            slugs: Type.Optional(Type.Array(Type.String({ pattern: "^[a-z0-9-]{1,100}$" }), { maxItems: 10 })),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), 400: Problem },
      },
    },
    async (req, reply) => {
      const { visit, kind, slugs = [] } = req.body;
      const known = new Set(
        indexedArticles(ctx)
          .filter(isPublic)
          .map((a) => a.slug),
      );
      const valid = kind === "shown" || kind === "opened" ? slugs.filter((s) => known.has(s)) : [];
      if ((kind === "shown" || kind === "opened") && valid.length === 0) return reply.code(204).send(null);
      await addSuggestionEvents(ctx.db, visit, kind, valid);
      return reply.code(204).send(null);
    },
  );
}
