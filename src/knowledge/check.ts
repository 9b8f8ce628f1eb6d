import { type Article, plainText } from "./article.ts";

export interface ArticleProblem {
  slug: string;
  code:
    | "kb.length"
    | "kb.unchecked_phone"
    | "kb.wrong_identifier"
    | "kb.broken_reference"
    | "kb.duplicate_title"
    | "kb.no_summary";
  severity: "error" | "warning";
  message: string;
}

// The only numbers an article may quote: the directory checks every other line, and articles send
// readers to /contacts for them, so a number copied into a text can never go stale unnoticed.
export const CHECKED_NUMBERS = ["88005553535", "74957777777"];
const PHONE = /(?:\+7|\b8)[\s-]?\(?\d{3,4}\)?[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b/g;
const REFERENCE = /стать[яиюе]\s+«([^«»]*(?:«[^«»]*»[^«»]*)*)»/g;

export const wordCount = (article: Article): number =>
  plainText(article.body)
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/** What an editor must fix before publishing: unchecked phone numbers, «ИИН», broken references, length. */
export function checkArticles(articles: readonly Article[], allowedNumbers = CHECKED_NUMBERS): ArticleProblem[] {
  const problems: ArticleProblem[] = [];
  const allowed = new Set(allowedNumbers.map((n) => n.replace(/\D/g, "")));
  const titles = new Map<string, string>();
  for (const a of articles) {
    const other = titles.get(a.title);
    if (other) problems.push(error(a, "kb.duplicate_title", `тот же заголовок, что у статьи ${other}`));
    titles.set(a.title, a.slug);
  }
  for (const a of articles) {
    const text = `${a.title}\n${a.summary}\n${a.body}`;
    const words = wordCount(a);
    if (words < 150 || words > 400) {
      problems.push({
        slug: a.slug,
        code: "kb.length",
        severity: "warning",
        message: `${words} слов; нужно от 150 до 400`,
      });
    }
    if (!a.summary)
      problems.push({ slug: a.slug, code: "kb.no_summary", severity: "warning", message: "нет краткого описания" });
    for (const m of text.matchAll(PHONE)) {
      if (!allowed.has(m[0].replace(/\D/g, ""))) {
        problems.push(
          error(a, "kb.unchecked_phone", `номер «${m[0]}» не из проверенного списка: сошлитесь на /contacts`),
        );
      }
    }
    // «ИИН» is a Kazakh identifier; a Russian citizen has ИНН and СНИЛС. Staff articles may name it to warn.
    if (a.visibility === "public" && /(?<![\p{L}\p{N}])ИИН(?![\p{L}\p{N}])/u.test(text)) {
      problems.push(error(a, "kb.wrong_identifier", "«ИИН» — не российский идентификатор: ИНН или СНИЛС"));
    }
    for (const m of text.matchAll(REFERENCE)) {
      if (!titles.has(m[1] as string)) problems.push(error(a, "kb.broken_reference", `нет статьи «${m[1]}»`));
    }
  }
  return problems;
}

function error(a: Article, code: ArticleProblem["code"], message: string): ArticleProblem {
  return { slug: a.slug, code, severity: "error", message };
}
