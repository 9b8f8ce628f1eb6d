// A year at a glance: every month with its days off, holidays and shortened days marked.
import type { CalendarDay } from "./types.ts";

const MONTHS = [
  "Январь",
  "Февраль",
  "Март",
  "Апрель",
  "Май",
  "Июнь",
  "Июль",
  "Август",
  "Сентябрь",
  "Октябрь",
  "Ноябрь",
  "Декабрь",
];
const WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
const WORDS: Record<string, string> = {
  off: "выходной",
  holiday: "праздник",
  day_off: "перенесённый выходной",
  short: "сокращённый день",
  working: "перенесённый рабочий день",
  work: "рабочий день",
};

function kindOf(date: Date, days: Map<string, CalendarDay>): string {
  const iso = date.toISOString().slice(0, 10);
  const entry = days.get(iso);
  if (entry) return entry.type;
  const weekday = date.getUTCDay();
  return weekday === 0 || weekday === 6 ? "off" : "work";
}

export function YearGrid({ year, days }: { year: number; days: CalendarDay[] }) {
  const byDate = new Map(days.map((d) => [d.date, d]));
  return (
    <div className="dir-year">
      {MONTHS.map((name, m) => {
        const first = new Date(Date.UTC(year, m, 1));
        const lead = (first.getUTCDay() + 6) % 7;
        const count = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
        const cells = Array.from({ length: count }, (_, i) => new Date(Date.UTC(year, m, i + 1)));
        return (
          <table key={name} className="dir-month">
            <caption>{name}</caption>
            <thead>
              <tr>
                {WEEKDAYS.map((w) => (
                  <th key={w} scope="col">
                    {w}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: Math.ceil((lead + count) / 7) }, (_, week) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: weeks of a month are their number
                <tr key={`${name}-${week}`}>
                  {Array.from({ length: 7 }, (_, wd) => {
                    const date = cells[week * 7 + wd - lead];
                    // biome-ignore lint/suspicious/noArrayIndexKey: an empty cell is only its place
                    if (!date) return <td key={`${name}-${week}-${wd}`} />;
                    const kind = kindOf(date, byDate);
                    const title = byDate.get(date.toISOString().slice(0, 10))?.title;
                    return (
                      <td
                        key={date.toISOString()}
                        className={`dir-day dir-day--${kind}`}
                        title={`${WORDS[kind]}${title ? `: ${title}` : ""}`}
                      >
                        {date.getUTCDate()}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
      <p className="dir-legend">
        <span className="dir-day dir-day--holiday">праздник</span>{" "}
        <span className="dir-day dir-day--day_off">перенесённый выходной</span>{" "}
        <span className="dir-day dir-day--off">выходной</span>{" "}
        <span className="dir-day dir-day--short">сокращённый</span>{" "}
        <span className="dir-day dir-day--working">перенесённый рабочий день</span>
      </p>
    </div>
  );
}
