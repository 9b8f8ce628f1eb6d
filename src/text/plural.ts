// Russian words after numbers: one set of rules (Intl.PluralRules) and one table of the counted words the server
// writes, so that every form is checked in one test (test/plurals.test.ts).

const rules = new Intl.PluralRules("ru");

/** The three forms of a word after 1, 2 and 5: ["статья", "статьи", "статей"]. */
export type Forms = readonly [one: string, few: string, many: string];

/** The form for `n`: plural(5, ...WORDS.hour) → «часов»; a fraction takes the second form («1,5 часа»). */
export function plural(n: number, one: string, few: string, many: string): string {
  const form = rules.select(n);
  return form === "one" ? one : form === "many" ? many : few;
}

/**
 * The number, its digits grouped, and its word: count(21, ...WORDS.article) → «21 статья», «20 000 символов».
 * An ordinary space before the word: these texts go out as letters, SMS and API messages, not only to pages.
 */
export function count(n: number, one: string, few: string, many: string): string {
  return `${n.toLocaleString("ru-RU")} ${plural(n, one, few, many)}`;
}

/** The words the server counts, each in the case its sentences need. */
export const WORDS = {
  /** «через 3 часа» */
  hour: ["час", "часа", "часов"],
  /** «через 5 минут» (accusative) */
  minuteAccusative: ["минуту", "минуты", "минут"],
  /** «оценена 1 статья» */
  article: ["статья", "статьи", "статей"],
  /** the verb before «статья»: «оценена 1 статья», «оценены 2 статьи», «оценено 5 статей» */
  ratedVerb: ["оценена", "оценены", "оценено"],
  /** «не больше 32 уровней» (genitive) */
  levelGenitive: ["уровня", "уровней", "уровней"],
  /** «насчитывает 21 запись» */
  entry: ["запись", "записи", "записей"],
  /** «не хватает 2 записей» (genitive) */
  entryGenitive: ["записи", "записей", "записей"],
  /** «короче 22 символов», «длиннее 21 символа» (genitive) */
  characterGenitive: ["символа", "символов", "символов"],
  /** «2 ошибки» */
  error: ["ошибка", "ошибки", "ошибок"],
  /** «5 предупреждений» */
  warning: ["предупреждение", "предупреждения", "предупреждений"],
  /** «больше 15 минут» (genitive) */
  minuteGenitive: ["минуты", "минут", "минут"],
  /** «не прошла 5 раз» */
  times: ["раз", "раза", "раз"],
  /** «у оператора уже 5 чатов» */
  chat: ["чат", "чата", "чатов"],
  /** «перенесено 3 файла» */
  file: ["файл", "файла", "файлов"],
  /** «не больше 5 файлов», «не больше 1 файла» (genitive) */
  fileGenitive: ["файла", "файлов", "файлов"],
  /** «изменено 48 обращений» */
  request: ["обращение", "обращения", "обращений"],
  /** «ни одно из 21 обращения» (genitive) */
  requestGenitive: ["обращения", "обращений", "обращений"],
  /** the verb before «обращение»: «изменено 1 обращение», «изменены 2 обращения», «изменено 5 обращений» */
  changedVerb: ["изменено", "изменены", "изменено"],
  /** the verb before «обращение»: «объединено 1 обращение», «объединены 2 обращения», «объединено 5 обращений» */
  mergedVerb: ["объединено", "объединены", "объединено"],
} as const satisfies Record<string, Forms>;
