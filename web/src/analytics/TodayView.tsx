// The supervisor's «today»: what came in since midnight (Moscow), the queue now and what is about to be late,
// read again whenever the console's event stream says something changed.
import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { $api, failureOf } from "../api/client.ts";
import { count, WORDS } from "../format.ts";
import { CHANNEL_TITLES } from "../labels.ts";
import { useCoalesced, useConsoleFeed } from "../live.ts";
import type { Filters } from "./AnalyticsPage.tsx";
import { Chart } from "./Chart.tsx";
import { minutes, num, pct } from "./format.ts";
import { Kpi } from "./parts.tsx";
import type { TodayBoard } from "./types.ts";

export function TodayView({ filters }: { filters: Filters }) {
  const queries = useQueryClient();
  const read = $api.useQuery(
    "get",
    "/api/v1/analytics/today",
    { params: { query: filters } },
    { placeholderData: (previous) => previous },
  );
  // The route's response schema is open; these are the figures the page reads (types.ts).
  const board = (read.data as TodayBoard | undefined) ?? null;
  const error = failureOf(read)?.message ?? null;
  const refresh = useCoalesced(
    () => void queries.invalidateQueries({ queryKey: ["get", "/api/v1/analytics/today"] }),
    3000,
  );
  const live = useConsoleFeed("requests", refresh);

  const hourly = useMemo(
    () =>
      board && {
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 16, bottom: 24 },
        // Every third hour is labelled: 24 labels side by side ran together on a narrow chart.
        xAxis: {
          type: "category",
          data: board.byHour.map((_, h) => String(h).padStart(2, "0")),
          axisLabel: { interval: 2, hideOverlap: true },
        },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: "Обращений", type: "bar", data: board.byHour }],
      },
    [board],
  );
  const channels = useMemo(
    () =>
      board && {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 8, right: 16, top: 8, bottom: 24, containLabel: true },
        xAxis: { type: "value", minInterval: 1, splitNumber: 3, axisLabel: { hideOverlap: true } },
        yAxis: { type: "category", data: board.byChannel.map((c) => CHANNEL_TITLES[c.key] ?? c.key) },
        series: [{ name: "Обращений", type: "bar", data: board.byChannel.map((c) => c.count) }],
      },
    [board],
  );

  if (error) return <p className="alert alert--error">{error}</p>;
  if (!board || !hourly || !channels) return <p className="loading">Считаем показатели…</p>;
  const s = board.summary;
  return (
    <div>
      <p className="muted" aria-live="polite">
        {live === "live" ? "Обновляется сам при каждом изменении в очереди." : "Нет связи с сервером, пробуем снова…"}
      </p>
      <section className="kpis" aria-label="Сегодня">
        <Kpi title="Поступило сегодня" value={num(s.created)} />
        <Kpi title="Из них решено" value={num(s.resolved)} />
        <Kpi title="Открыто сейчас" value={num(board.backlog.open)} hint={`просрочено ${num(board.backlog.overdue)}`} />
        <Kpi
          title="Без первого ответа, срок прошёл"
          value={num(board.firstResponseOverdue)}
          hint={`истекает в ближайший час: ${num(board.firstResponseDueSoon)}`}
        />
        <Kpi title="Первый ответ, медиана" value={minutes(s.firstResponse.median)} />
        <Kpi title="Первый ответ в срок" value={pct(s.sla.firstResponse)} />
        {board.calls && (
          <Kpi
            title="Звонки: отвечено"
            value={`${num(board.calls.answered)} из ${num(board.calls.offered)}`}
            hint={`уровень обслуживания ${pct(board.calls.serviceLevel)}, ждут сейчас: ${num(board.callsWaiting)}`}
          />
        )}
        <Kpi title="Средняя оценка" value={num(s.rating.average, 2)} hint={count(s.rating.count, ...WORDS.rating)} />
      </section>
      <div className="charts">
        <section className="panel">
          <h2 className="panel__title">Сегодня по часам, по московскому времени</h2>
          <Chart option={hourly} label="Поступление обращений сегодня по часам" height={240} />
        </section>
        <section className="panel">
          <h2 className="panel__title">Сегодня по каналам</h2>
          <Chart option={channels} label="Поступление обращений сегодня по каналам" height={240} />
        </section>
      </div>
    </div>
  );
}
