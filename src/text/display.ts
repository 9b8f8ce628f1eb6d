// How a request number, a phone number and a Moscow time are written for people. One module for the server's texts
// and the web app (which imports it as it is): no I/O, no imports, the same output in every browser's time zone.

export const MOSCOW_ZONE = "Europe/Moscow";
export const MOSCOW_LABEL = "по московскому времени";

/** «1 030 026»: groups of three from the right, as the number is read aloud and typed on a keypad. */
export function displayRequestNumber(number: string): string {
  const digits = number.replace(/\D/g, "");
  return (digits || number).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

/** The digits of a phone number in international form without «+», or null when it has too few digits. */
function phoneDigits(phone: string): string | null {
  const trimmed = phone.trim();
  // A masked number («+7 *** ***-45-67») is shown as it is: its digits are not a number to dial.
  if (/[^\d\s()+\-.\u00a0\u2011–—]/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, "");
  if (digits.length < 5 || digits.length > 15) return null;
  // A Russian number written the domestic way: 8 and ten digits.
  if (!trimmed.startsWith("+") && digits.length === 11 && digits.startsWith("8")) digits = `7${digits.slice(1)}`;
  if (!trimmed.startsWith("+") && digits.length === 10 && /^[3489]/.test(digits)) digits = `7${digits}`;
  return digits;
}

/**
 * «8 800 555-35-35»: a Russian number as people in Russia write and dial it; a foreign one in international form
 * («+375 17 …» is kept as «+37517…» with no guess at its grouping). Text that is not a phone number comes back as it is.
 */
export function displayPhone(phone: string): string {
  const digits = phoneDigits(phone);
  if (!digits) return phone.trim();
  if (digits.length === 11 && digits.startsWith("7")) {
    const d = digits.slice(1);
    return `8 ${d.slice(0, 3)} ${d.slice(3, 6)}-${d.slice(6, 8)}-${d.slice(8, 10)}`;
  }
  return `+${digits}`;
}

/** «tel:+78005553535» for a link a phone dials; null when the text is not a phone number. */
export function telHref(phone: string): string | null {
  const digits = phoneDigits(phone);
  return digits ? `tel:+${digits}` : null;
}

/** Formatters by their options: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

const parts = (d: Date, options: Intl.DateTimeFormatOptions) => {
  const key = JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("ru-RU", { timeZone: MOSCOW_ZONE, ...options });
    formatters.set(key, f);
  }
  return Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value])) as Record<
    Intl.DateTimeFormatPartTypes,
    string
  >;
};

/**
 * The moment a «2026-12-06T22:00» typed as Moscow time stands for (an `<input type="datetime-local">`), whatever the
 * browser's zone. Moscow keeps UTC+3 all year (no summer time since 2014). Null for anything else.
 */
export function fromMoscowLocal(value: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const at = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? "00"}+03:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * «6 декабря в 22:00» in Moscow, whatever the zone of the machine or browser that formats it; «15 января 2030 г.
 * в 12:00» when the year is not the one under way in Moscow at `now`.
 */
export function moscowDateTime(at: Date | string, now: Date = new Date()): string {
  const p = parts(new Date(at), {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const year = p.year === parts(now, { year: "numeric" }).year ? "" : ` ${p.year} г.`;
  return `${p.day} ${p.month}${year} в ${p.hour}:${p.minute}`;
}

/** «22:00» in Moscow. */
export function moscowTime(at: Date | string): string {
  const p = parts(new Date(at), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${p.hour}:${p.minute}`;
}

/** «воскресенье»: the Moscow weekday of the moment. */
export function moscowWeekday(at: Date | string): string {
  return parts(new Date(at), { weekday: "long" }).weekday;
}

/**
 * «6 декабря в 22:00 по московскому времени (воскресенье)»: a deadline as a sentence shows it after «до» or
 * «не позже»; the weekday in brackets keeps the phrase grammatical.
 */
export function moscowDeadline(at: Date | string, now: Date = new Date()): string {
  return `${moscowDateTime(at, now)} ${MOSCOW_LABEL} (${moscowWeekday(at)})`;
}
