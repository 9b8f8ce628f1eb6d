// Answer templates: placeholders in double braces filled from the request being answered. Pure, no I/O.

export type TemplateValues = {
  /** The applicant's name as they gave it; none in many requests. */
  name: string | null;
  number: string;
  /** When the answer is due (the request's resolution time), or null. */
  dueAt: Date | null;
  category?: string | null;
  operator?: string | null;
};

export const PLACEHOLDERS = ["имя", "номер", "срок", "категория", "оператор"] as const;

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

const DUE_FORMAT = new Intl.DateTimeFormat("ru-RU", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "Europe/Moscow",
});

/** «28 ноября 2026 г. в 18:00 (по московскому времени)». */
export function formatDue(d: Date): string {
  return `${DUE_FORMAT.format(d).replace(",", " в")} (по московскому времени)`;
}

/**
 * Fills the placeholders. Without a name, «, {{имя}}» goes with its comma, so «Здравствуйте, {{имя}}!» reads
 * «Здравствуйте!». Unknown placeholders stay as written and are listed, so the operator sees what to fix.
 */
export function renderTemplate(body: string, v: TemplateValues): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const values: Record<string, string> = {
    номер: v.number,
    срок: v.dueAt ? formatDue(v.dueAt) : "в ближайшее время",
    категория: v.category ?? "",
    оператор: v.operator ?? "",
  };
  const name = v.name?.trim();
  let text = name ? body : body.replace(/,?[ \t]*\{\{\s*имя\s*\}\}/gi, "");
  text = text.replace(PLACEHOLDER, (whole, key: string) => {
    const k = key.toLowerCase();
    if (k === "имя") return name ?? "";
    const value = values[k];
    if (value === undefined) {
      if (!unknown.includes(key)) unknown.push(key);
      return whole;
    }
    return value;
  });
  return { text, unknown };
}
