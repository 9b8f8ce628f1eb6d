// The shapes of the knowledge base's HTTP API.
import { Type } from "@sinclair/typebox";
import { StringEnum } from "../http/schemas.ts";
import { AUDIENCES, CATEGORIES } from "./article.ts";

export const DateTime = Type.Unsafe<string | Date>({ type: "string", format: "date-time" });
export const SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$";

export const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) });

export const SearchHitOut = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  score: Type.Number(),
  snippet: Type.String({ description: "Фрагмент текста: найденные слова в <mark>, остальное экранировано" }),
  category: Type.String(),
});

export const ArticleOut = Type.Object({
  slug: Type.String(),
  title: Type.String(),
  summary: Type.String(),
  category: Type.String(),
  categoryTitle: Type.String(),
  audience: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  body: Type.String({ description: "Markdown" }),
  updatedAt: DateTime,
  // Staff only:
  synonyms: Type.Optional(Type.Array(Type.String())),
  status: Type.Optional(Type.String()),
  visibility: Type.Optional(Type.String()),
  version: Type.Optional(Type.Integer()),
  updatedBy: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  answer: Type.Optional(Type.String({ description: "Краткое описание, шаги и ссылка: для ответа заявителю" })),
  helpful: Type.Optional(Type.Object({ yes: Type.Integer(), no: Type.Integer() })),
});

export const ArticleInputBody = Type.Object(
  {
    title: Type.String({ minLength: 3, maxLength: 200 }),
    summary: Type.String({ maxLength: 500 }),
    category: StringEnum(CATEGORIES),
    audience: Type.Array(StringEnum(AUDIENCES), { minItems: 1, uniqueItems: true }),
    tags: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { maxItems: 30 }),
    synonyms: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 }),
    visibility: StringEnum(["public", "internal"] as const),
    body: Type.String({ minLength: 1, maxLength: 50000 }),
  },
  { additionalProperties: false },
);

export const NewArticleBody = Type.Object(
  { slug: Type.String({ pattern: SLUG_PATTERN, minLength: 3, maxLength: 100 }), ...ArticleInputBody.properties },
  { additionalProperties: false },
);

export const ProblemOut = Type.Object({
  slug: Type.String(),
  code: Type.String(),
  severity: Type.String(),
  message: Type.String(),
});

export const SavedArticle = Type.Object({ article: ArticleOut, problems: Type.Array(ProblemOut) });

export const VersionOut = Type.Object({
  version: Type.Integer(),
  note: Type.String(),
  createdAt: DateTime,
  createdBy: Type.Union([Type.String(), Type.Null()]),
});

export const TemplateInput = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 10000 }),
    category: Type.Optional(Type.Union([StringEnum(CATEGORIES), Type.Null()])),
  },
  { additionalProperties: false },
);

export const TemplateOut = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  updatedAt: DateTime,
});
