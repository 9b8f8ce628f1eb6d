import { describe, expect, it } from "vitest";
import { checkArticles } from "./check.ts";
import { DEFAULT_KB_DIR } from "./cli.ts";
import { type Article, loadArticlesFromDir } from "./index.ts";

const words = (n: number) => Array.from({ length: n }, (_, i) => `слово${i}`).join(" ");
const article = (slug: string, title: string, body: string, extra: Partial<Article> = {}): Article => ({
  slug,
  title,
  summary: "Кратко.",
  category: "information",
  audience: ["citizen"],
  tags: [],
  synonyms: [],
  status: "published",
  visibility: "public",
  body,
  ...extra,
});

describe("checkArticles", () => {
  it("passes the shipped base without a problem", async () => {
    expect(checkArticles(await loadArticlesFromDir(DEFAULT_KB_DIR))).toEqual([]);
  });

  it("finds unchecked numbers, «ИИН», broken references, twin titles and bad lengths", () => {
    const problems = checkArticles([
      article("a", "Один", `${words(160)} Звоните 8-800-555-35-35 или 8 (800) 555-22-22. Смотрите статью «Два».`),
      article("b", "Один", `${words(160)} Назовите ИИН. Смотрите статью «Три».`),
      article("c", "Четыре", words(20), { summary: "" }),
      article("d", "Пять", `${words(160)} Проверьте ИИН.`, { visibility: "internal" }),
    ]);
    expect(problems.map((p) => `${p.slug}:${p.code}`).sort()).toEqual([
      "a:kb.broken_reference",
      "a:kb.unchecked_phone",
      "b:kb.broken_reference",
      "b:kb.duplicate_title",
      "b:kb.wrong_identifier",
      "c:kb.length",
      "c:kb.no_summary",
    ]);
    expect(problems.find((p) => p.code === "kb.unchecked_phone")?.message).toContain("8 (800) 555-22-22");
  });
});
