// Russian words for numbers, sizes, dates and time left.

const pluralRules = new Intl.PluralRules("ru");

/** Picks the Russian plural form: plural(5, "час", "часа", "часов") → "часов"; a fraction takes the second. */
export function plural(n: number, one: string, few: string, many: string): string {
  const form = pluralRules.select(n);
  return form === "one" ? one : form === "many" ? many : few;
}

/** The number and its word: count(21, "статья", "статьи", "статей") → "21 статья". */
export function count(n: number, one: string, few: string, many: string): string {
  return `${n.toLocaleString("ru-RU")} ${plural(n, one, few, many)}`;
}

/** «900 Б», «12 КБ», «1,5 МБ», «10 МБ» (a whole number of megabytes without «,0»). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} КБ`;
  return `${Number((bytes / 1024 / 1024).toFixed(1)).toLocaleString("ru-RU")} МБ`;
}

const dateTime = new Intl.DateTimeFormat("ru-RU", {
  day: "numeric",
  month: "long",
  hour: "2-digit",
  minute: "2-digit",
});
const weekday = new Intl.DateTimeFormat("ru-RU", { weekday: "long" });
const shortDateTime = new Intl.DateTimeFormat("ru-RU", {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** «27 ноября в 10:00» in the device's time zone. */
export function formatDateTime(iso: string | Date): string {
  return dateTime.format(new Date(iso)).replace(",", " в");
}

/** «27 ноября в 10:00 (четверг)»: the weekday in brackets keeps «до …» and «не позже …» grammatical. */
export function formatLongDateTime(iso: string | Date): string {
  return `${formatDateTime(iso)} (${weekday.format(new Date(iso))})`;
}

export function formatShort(iso: string | Date): string {
  return shortDateTime.format(new Date(iso));
}

/** A span of time after «в течение»: «1 часа», «13 часов», «25 минут», «2 дней». */
export function durationGenitive(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return count(minutes, "минуты", "минут", "минут");
  const hours = Math.round(minutes / 60);
  if (hours < 48) return count(hours, "часа", "часов", "часов");
  return count(Math.round(hours / 24), "дня", "дней", "дней");
}

/** Short form for tables: «25 мин», «3 ч», «2 дн.». */
export function shortDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return `${minutes} мин`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} ч`;
  return `${Math.round(hours / 24)} дн.`;
}

/** «через 3 ч» or «просрочено на 2 ч». */
export function dueRelative(iso: string | Date, now = Date.now()): { text: string; overdue: boolean } {
  const diff = new Date(iso).getTime() - now;
  if (diff >= 0) return { text: `через ${shortDuration(diff)}`, overdue: false };
  return { text: `просрочено на ${shortDuration(diff)}`, overdue: true };
}

/** The name of the device's time zone for a hint like «по времени вашего устройства (Europe/Samara)». */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
