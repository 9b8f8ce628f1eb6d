// Answer templates: placeholders in double braces filled from the request being answered. Pure, no I/O.
import { moscowDeadline } from "../text/display.ts";

export type TemplateValues = {
  /** The applicant's name as they gave it; none in many requests. */
  name: string | null;
  number: string;
  /** When the first answer is due (the SLA's first-response target), or null. */
  firstResponseDueAt: Date | null;
  /** When the request is to be resolved, or null. */
  resolutionDueAt: Date | null;
  /** Whether the first answer has been given: `{{срок}}` then means the resolution's due time. */
  answered?: boolean;
  category?: string | null;
  operator?: string | null;
  /** The moment the text is written (a deadline in another year names its year); now by default. */
  now?: Date;
};

/**
 * The placeholders. `{{срок}}` is the time the applicant is waiting for now — the first answer's until it is given,
 * then the resolution's — the same «ответим до» the tracking page shows.
 */
export const PLACEHOLDERS = [
  "приветствие",
  "имя",
  "номер",
  "срок_ответа",
  "срок_решения",
  "срок",
  "категория",
  "оператор",
] as const;

/** `{{ключ}}` or `{{ключ|запасной текст}}`: the text after the bar stands in when the value is missing. */
const PLACEHOLDER = /\{\{\s*([^{}|]+?)\s*(?:\|([^{}]*))?\}\}/g;

/**
 * «28 ноября в 18:00 по московскому времени (суббота)», as the notices and the tracking page write a deadline (the
 * year only when it is not the one under way at `now`).
 */
export const formatDue = (d: Date, now?: Date): string => moscowDeadline(d, now);

const DUE_KEYS = new Set(["срок", "срок_ответа", "срок_решения"]);
const SOON = "в ближайшее время";

/**
 * Fills the placeholders. A missing value never leaves a dangling comma or preposition:
 * - without a name, «, {{имя}}» goes with its comma («Здравствуйте, {{имя}}!» reads «Здравствуйте!»), and «{{имя}}, »
 *   opening a sentence goes with its comma and the next word takes the capital («{{имя}}, добрый день» → «Добрый
 *   день»); `{{приветствие}}` is «Здравствуйте, Анна!» or «Здравствуйте!»;
 * - without a due time, «до {{срок_ответа}}» reads «в ближайшее время»;
 * - `{{ключ|текст}}` puts the text in place of a missing value.
 * Unknown placeholders stay as written and are listed, so the operator sees what to fix.
 */
export function renderTemplate(body: string, v: TemplateValues): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const name = v.name?.trim() || null;
  const firstDue = v.firstResponseDueAt ? formatDue(v.firstResponseDueAt, v.now) : null;
  const resolutionDue = v.resolutionDueAt ? formatDue(v.resolutionDueAt, v.now) : null;
  const values: Record<string, string | null> = {
    приветствие: name ? `Здравствуйте, ${name}!` : "Здравствуйте!",
    имя: name,
    номер: v.number,
    срок_ответа: firstDue,
    срок_решения: resolutionDue,
    срок: v.answered ? resolutionDue : firstDue,
    категория: v.category?.trim() || null,
    оператор: v.operator?.trim() || null,
  };
  const missing = (key: string, fallback: string | undefined) =>
    fallback === undefined && key in values && values[key] === null;

  let text = body;
  // A missing name with no stand-in takes its comma along, before or after it.
  text = text.replace(/,[ \t]*\{\{\s*имя\s*\}\}/gi, (whole) => (name ? whole : ""));
  text = text.replace(
    /(^|[.!?…]\s+|\n\s*)\{\{\s*имя\s*\}\},?[ \t]*(\p{L})?/giu,
    (whole, start: string, letter: string | undefined) =>
      name ? whole : `${start}${letter ? letter.toLocaleUpperCase("ru-RU") : ""}`,
  );
  // «до {{срок}}» without a due time: «в ближайшее время», the preposition dropped.
  text = text.replace(/(^|[^\p{L}])до\s+\{\{\s*(срок[_\p{L}]*)\s*\}\}/giu, (whole, pre: string, key: string) =>
    DUE_KEYS.has(key.toLowerCase()) && missing(key.toLowerCase(), undefined) ? `${pre}${SOON}` : whole,
  );
  text = text.replace(PLACEHOLDER, (whole, key: string, fallback: string | undefined) => {
    const k = key.toLowerCase();
    if (!(k in values)) {
      if (!unknown.includes(key)) unknown.push(key);
      return whole;
    }
    const value = values[k];
    if (value !== null && value !== undefined) return value;
    if (fallback !== undefined) return fallback.trim();
    return DUE_KEYS.has(k) ? SOON : "";
  });
  return { text, unknown };
}
