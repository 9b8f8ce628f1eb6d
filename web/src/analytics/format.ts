// How the dashboards write figures: minutes as «1 ч 20 мин», shares as percentages, changes with an arrow.
import { count, WORDS } from "../format.ts";

export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${(Math.round(v * 1000) / 10).toLocaleString("ru-RU")}\u00a0%`;

export function minutes(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v < 60) return `${Math.round(v)}\u00a0мин`;
  if (v < 48 * 60) return `${Math.floor(v / 60)}\u00a0ч ${Math.round(v % 60)}\u00a0мин`;
  return `${(Math.round((v / 1440) * 10) / 10).toLocaleString("ru-RU")}\u00a0дн.`;
}

/** An age in hours as people say it: «5 часов» under two days, then whole days («103 дня»). */
export function age(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return "—";
  if (hours < 48) return count(Math.round(hours), ...WORDS.hour);
  return count(Math.round(hours / 24), ...WORDS.day);
}

export const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? "—" : v.toLocaleString("ru-RU", { maximumFractionDigits: digits });

/** The change against the previous period; `better` says which direction is good for this measure. */
export function change(now: number | null, before: number | null, better: "up" | "down") {
  if (now === null || before === null || before === 0) return null;
  const d = (now - before) / Math.abs(before);
  if (Math.abs(d) < 0.005) return { text: "без изменений", good: null as boolean | null };
  return { text: `${d > 0 ? "▲" : "▼"} ${Math.abs(Math.round(d * 100))}\u00a0%`, good: d > 0 === (better === "up") };
}
