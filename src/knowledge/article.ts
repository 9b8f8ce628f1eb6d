import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  AUDIENCE_CODES,
  type Audience as AudienceCode,
  CATEGORY_CODES,
  type CategoryCode,
} from "../requests/categories.ts";
import { KnowledgeError } from "./errors.ts";

// The request categories and audiences of the registry: one list for the whole product.
export const CATEGORIES = CATEGORY_CODES;
export type Category = CategoryCode;
export const AUDIENCES = AUDIENCE_CODES;
export type Audience = AudienceCode;

export interface Article {
  slug: string;
  title: string;
  summary: string;
  category: Category;
  audience: Audience[];
  tags: string[];
  /** Words applicants use for this topic that the text itself may not contain. */
  synonyms: string[];
  status: "draft" | "published";
  /** `internal` articles are for staff and never shown to applicants. */
  visibility: "public" | "internal";
  /** Markdown, without the front matter. */
  body: string;
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FRONT = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Parses one article: YAML front matter between `---` lines, then the Markdown body. */
export function parseArticle(markdown: string, fallbackSlug?: string): Article {
  const m = FRONT.exec(markdown.replace(/^\uFEFF/, ""));
  if (!m)
    throw new KnowledgeError(
      "kb.front_matter_missing",
      `Статья ${fallbackSlug ?? ""}: нет заголовка YAML между строками «---».`,
    );
  let meta: unknown;
  try {
    meta = parseYaml(m[1] as string);
  } catch (e) {
    throw new KnowledgeError(
      "kb.front_matter_invalid",
      `Статья ${fallbackSlug ?? ""}: заголовок YAML не читается: ${(e as Error).message}`,
    );
  }
  if (typeof meta !== "object" || meta === null) {
    throw new KnowledgeError(
      "kb.front_matter_invalid",
      `Статья ${fallbackSlug ?? ""}: заголовок YAML должен быть словарём.`,
    );
  }
  const f = meta as Record<string, unknown>;
  const slug = str(f, "slug", fallbackSlug);
  const where = `Статья ${slug}`;
  if (!SLUG.test(slug)) fail(where, "slug", "латиница в нижнем регистре, цифры и дефисы");
  const category = str(f, "category", undefined, where);
  if (!(CATEGORIES as readonly string[]).includes(category)) fail(where, "category", CATEGORIES.join(", "));
  const audience = list(f, "audience", where, [...AUDIENCES]);
  for (const a of audience)
    if (!(AUDIENCES as readonly string[]).includes(a)) fail(where, "audience", AUDIENCES.join(", "));
  const status = str(f, "status", "published", where);
  if (status !== "draft" && status !== "published") fail(where, "status", "draft или published");
  const visibility = str(f, "visibility", "public", where);
  if (visibility !== "public" && visibility !== "internal") fail(where, "visibility", "public или internal");
  return {
    slug,
    title: str(f, "title", undefined, where),
    summary: str(f, "summary", "", where),
    category: category as Category,
    audience: audience as Audience[],
    tags: list(f, "tags", where, []),
    synonyms: list(f, "synonyms", where, []),
    status,
    visibility,
    body: (m[2] as string).trim(),
  };
}

function fail(where: string, field: string, expected: string): never {
  throw new KnowledgeError("kb.field_invalid", `${where}: поле «${field}» неверно; ожидается: ${expected}.`);
}

function str(f: Record<string, unknown>, key: string, dflt?: string, where = "Статья"): string {
  const v = f[key] ?? dflt;
  if (typeof v !== "string" || v.trim() === "") fail(where, key, "непустая строка");
  return v.trim();
}

function list(f: Record<string, unknown>, key: string, where: string, dflt: string[]): string[] {
  const v = f[key];
  if (v === undefined || v === null) return dflt;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string" && typeof x !== "number"))
    fail(where, key, "список строк");
  return v.map((x) => String(x).trim()).filter(Boolean);
}

/** Every `*.md` in a folder, sorted by slug; the file name is the slug unless the front matter says otherwise. */
export async function loadArticlesFromDir(dir: string): Promise<Article[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".md")).sort();
  const articles: Article[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const article = parseArticle(await readFile(join(dir, name), "utf8"), basename(name, ".md"));
    if (seen.has(article.slug))
      throw new KnowledgeError("kb.duplicate_slug", `Статья ${article.slug} встречается дважды.`);
    seen.add(article.slug);
    articles.push(article);
  }
  return articles;
}

/** Markdown reduced to the text a reader sees: links keep their words, markup goes. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, "")
    .replace(/^\s*>\s?/gm, "")
    .replace(/[*_`|]/g, "")
    .replace(/[ \t]+/g, " ")
    .trim();
}
