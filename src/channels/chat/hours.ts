// When operators answer the chat: 09:00–21:00 Moscow time on working days of the production calendar (short
// pre-holiday days included). Pure: the calendar and the moment are arguments.
import { DateTime } from "luxon";
import { isWorkingDay, type ProductionCalendar } from "../../directory/index.ts";

export const CHAT_ZONE = "Europe/Moscow";
export const OPENS_HOUR = 9;
export const CLOSES_HOUR = 21;
export const HOURS_TEXT = "с 9:00 до 21:00 по московскому времени в рабочие дни";

export type ChatHours = { open: boolean; opensAt: string | null; closesAt: string | null; text: string };

export function chatHours(calendar: ProductionCalendar, at: Date): ChatHours {
  const now = DateTime.fromJSDate(at, { zone: CHAT_ZONE });
  for (let i = 0; i < 40; i++) {
    const day = now.startOf("day").plus({ days: i });
    if (!isWorkingDay(calendar, day.toISODate()!)) continue;
    const opens = day.set({ hour: OPENS_HOUR });
    const closes = day.set({ hour: CLOSES_HOUR });
    if (now >= closes) continue;
    if (now >= opens) return { open: true, opensAt: null, closesAt: closes.toISO(), text: HOURS_TEXT };
    return { open: false, opensAt: opens.toISO(), closesAt: null, text: HOURS_TEXT };
  }
  return { open: false, opensAt: null, closesAt: null, text: HOURS_TEXT };
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
