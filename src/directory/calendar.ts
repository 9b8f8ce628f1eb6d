// The Russian production calendar as data: only the exceptions to «Monday–Friday work, weekends off» are stored.
// Dates are local calendar dates ("YYYY-MM-DD"): a line asks about the date in its own time zone.

export type CalendarDayType = "holiday" | "day_off" | "short" | "working";

export interface CalendarEntry {
  date: string;
  /**
   * holiday  — a public holiday (нерабочий праздничный день);
   * day_off  — a day off moved here from `from`;
   * short    — a working day one hour shorter (before a holiday); on a weekend it is also a working day;
   * working  — a weekend day made a working day.
   */
  type: CalendarDayType;
  title?: string;
  from?: string;
}

export interface CalendarYear {
  year: number;
  source: string;
  decree?: string;
  days: CalendarEntry[];
}

export interface ProductionCalendar {
  years: number[];
  sources: string[];
  days: ReadonlyMap<string, CalendarEntry>;
}

export interface DayStatus {
  working: boolean;
  short: boolean;
  holiday: boolean;
  /** False when the year is not in the calendar: the plain weekday rule was used. */
  covered: boolean;
  entry?: CalendarEntry;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TYPES: readonly CalendarDayType[] = ["holiday", "day_off", "short", "working"];

export function isIsoDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  const d = new Date(`${date}T00:00:00Z`);
  return ((d.getUTCDay() + 6) % 7) + 1;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function buildCalendar(years: CalendarYear[]): ProductionCalendar {
  const days = new Map<string, CalendarEntry>();
  for (const y of years) for (const entry of y.days) days.set(entry.date, entry);
  return {
    years: years.map((y) => y.year).sort((a, b) => a - b),
    sources: years.map((y) => `${y.year}: ${y.source}${y.decree ? `; ${y.decree}` : ""}`),
    days,
  };
}

/** Each calendar's answers by date: a due time walks the same days for every request (a calendar is never changed in place). */
const statuses = new WeakMap<ProductionCalendar, Map<string, DayStatus>>();

export function dayStatus(calendar: ProductionCalendar, date: string): DayStatus {
  let known = statuses.get(calendar);
  if (!known) {
    known = new Map();
    statuses.set(calendar, known);
  }
  let status = known.get(date);
  if (!status) {
    if (known.size > 20_000) known.clear();
    status = statusOf(calendar, date);
    known.set(date, status);
  }
  return status;
}

function statusOf(calendar: ProductionCalendar, date: string): DayStatus {
  const covered = calendar.years.includes(Number(date.slice(0, 4)));
  const weekend = weekdayOf(date) >= 6;
  const entry = calendar.days.get(date);
  if (!entry) return { working: !weekend, short: false, holiday: false, covered };
  switch (entry.type) {
    case "holiday":
      return { working: false, short: false, holiday: true, covered, entry };
    case "day_off":
      return { working: false, short: false, holiday: false, covered, entry };
    case "short":
      return { working: true, short: true, holiday: false, covered, entry };
    case "working":
      return { working: true, short: false, holiday: false, covered, entry };
  }
}

export function isWorkingDay(calendar: ProductionCalendar, date: string): boolean {
  return dayStatus(calendar, date).working;
}

export function isShortDay(calendar: ProductionCalendar, date: string): boolean {
  return dayStatus(calendar, date).short;
}

/**
 * Validates one year of calendar data (as read from YAML); throws a Russian sentence that begins with `origin` (a
 * capitalised subject: «Календарь 2026.yaml») and names the entry.
 */
export function parseCalendarYear(data: unknown, origin = "Календарь"): CalendarYear {
  if (!isRecord(data)) throw new Error(`${origin}: ожидался объект с полями year, source и days.`);
  const { year, source, decree, days } = data;
  if (typeof year !== "number" || !Number.isInteger(year))
    throw new Error(`${origin}: поле year должно быть целым числом.`);
  if (typeof source !== "string" || !source.trim()) throw new Error(`${origin}: не указан источник (source).`);
  if (!Array.isArray(days)) throw new Error(`${origin}: поле days должно быть списком.`);
  const entries = days.map((raw, i): CalendarEntry => {
    const where = `${origin} (days[${i}])`;
    if (!isRecord(raw)) throw new Error(`${where}: ожидался объект с полями date и type.`);
    const date = String(raw.date ?? "");
    if (!isIsoDate(date) || !date.startsWith(`${year}-`))
      throw new Error(`${where}: дата «${date}» не из ${year} года или не в формате ГГГГ-ММ-ДД.`);
    if (!TYPES.includes(raw.type as CalendarDayType))
      throw new Error(`${where}: тип «${String(raw.type)}» не из списка: ${TYPES.join(", ")}.`);
    const entry: CalendarEntry = { date, type: raw.type as CalendarDayType };
    if (typeof raw.title === "string") entry.title = raw.title;
    if (raw.from !== undefined) {
      const from = String(raw.from);
      if (!isIsoDate(from)) throw new Error(`${where}: дата переноса «${from}» не в формате ГГГГ-ММ-ДД.`);
      entry.from = from;
    }
    return entry;
  });
  const result: CalendarYear = { year, source, days: entries };
  if (typeof decree === "string") result.decree = decree;
  return result;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
