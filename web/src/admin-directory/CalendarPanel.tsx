// The production calendar, year by year: only the exceptions to «Monday–Friday work» are kept.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import { Select } from "../controls/Select.tsx";
import type { CalendarDay, CalendarYear } from "./types.ts";
import { YearGrid } from "./YearGrid.tsx";

const TYPES: Array<[CalendarDay["type"], string]> = [
  ["holiday", "праздник"],
  ["day_off", "перенесённый выходной"],
  ["short", "сокращённый день"],
  ["working", "перенесённый рабочий день"],
];

const TYPE_OPTIONS = TYPES.map(([value, label]) => ({ value, label }));

export function CalendarPanel({ onSaved }: { onSaved: () => void }) {
  const queries = useQueryClient();
  const readYears = $api.useQuery("get", "/api/v1/admin/directory/calendar");
  const years = readYears.data ?? [];
  const [chosen, setYear] = useState<number | null>(null);
  // Until one is chosen: this year's calendar if there is one, else the latest.
  const year = chosen ?? years.find((x) => x.year === new Date().getFullYear())?.year ?? years.at(-1)?.year ?? null;
  const readYear = $api.useQuery(
    "get",
    "/api/v1/admin/directory/calendar/{year}",
    { params: { path: { year: year ?? 0 } } },
    { enabled: year !== null },
  );
  // The year being edited: a copy of what was read (a year not yet in the calendar starts empty).
  const [data, setData] = useState<CalendarYear | null>(null);
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(readYears)?.message ?? null;
  const [saved, setSaved] = useState<string | null>(null);
  const [newYear, setNewYear] = useState("");

  // biome-ignore lint/correctness/useExhaustiveDependencies: another year's notice goes when the year changes
  useEffect(() => setSaved(null), [year]);
  useEffect(() => {
    if (year === null) return;
    if (readYear.data) setData(readYear.data);
    else if (readYear.isError) setData({ year, source: "", days: [], workingDays: 0, shortDays: 0 });
  }, [year, readYear.data, readYear.isError]);

  const setDay = (i: number, patch: Partial<CalendarDay>) =>
    data && setData({ ...data, days: data.days.map((d, j) => (j === i ? { ...d, ...patch } : d)) });

  const save = async () => {
    if (!data) return;
    setError(null);
    try {
      const body = {
        source: data.source,
        ...(data.decree ? { decree: data.decree } : {}),
        days: data.days.map((d) => ({
          date: d.date,
          type: d.type,
          ...(d.title ? { title: d.title } : {}),
          ...(d.from ? { from: d.from } : {}),
        })),
      };
      const y = await ok(
        api.PUT("/api/v1/admin/directory/calendar/{year}", { params: { path: { year: data.year } }, body }),
      );
      setData(y);
      setSaved(`Календарь на ${y.year} год сохранён: рабочих дней ${y.workingDays}.`);
      await queries.invalidateQueries({
        predicate: ({ queryKey }) => String(queryKey[1]).startsWith("/api/v1/admin/directory/calendar"),
      });
      onSaved();
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <section aria-labelledby="dir-cal-h" className="dir-panel">
      <h2 id="dir-cal-h">Производственный календарь</h2>
      <fieldset className="dir-years">
        <legend className="visually-hidden">Год</legend>
        {years.map((y) => (
          <button
            key={y.year}
            type="button"
            className={`button button--small ${y.year === year ? "" : "button--secondary"}`}
            aria-pressed={y.year === year}
            onClick={() => setYear(y.year)}
          >
            {y.year}
          </button>
        ))}
        <input
          type="text"
          inputMode="numeric"
          aria-label="Новый год"
          placeholder="2028"
          value={newYear}
          onChange={(e) => setNewYear(e.target.value)}
          className="dir-years__new"
        />
        <button
          type="button"
          className="button button--small button--ghost"
          disabled={!/^\d{4}$/.test(newYear)}
          onClick={() => {
            setYear(Number(newYear));
            setNewYear("");
          }}
        >
          Добавить год
        </button>
      </fieldset>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="alert dir-ok" role="status">
          {saved}
        </p>
      )}
      {data && (
        <>
          <p>
            {data.year} год: рабочих дней <b>{data.workingDays}</b>, сокращённых <b>{data.shortDays}</b>. Не указанные
            дни — по правилу «понедельник–пятница рабочие».
          </p>
          <YearGrid year={data.year} days={data.days} />
          <div className="field">
            <label htmlFor="dir-cal-source">Источник</label>
            <input
              id="dir-cal-source"
              type="text"
              value={data.source}
              onChange={(e) => setData({ ...data, source: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor="dir-cal-decree">Постановление</label>
            <input
              id="dir-cal-decree"
              type="text"
              value={data.decree ?? ""}
              onChange={(e) => setData({ ...data, decree: e.target.value })}
            />
          </div>
          <table className="dir-table">
            <caption className="visually-hidden">Исключения календаря на {data.year} год</caption>
            <thead>
              <tr>
                <th scope="col">Дата</th>
                <th scope="col">Тип</th>
                <th scope="col">Название</th>
                <th scope="col">Перенесён с</th>
                <th scope="col">
                  <span className="visually-hidden">Действия</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.days.map((d, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a row being edited may change its date
                <tr key={i}>
                  <td>
                    <input
                      type="date"
                      aria-label="Дата"
                      value={d.date}
                      onChange={(e) => setDay(i, { date: e.target.value })}
                    />
                  </td>
                  <td>
                    <Select
                      label="Тип дня"
                      hideLabel
                      value={d.type}
                      onChange={(v) => setDay(i, { type: v as CalendarDay["type"] })}
                      options={TYPE_OPTIONS}
                    />
                  </td>
                  <td>
                    <input
                      type="text"
                      aria-label="Название"
                      value={d.title ?? ""}
                      onChange={(e) => setDay(i, { title: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="date"
                      aria-label="Перенесён с"
                      value={d.from ?? ""}
                      onChange={(e) => setDay(i, { from: e.target.value })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      onClick={() => setData({ ...data, days: data.days.filter((_, j) => j !== i) })}
                    >
                      Удалить
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="form__actions">
            <button
              type="button"
              className="button button--secondary"
              onClick={() =>
                setData({ ...data, days: [...data.days, { date: `${data.year}-01-01`, type: "holiday" }] })
              }
            >
              Добавить день
            </button>
            <button type="button" className="button" onClick={() => void save()}>
              Сохранить календарь
            </button>
          </div>
        </>
      )}
    </section>
  );
}
