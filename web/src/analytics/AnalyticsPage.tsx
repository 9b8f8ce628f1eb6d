// Statistics in the console: «Сегодня» (live) and «Период» (with the previous period), with the same filters.
// The server narrows an operator or specialist to their department and themselves; the page only offers that.
import { useMemo, useState } from "react";
import { useConsole } from "../console/session.ts";
import { CHANNEL_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { PeriodView } from "./PeriodView.tsx";
import { TodayView } from "./TodayView.tsx";
import "./analytics.css";

declare const __REGIONS__: string[];

const isoDay = (d: Date) => {
  const m = new Date(d.getTime() + 3 * 3_600_000);
  return m.toISOString().slice(0, 10);
};

export function AnalyticsPage() {
  useTitle("Статистика — консоль");
  const { user, categories, audiences, departments, staff } = useConsole();
  const supervisor = user.role === "supervisor" || user.role === "administrator";
  const [tab, setTab] = useState<"today" | "period">(supervisor ? "today" : "period");
  const [f, setF] = useState(() => ({
    from: isoDay(new Date(Date.now() - 29 * 86_400_000)),
    to: isoDay(new Date()),
    channel: "",
    category: "",
    region: "",
    department: "",
    operator: "",
  }));
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const ownDepartment = departments.find((d) => d.id === user.departmentId);
  const visibleDepartments = supervisor ? departments : ownDepartment ? [ownDepartment] : [];
  const operators = supervisor ? staff : staff.filter((s) => s.id === user.id);

  const query = useMemo(() => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v && (tab === "period" || (k !== "from" && k !== "to"))) q.set(k, v);
    return q.toString();
  }, [f, tab]);

  return (
    <div className="analytics">
      <h1>Статистика</h1>
      <div className="analytics-tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === "today"}
          className="button button--secondary button--small"
          onClick={() => setTab("today")}
        >
          Сегодня
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === "period"}
          className="button button--secondary button--small"
          onClick={() => setTab("period")}
        >
          Период
        </button>
      </div>
      <form className="filters" aria-label="Фильтры" onSubmit={(e) => e.preventDefault()}>
        {tab === "period" && (
          <>
            <div className="field field--inline">
              <label htmlFor="an-from">С</label>
              <input id="an-from" type="date" value={f.from} onChange={set("from")} />
            </div>
            <div className="field field--inline">
              <label htmlFor="an-to">По</label>
              <input id="an-to" type="date" value={f.to} onChange={set("to")} />
            </div>
          </>
        )}
        <div className="field field--inline">
          <label htmlFor="an-channel">Канал</label>
          <select id="an-channel" value={f.channel} onChange={set("channel")}>
            <option value="">Все</option>
            {Object.entries(CHANNEL_TITLES).map(([code, title]) => (
              <option key={code} value={code}>
                {title}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <label htmlFor="an-category">Категория</label>
          <select id="an-category" value={f.category} onChange={set("category")}>
            <option value="">Все</option>
            {categories.map((c) => (
              <option key={c.code} value={c.code}>
                {c.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <label htmlFor="an-region">Регион</label>
          <select id="an-region" value={f.region} onChange={set("region")}>
            <option value="">Все</option>
            {__REGIONS__.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <label htmlFor="an-department">Подразделение</label>
          <select id="an-department" value={f.department} onChange={set("department")}>
            <option value="">{supervisor ? "Все" : "Моё"}</option>
            {visibleDepartments.map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field--inline">
          <label htmlFor="an-operator">Сотрудник</label>
          <select id="an-operator" value={f.operator} onChange={set("operator")}>
            <option value="">Все</option>
            {operators.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
      </form>
      {tab === "today" ? (
        <TodayView query={query} />
      ) : (
        <PeriodView query={query} categories={categories} audiences={audiences} supervisor={supervisor} />
      )}
    </div>
  );
}
