// What an operator pastes into a reply from an article: its summary, its steps and the link. Pure, no I/O.
import { type Article, plainText } from "./article.ts";

/** The first numbered list of the body, as «1. …» lines with the Markdown stripped. */
export function articleSteps(body: string): string[] {
  const steps: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s{0,3}\d+[.)]\s+(.*)$/.exec(line);
    if (m) steps.push(plainText(m[1] as string));
    // Blank lines may separate items; any other line ends the list.
    else if (steps.length > 0 && line.trim() !== "") break;
  }
  return steps;
}

export function answerText(article: Pick<Article, "slug" | "summary" | "body">, publicUrl: string): string {
  const parts: string[] = [];
  if (article.summary) parts.push(article.summary);
  const steps = articleSteps(article.body);
  if (steps.length > 0) parts.push(steps.map((s, i) => `${i + 1}. ${s}`).join("\n"));
  parts.push(`Подробнее: ${publicUrl.replace(/\/$/, "")}/help/${article.slug}`);
  return parts.join("\n\n");
}
