// Statistics in the console: «Сегодня» (live) and «Период» (with the previous period), with the same filters.
// The server narrows an operator or specialist to their department and themselves; the page only offers that.
import { useMemo, useState } from "react";
import { useConsole } from "../console/session.ts";
import { FilterBar } from "../controls/FilterBar.tsx";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { CHANNEL_TITLES } from "../labels.ts";
import { useTitle } from "../router.tsx";
import { PeriodView } from "./PeriodView.tsx";
import { TodayView } from "./TodayView.tsx";
import "./analytics.css";

declare const __REGIONS__: string[];
const REGION_OPTIONS = __REGIONS__.map((r) => ({ value: r, label: r }));

/** The filters as the statistics routes take them: only those set, the period only for «Период». */
export type Filters = {
  from?: string;
  to?: string;
  channel?: string;
  category?: string;
  region?: string;
  department?: string;
  operator?: number;
};

const isoDay = (d: Date) => {
  const m = new Date(d.getTime() + 3 * 3_600_000);
  return m.toISOString().slice(0, 10);
};

export function AnalyticsPage() {
  useTitle("Статистика — Консоль поддержки");
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
  const set = (k: keyof typeof f) => (value: string) => setF({ ...f, [k]: value });
  const ownDepartment = departments.find((d) => d.id === user.departmentId);
  const visibleDepartments = supervisor ? departments : ownDepartment ? [ownDepartment] : [];
  const operators = supervisor ? staff : staff.filter((s) => s.id === user.id);

  const filters = useMemo(() => {
    const out: Filters = {};
    for (const [k, v] of Object.entries(f)) {
      if (!v || (tab === "today" && (k === "from" || k === "to"))) continue;
      if (k === "operator") out.operator = Number(v);
      else out[k as Exclude<keyof Filters, "operator">] = v;
    }
    return out;
  }, [f, tab]);
  // The same filters in the export links' address.
  const query = new URLSearchParams(Object.entries(filters).map(([k, v]) => [k, String(v)])).toString();

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
      <FilterBar label="Фильтры">
        {tab === "period" && (
          <>
            <div className="field field--inline">
              <label htmlFor="an-from">С</label>
              <input id="an-from" type="date" value={f.from} onChange={(e) => set("from")(e.target.value)} />
            </div>
            <div className="field field--inline">
              <label htmlFor="an-to">По</label>
              <input id="an-to" type="date" value={f.to} onChange={(e) => set("to")(e.target.value)} />
            </div>
          </>
        )}
        <Select
          id="an-channel"
          label="Канал"
          value={f.channel}
          onChange={set("channel")}
          empty="Все"
          options={optionsOf(CHANNEL_TITLES)}
        />
        <Select
          id="an-category"
          label="Категория"
          value={f.category}
          onChange={set("category")}
          empty="Все"
          options={optionsFrom(categories)}
        />
        <Select
          id="an-region"
          label="Регион"
          value={f.region}
          onChange={set("region")}
          empty="Все"
          options={REGION_OPTIONS}
        />
        <Select
          id="an-department"
          label="Подразделение"
          value={f.department}
          onChange={set("department")}
          empty={supervisor ? "Все" : "Моё"}
          options={optionsFrom(visibleDepartments)}
        />
        <Select
          id="an-operator"
          label="Сотрудник"
          value={f.operator}
          onChange={set("operator")}
          empty="Все"
          options={operators.map((s) => ({ value: String(s.id), label: s.name }))}
        />
      </FilterBar>
      {tab === "today" ? (
        <TodayView filters={filters} />
      ) : (
        <PeriodView
          filters={filters}
          query={query}
          categories={categories}
          audiences={audiences}
          supervisor={supervisor}
        />
      )}
    </div>
  );
}
