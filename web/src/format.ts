// Russian words for numbers, sizes, dates and time left. Request numbers, phone numbers and Moscow times are written
// by the module the server's texts use too (src/text/display.ts), re-exported here.
import { MOSCOW_ZONE, moscowDateTime, moscowDeadline, moscowTime } from "../../src/text/display.ts";

export {
  displayPhone,
  displayRequestNumber,
  fromMoscowLocal,
  MOSCOW_LABEL,
  moscowDateTime,
  moscowDeadline,
  telHref,
} from "../../src/text/display.ts";

const pluralRules = new Intl.PluralRules("ru");

/** Picks the Russian plural form: plural(5, ...WORDS.hour) → «часов»; a fraction takes the second. */
export function plural(n: number, one: string, few: string, many: string): string {
  const form = pluralRules.select(n);
  return form === "one" ? one : form === "many" ? many : few;
}

/** The number and its word, joined by a non-breaking space: count(21, ...WORDS.article) → «21 статья». */
export function count(n: number, one: string, few: string, many: string): string {
  return `${n.toLocaleString("ru-RU")}\u00a0${plural(n, one, few, many)}`;
}

/** The three forms of a word after 1, 2 and 5. */
export type Forms = readonly [one: string, few: string, many: string];

/** Every word the pages count, each in the case its sentence needs; test/plurals.test.ts checks each form. */
export const WORDS = {
  /** «21 оценка» */
  rating: ["оценка", "оценки", "оценок"],
  /** «3 статьи» */
  article: ["статья", "статьи", "статей"],
  /** «ответили на 5 обращений» */
  request: ["обращение", "обращения", "обращений"],
  /** «не больше 5 файлов» (genitive) */
  fileGenitive: ["файла", "файлов", "файлов"],
  /** «в течение 21 минуты» (genitive) */
  minuteGenitive: ["минуты", "минут", "минут"],
  /** «в течение 3 часов» (genitive) */
  hourGenitive: ["часа", "часов", "часов"],
  /** «в течение 2 дней» (genitive) */
  dayGenitive: ["дня", "дней", "дней"],
  /** «30 минут» */
  minute: ["минута", "минуты", "минут"],
  /** «3 часа» */
  hour: ["час", "часа", "часов"],
  /** «103 дня» */
  day: ["день", "дня", "дней"],
  /** «2 ошибки» */
  error: ["ошибка", "ошибки", "ошибок"],
  /** «5 предупреждений» */
  warning: ["предупреждение", "предупреждения", "предупреждений"],
  /** «длиннее 20 000 символов» (genitive) */
  characterGenitive: ["символа", "символов", "символов"],
  /** «из 21 показа» (genitive) */
  showGenitive: ["показа", "показов", "показов"],
  /** «2 попытки» */
  attempt: ["попытка", "попытки", "попыток"],
  /** «3 доставки ждут» */
  deliveryWaiting: ["доставка ждёт", "доставки ждут", "доставок ждут"],
  /** «1 доставка не дошла» */
  deliveryFailed: ["доставка не дошла", "доставки не дошли", "доставок не дошли"],
  /** «3 события по обращению 1 000 015» */
  event: ["событие", "события", "событий"],
  /** the verb before «обращение»: «будет объединено 1 обращение», «будут объединены 2 обращения» */
  willBeMerged: ["будет объединено", "будут объединены", "будет объединено"],
} as const satisfies Record<string, Forms>;

/** «900 Б», «12 КБ», «1,5 МБ», «10 МБ» (a whole number of megabytes without «,0»). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes}\u00a0Б`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)}\u00a0КБ`;
  return `${Number((bytes / 1024 / 1024).toFixed(1)).toLocaleString("ru-RU")}\u00a0МБ`;
}

// Dates and times are Moscow's wherever the page is read: the service's hours, deadlines and the seed are in Moscow
// time, and an applicant in Novosibirsk must read the same «22:00» the operator promised.
const shortDateTime = new Intl.DateTimeFormat("ru-RU", {
  timeZone: MOSCOW_ZONE,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
const shortDate = new Intl.DateTimeFormat("ru-RU", {
  timeZone: MOSCOW_ZONE,
  day: "numeric",
  month: "long",
  year: "numeric",
});

/** «27 ноября в 10:00», Moscow time (the label is the caller's: «по московскому времени» where a deadline is shown). */
export function formatDateTime(iso: string | Date): string {
  return moscowDateTime(iso);
}

/** «27 ноября в 10:00 по московскому времени (четверг)»: for «до …» and «не позже …». */
export function formatDeadline(iso: string | Date): string {
  return moscowDeadline(iso);
}

/** «06.12.2026, 22:00», Moscow time. */
export function formatShort(iso: string | Date): string {
  return shortDateTime.format(new Date(iso));
}

/** «6 декабря 2026 г.», the Moscow date. */
export function formatDate(iso: string | Date): string {
  return shortDate.format(new Date(iso));
}

/** «22:00», Moscow time. */
export function formatTime(iso: string | Date): string {
  return moscowTime(iso);
}

/** A span of time after «в течение»: «1 часа», «13 часов», «25 минут», «2 дней». */
export function durationGenitive(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return count(minutes, ...WORDS.minuteGenitive);
  const hours = Math.round(minutes / 60);
  if (hours < 48) return count(hours, ...WORDS.hourGenitive);
  return count(Math.round(hours / 24), ...WORDS.dayGenitive);
}

/** Short form for tables: «25 мин», «3 ч», «2 дн.». */
export function shortDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return `${minutes}\u00a0мин`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}\u00a0ч`;
  return `${Math.round(hours / 24)}\u00a0дн.`;
}

/** «через 3 ч» or «просрочено на 2 ч». */
export function dueRelative(iso: string | Date, now = Date.now()): { text: string; overdue: boolean } {
  const diff = new Date(iso).getTime() - now;
  if (diff >= 0) return { text: `через ${shortDuration(diff)}`, overdue: false };
  return { text: `просрочено на ${shortDuration(diff)}`, overdue: true };
}
