// When operators answer the chat: an administrator's setting (days, from, to; Moscow time), 09:00–21:00 on working days
// of the production calendar until one is made (short pre-holiday days included). Pure: the setting, the calendar and
// the moment are arguments; the stored setting is read by `chat-hours-store.ts`.
import { DateTime } from "luxon";
import { isWorkingDay, type ProductionCalendar } from "../../directory/index.ts";

export const CHAT_ZONE = "Europe/Moscow";

/** `days`: working days of the production calendar, or every day; `from`/`to` in minutes after midnight, Moscow. */
export type ChatHoursSetting = { days: "working" | "all"; from: number; to: number };

export const DEFAULT_CHAT_HOURS: ChatHoursSetting = { days: "working", from: 9 * 60, to: 21 * 60 };

export type ChatHours = {
  open: boolean;
  opensAt: string | null;
  closesAt: string | null;
  /** «с 9:00 до 21:00 по московскому времени в рабочие дни». */
  text: string;
  /** When operators are back, for a sentence: «завтра в 9:00 по московскому времени»; null when open. */
  back: string | null;
};

const clock = (minutes: number) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;

/** «с 9:00 до 21:00 по московскому времени в рабочие дни», «круглосуточно» for 0:00–24:00 every day. */
export function hoursText(s: ChatHoursSetting): string {
  if (s.days === "all" && s.from === 0 && s.to === 24 * 60) return "круглосуточно";
  const days = s.days === "working" ? "в рабочие дни" : "ежедневно";
  return `с ${clock(s.from)} до ${clock(s.to)} по московскому времени ${days}`;
}

export const HOURS_TEXT = hoursText(DEFAULT_CHAT_HOURS);

/** Refuses a setting that would never open or that runs past midnight (say so in Russian, naming the field). */
export function checkChatHours(s: ChatHoursSetting): string | null {
  if (!Number.isInteger(s.from) || s.from < 0 || s.from >= 24 * 60) return "Начало работы — время от 0:00 до 23:59.";
  if (!Number.isInteger(s.to) || s.to <= s.from || s.to > 24 * 60)
    return "Конец работы должен быть позже начала и не позже 24:00.";
  return null;
}

export function chatHours(calendar: ProductionCalendar, at: Date, setting: ChatHoursSetting = DEFAULT_CHAT_HOURS) {
  const now = DateTime.fromJSDate(at, { zone: CHAT_ZONE });
  const text = hoursText(setting);
  for (let i = 0; i < 40; i++) {
    const day = now.startOf("day").plus({ days: i });
    if (setting.days === "working" && !isWorkingDay(calendar, day.toISODate()!)) continue;
    const opens = day.plus({ minutes: setting.from });
    const closes = day.plus({ minutes: setting.to });
    if (now >= closes) continue;
    if (now >= opens) return { open: true, opensAt: null, closesAt: closes.toISO(), text, back: null } as ChatHours;
    const opensAt = opens.toISO()!;
    return { open: false, opensAt, closesAt: null, text, back: `${whenText(opensAt, at)} по московскому времени` };
  }
  return { open: false, opensAt: null, closesAt: null, text, back: null } as ChatHours;
}

/** «сегодня в 9:00», «завтра в 9:00», «12 января в 9:00» for a bot message. */
export function whenText(iso: string, at: Date): string {
  const t = DateTime.fromISO(iso, { zone: CHAT_ZONE }).setLocale("ru");
  const today = DateTime.fromJSDate(at, { zone: CHAT_ZONE }).startOf("day");
  const days = Math.round(t.startOf("day").diff(today, "days").days);
  const time = t.toFormat("H:mm");
  if (days === 0) return `сегодня в ${time}`;
  if (days === 1) return `завтра в ${time}`;
  return `${t.toFormat("d MMMM")} в ${time}`;
}
