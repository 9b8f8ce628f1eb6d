// The manager's period view: figures beside the previous period, charts read at a glance, tables to export.
import { useMemo } from "react";
import { $api, failureOf } from "../api/client.ts";
import type { Option } from "../console/session.ts";
import { count, WORDS } from "../format.ts";
import { CHANNEL_TITLES, titleOf } from "../labels.ts";
import type { Filters } from "./AnalyticsPage.tsx";
import { Chart } from "./Chart.tsx";
import { age, minutes, num, pct } from "./format.ts";
import { DataTable, Kpi } from "./parts.tsx";
import type { Comment, PeriodBoard } from "./types.ts";

const WEEKDAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0"));
const channelTitle = (c: string) => CHANNEL_TITLES[c] ?? c;

export function PeriodView({
  filters,
  query,
  categories,
  audiences,
  supervisor,
}: {
  filters: Filters;
  /** The same filters as an address's query, for the export links. */
  query: string;
  categories: Option[];
  audiences: Option[];
  supervisor: boolean;
}) {
  // Both routes leave their response schemas open; these are the figures the page reads (types.ts).
  const period = $api.useQuery(
    "get",
    "/api/v1/analytics/period",
    { params: { query: filters } },
    { placeholderData: (previous) => previous },
  );
  const board = (period.data as PeriodBoard | undefined) ?? null;
  const error = failureOf(period)?.message ?? null;
  const read = $api.useQuery(
    "get",
    "/api/v1/analytics/comments",
    { params: { query: filters } },
    { enabled: supervisor },
  );
  const comments = read.isError ? null : ((read.data as Comment[] | undefined) ?? null);

  const charts = useMemo(() => (board ? chartOptions(board, categories) : null), [board, categories]);

  if (error) return <p className="alert alert--error">{error}</p>;
  if (!board || !charts) return <p className="loading">Считаем показатели…</p>;
  const s = board.summary;
  const p = board.previous;
  const q = (table: string) => `${query}&table=${table}`;

  return (
    <div>
      <section className="kpis" aria-label="Главные показатели">
        <Kpi title="Обращений" value={num(s.created)} now={s.created} before={p.created} better="down" />
        <Kpi title="Решено" value={num(s.resolved)} now={s.resolved} before={p.resolved} better="up" />
        <Kpi
          title="Первый ответ, медиана"
          value={minutes(s.firstResponse.median)}
          now={s.firstResponse.median}
          before={p.firstResponse.median}
          better="down"
          hint={`90 % — за ${minutes(s.firstResponse.p90)}`}
        />
        <Kpi
          title="Решение, медиана"
          value={minutes(s.resolution.median)}
          now={s.resolution.median}
          before={p.resolution.median}
          better="down"
          hint={`90 % — за ${minutes(s.resolution.p90)}`}
        />
        <Kpi
          title="Первый ответ в срок"
          value={pct(s.sla.firstResponse)}
          now={s.sla.firstResponse}
          before={p.sla.firstResponse}
          better="up"
        />
        <Kpi
          title="Решение в срок"
          value={pct(s.sla.resolution)}
          now={s.sla.resolution}
          before={p.sla.resolution}
          better="up"
        />
        <Kpi title="Решено с первого обращения" value={pct(board.escalation.firstContactResolution)} />
        <Kpi title="Передано в подразделения" value={pct(board.escalation.escalationRate)} />
        <Kpi
          title="Средняя оценка"
          value={num(s.rating.average, 2)}
          now={s.rating.average}
          before={p.rating.average}
          better="up"
          hint={count(s.rating.count, ...WORDS.rating)}
        />
        <Kpi
          title="Открыто сейчас"
          value={num(board.backlog.open)}
          hint={`просрочено ${num(board.backlog.overdue)}, медианный возраст ${age(board.backlog.medianAgeHours)}`}
        />
        {board.deflection && (
          <Kpi
            title="Ушли со статьёй, без обращения"
            value={pct(board.deflection.rate)}
            hint={`${num(board.deflection.deflected)} из ${count(board.deflection.visits, ...WORDS.showGenitive)} подсказок`}
          />
        )}
      </section>

      <div className="charts">
        <section className="panel">
          <h2 className="panel__title">Поступление по дням и каналам</h2>
          <Chart option={charts.daily} label="Поступление и решение обращений по дням" />
        </section>
        <section className="panel">
          <h2 className="panel__title">По категориям и каналам</h2>
          <Chart option={charts.category} label="Обращения по категориям" />
        </section>
        <section className="panel">
          <h2 className="panel__title">Нагрузка: день недели × час по московскому времени</h2>
          <Chart option={charts.heat} label="Тепловая карта поступления по дням недели и часам" />
        </section>
        <section className="panel">
          <h2 className="panel__title">Оценки и возраст открытых обращений</h2>
          <Chart option={charts.ratings} label="Распределение оценок и возраст очереди" />
        </section>
      </div>

      {board.calls && (
        <DataTable
          title="Звонки"
          exportQuery={q("calls")}
          rows={[board.calls]}
          columns={[
            { title: "Поступило", value: (c) => num(c.offered), numeric: true },
            { title: "Отвечено", value: (c) => num(c.answered), numeric: true },
            { title: "Потеряно", value: (c) => `${num(c.abandoned)} (${pct(c.abandonRate)})`, numeric: true },
            { title: "Среднее время ответа", value: (c) => `${num(c.averageSpeedOfAnswer)}\u00a0с`, numeric: true },
            { title: "Среднее время разговора", value: (c) => `${num(c.averageHandlingTime)}\u00a0с`, numeric: true },
            { title: "Уровень обслуживания (20 с)", value: (c) => pct(c.serviceLevel), numeric: true },
          ]}
        />
      )}
      <DataTable
        title="По регионам"
        exportQuery={q("region")}
        rows={board.regions}
        columns={[
          { title: "Регион", value: (r) => r.region },
          { title: "Поступило", value: (r) => num(r.created), numeric: true },
          { title: "Решено", value: (r) => num(r.resolved), numeric: true },
          { title: "Решение, медиана", value: (r) => minutes(r.resolutionMedian), numeric: true },
          { title: "Решение в срок", value: (r) => pct(r.slaResolution), numeric: true },
          { title: "Оценка", value: (r) => num(r.ratingAverage, 2), numeric: true },
        ]}
      />
      <DataTable
        title="Передачи по подразделениям"
        exportQuery={q("departments")}
        rows={board.escalation.departments}
        columns={[
          { title: "Подразделение", value: (d) => d.name },
          { title: "Обращений", value: (d) => num(d.requests), numeric: true },
          { title: "Переданных", value: (d) => num(d.escalated), numeric: true },
          { title: "Доля переданных", value: (d) => pct(d.escalationRate), numeric: true },
        ]}
      />
      <DataTable
        title="По сотрудникам"
        exportQuery={q("operators")}
        rows={board.operators}
        columns={[
          { title: "Сотрудник", value: (o) => o.name },
          { title: "Обращений", value: (o) => num(o.requests), numeric: true },
          { title: "Решено", value: (o) => num(o.resolved), numeric: true },
          { title: "Решение, медиана", value: (o) => minutes(o.resolutionMedian), numeric: true },
          { title: "Оценка", value: (o) => num(o.ratingAverage, 2), numeric: true },
        ]}
      />
      <DataTable
        title="По категориям"
        exportQuery={q("category")}
        rows={board.volume.category}
        columns={[
          { title: "Категория", value: (r) => titleOf(categories, r.key) },
          { title: "Обращений", value: (r) => num(r.count), numeric: true },
        ]}
      />
      <DataTable
        title="По типам заявителей"
        exportQuery={q("audience")}
        rows={board.volume.audience}
        columns={[
          { title: "Заявитель", value: (r) => titleOf(audiences, r.key) },
          { title: "Обращений", value: (r) => num(r.count), numeric: true },
        ]}
      />
      <DataTable
        title="По дням"
        exportQuery={q("daily")}
        rows={board.daily}
        columns={[
          { title: "День", value: (d) => d.day },
          { title: "Поступило", value: (d) => num(d.created), numeric: true },
          { title: "Решено", value: (d) => num(d.resolved), numeric: true },
        ]}
      />
      {supervisor && comments && (
        <DataTable
          title="Комментарии к оценкам"
          exportQuery={q("comments")}
          rows={comments}
          empty="За период комментариев нет."
          columns={[
            { title: "Оценка", value: (c) => "★".repeat(c.rating), numeric: false },
            { title: "Канал", value: (c) => channelTitle(c.channel) },
            { title: "Категория", value: (c) => titleOf(categories, c.category) },
            { title: "Комментарий", value: (c) => c.comment },
          ]}
        />
      )}
    </div>
  );
}

function chartOptions(b: PeriodBoard, categories: Option[]) {
  const channels = [...new Set(b.daily.flatMap((d) => Object.keys(d.byChannel)))].sort();
  const days = b.daily.map((d) => d.day.slice(5).split("-").reverse().join("."));
  const daily = {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: days, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value" },
    series: [
      ...channels.map((c) => ({
        name: channelTitle(c),
        type: "bar",
        stack: "created",
        data: b.daily.map((d) => d.byChannel[c] ?? 0),
      })),
      { name: "Решено", type: "line", data: b.daily.map((d) => d.resolved), symbol: "none" },
    ],
  };
  const cats = b.volume.category.map((c) => c.key).reverse();
  const category = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    // The names take what they need (up to 160 px, cut with «…»); the counts' labels never run together.
    grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", minInterval: 1, splitNumber: 3, axisLabel: { hideOverlap: true } },
    yAxis: {
      type: "category",
      data: cats.map((c) => titleOf(categories, c === "—" ? null : c)),
      axisLabel: { width: 160, overflow: "truncate" },
    },
    series: [{ name: "Обращений", type: "bar", data: b.volume.category.map((c) => c.count).reverse() }],
  };
  const heatData = b.volume.heat.flatMap((row, d) => row.map((n, h) => [h, d, n]));
  const max = Math.max(1, ...heatData.map((x) => x[2]!));
  const heat = {
    tooltip: { position: "top" },
    // The colour scale stands below the hours' labels, with room of its own: it never covers them.
    grid: { left: 40, right: 16, top: 8, bottom: 96 },
    xAxis: {
      type: "category",
      data: HOURS,
      splitArea: { show: true },
      axisLabel: { interval: 2, hideOverlap: true },
    },
    yAxis: { type: "category", data: WEEKDAYS, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max,
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 0,
      itemHeight: 120,
      itemWidth: 14,
    },
    series: [{ name: "Обращений", type: "heatmap", data: heatData }],
  };
  const a = b.backlog.age;
  const ratings = {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: [
      { left: 40, right: "55%", top: 24, bottom: 48 },
      { left: "55%", right: 16, top: 24, bottom: 48 },
    ],
    // The axis's name under its labels: at the end of the axis it ran into the next chart's first label.
    xAxis: [
      {
        type: "category",
        gridIndex: 0,
        data: ["1", "2", "3", "4", "5"],
        name: "оценка",
        nameLocation: "middle",
        nameGap: 28,
      },
      {
        type: "category",
        gridIndex: 1,
        data: ["до 1 дня", "1–3 дня", "3–7 дней", "больше 7 дней"],
        axisLabel: { hideOverlap: true },
      },
    ],
    yAxis: [
      { type: "value", gridIndex: 0 },
      { type: "value", gridIndex: 1 },
    ],
    series: [
      { name: "Оценок", type: "bar", xAxisIndex: 0, yAxisIndex: 0, data: b.summary.rating.distribution },
      {
        name: "Открытых",
        type: "bar",
        xAxisIndex: 1,
        yAxisIndex: 1,
        data: [a.under1d, a.d1to3, a.d3to7, a.over7d],
      },
    ],
  };
  return { daily, category, heat, ratings };
}
