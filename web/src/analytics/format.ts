// How the dashboards write figures: minutes as «1 ч 20 мин», shares as percentages, changes with an arrow.
export const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${(Math.round(v * 1000) / 10).toLocaleString("ru-RU")} %`;

export function minutes(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v < 60) return `${Math.round(v)} мин`;
  if (v < 48 * 60) return `${Math.floor(v / 60)} ч ${Math.round(v % 60)} мин`;
  return `${(Math.round((v / 1440) * 10) / 10).toLocaleString("ru-RU")} дн.`;
}

export const num = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined ? "—" : v.toLocaleString("ru-RU", { maximumFractionDigits: digits });

/** The change against the previous period; `better` says which direction is good for this measure. */
export function change(now: number | null, before: number | null, better: "up" | "down") {
  if (now === null || before === null || before === 0) return null;
  const d = (now - before) / Math.abs(before);
  if (Math.abs(d) < 0.005) return { text: "без изменений", good: null as boolean | null };
  return { text: `${d > 0 ? "▲" : "▼"} ${Math.abs(Math.round(d * 100))} %`, good: d > 0 === (better === "up") };
}
