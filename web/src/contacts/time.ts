// Opening and closing times in words: Moscow time, and the visitor's own time when their clock differs.

export const MOSCOW = "Europe/Moscow";

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || MOSCOW;
  } catch {
    return MOSCOW;
  }
}

function parts(date: Date, timeZone: string) {
  const f = new Intl.DateTimeFormat("ru-RU", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
  return { day: `${p.year}-${p.month}-${p.day}`, clock: `${p.hour}:${p.minute}` };
}

function dayAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** «08:00», «завтра в 08:00», «пн, 30 ноября, в 09:00» — in the given zone, relative to now. */
export function when(iso: string, timeZone: string, now: Date, withPreposition = true): string {
  const at = new Date(iso);
  const a = parts(at, timeZone);
  const today = parts(now, timeZone).day;
  const prefix = withPreposition ? "в " : "";
  if (a.day === today) return `${prefix}${a.clock}`;
  if (a.day === dayAfter(today)) return `завтра ${prefix}${a.clock}`;
  const date = new Intl.DateTimeFormat("ru-RU", { timeZone, weekday: "short", day: "numeric", month: "long" }).format(
    at,
  );
  return `${date}, ${prefix}${a.clock}`;
}

/** Whether two zones show different clocks at this instant. */
export function clocksDiffer(iso: string, a: string, b: string): boolean {
  const at = new Date(iso);
  const pa = parts(at, a);
  const pb = parts(at, b);
  return pa.clock !== pb.clock || pa.day !== pb.day;
}

export type OpenInfo = { open: boolean | null; opensAt: string | null; closesAt: string | null };

/** The state of a line in words: «Открыто до 20:00 по Москве (у вас 22:00)», «Закрыто · откроется в 08:00…». */
export function stateWords(
  s: OpenInfo,
  now: Date,
  zone = browserZone(),
): { tone: "open" | "closed" | "unknown"; text: string } {
  const yours = (iso: string, preposition: boolean) =>
    clocksDiffer(iso, MOSCOW, zone) ? ` (по вашему времени — ${when(iso, zone, now, preposition)})` : "";
  if (s.open === null) return { tone: "unknown", text: "Часы работы не указаны" };
  if (s.open && !s.closesAt) return { tone: "open", text: "Открыто круглосуточно" };
  if (s.open && s.closesAt)
    return {
      tone: "open",
      text: `Открыто до ${when(s.closesAt, MOSCOW, now, false)} по Москве${yours(s.closesAt, false)}`,
    };
  if (!s.opensAt) return { tone: "closed", text: "Закрыто, время открытия неизвестно" };
  return {
    tone: "closed",
    text: `Закрыто · откроется ${when(s.opensAt, MOSCOW, now)} по Москве${yours(s.opensAt, true)}`,
  };
}

/** `tel:` needs the number without spaces or dashes. */
export function telHref(e164: string): string {
  return `tel:${e164.replace(/[^\d+]/g, "")}`;
}
