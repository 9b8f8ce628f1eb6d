// The directory checker's findings in Russian for the console: a title for each stable code (the codes stay in
// the API and the command line's --json), the fields by the names the line form gives them, whole sentences.

/** What of a checker's finding these texts read (the API's `Problem` has these fields and more). */
type Finding = { code: string; line?: number | null; entry?: string | null; field?: string | null };

const TITLES: Record<string, string> = {
  yaml_syntax: "Файл не читается как YAML",
  field_missing: "Не заполнено обязательное поле",
  field_unknown: "Неизвестное поле",
  field_invalid: "Недопустимое значение",
  duplicate_id: "Повторяется идентификатор строки",
  unpublished_without_reason: "Не объяснено, почему строка снята с публикации",
  audience_unknown: "Неизвестная аудитория",
  topic_unknown: "Неизвестная тема",
  timezone_unknown: "Неизвестный часовой пояс",
  region_missing: "Не указан регион",
  region_unknown: "Неизвестный регион",
  region_codes_unknown: "Коды региона неизвестны",
  area_code_region_mismatch: "Код города не из региона линии",
  number_bad_characters: "Лишние знаки в номере",
  number_invalid: "Недействительный номер",
  number_format: "Номер записан не по правилам",
  number_duplicate: "Номер повторяется",
  tollfree_international_format: "Бесплатный номер записан в международном формате",
  tollfree_abroad: "Бесплатный номер предложен звонящим из-за рубежа",
  abroad_domestic_format: "Номер для звонков из-за рубежа записан через 8",
  e164_mismatch: "Номер E.164 не совпадает с номером",
  written_mismatch: "Написание источника не совпадает с номером",
  schedule_invalid: "Расписание не читается",
  schedule_empty_period: "Пустой период в расписании",
  schedule_overlap: "Периоды расписания пересекаются",
  schedule_unknown: "Часы работы не указаны",
  schedule_conflict: "Один номер с разными расписаниями",
  backs_missing: "Резервная линия не указывает основную",
  backs_unknown: "Основная линия резерва не найдена",
};

const FIELDS: Record<string, string> = {
  id: "идентификатор",
  number: "номер",
  written: "написание в источнике",
  e164: "номер E.164",
  title: "название",
  purpose: "назначение",
  kind: "вид линии",
  role: "роль",
  backs: "основная линия",
  audience: "аудитория",
  topics: "темы",
  region: "регион",
  regions: "регионы",
  districts: "федеральные округа",
  timezone: "часовой пояс",
  schedule: "расписание",
  cost: "стоимость",
  languages: "языки",
  abroad: "из-за рубежа",
  published: "опубликована",
  unpublishedReason: "причина снятия с публикации",
  sameAs: "та же линия, что",
  notes: "примечания",
};

/** «Код города не из региона линии»; an unknown code (a newer server) is shown as it is. */
export const problemTitle = (p: Pick<Finding, "code">) => TITLES[p.code] ?? p.code;

/** «номер» for `number`; an unknown field keeps its name from the file. */
export const fieldTitle = (field: string) => FIELDS[field] ?? field;

/** The checker writes clauses («неизвестный регион «X»»); the console shows sentences. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t[0]!.toLocaleUpperCase("ru-RU") + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Where a problem is: «строка 12, moscow, поле «номер»». */
export function placeOf(p: Omit<Finding, "code">): string {
  const parts: string[] = [];
  if (p.line !== undefined && p.line !== null) parts.push(`строка ${p.line}`);
  if (p.entry) parts.push(p.entry);
  if (p.field) parts.push(`поле «${fieldTitle(p.field)}»`);
  return parts.join(", ");
}
