// The queue: filters and search kept in the address (a reload or a shared link shows the same list), live.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { FilterBar } from "../controls/FilterBar.tsx";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { dueRelative, formatShort } from "../format.ts";
import { CHANNEL_TITLES, OPEN_STATUSES, PRIORITY_TITLES, STATUS_ORDER, STATUS_TITLES, titleOf } from "../labels.ts";
import { useCoalesced, useConsoleFeed, useNow } from "../live.ts";
import { Link, navigate, useLocation, useTitle } from "../router.tsx";
import { useConsole } from "./session.ts";

type Status = (typeof STATUS_ORDER)[number];

const PAGE = 50;

/** The due time that matters now: first response until someone answered, then resolution. */
export function currentDue(r: {
  status: string;
  firstRespondedAt: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
}): string | null {
  if (r.status === "resolved" || r.status === "closed") return null;
  return r.firstRespondedAt ? r.resolutionDueAt : (r.firstResponseDueAt ?? r.resolutionDueAt);
}

/** The address's filters as the list's query. */
function apiQuery(search: URLSearchParams) {
  const status = search.get("status") ?? "open";
  const v = (key: string) => search.get(key) || undefined;
  const one = (key: string) => (v(key) ? [v(key)!] : undefined);
  return {
    ...(status === "open" ? { status: [...OPEN_STATUSES] } : status !== "all" ? { status: [status as Status] } : {}),
    q: v("q"),
    category: one("category"),
    channel: one("channel"),
    department: v("department"),
    assignee: search.get("mine") === "1" ? ("me" as const) : undefined,
    overdue: search.get("overdue") === "1" ? true : undefined,
    limit: PAGE,
    offset: Number(search.get("offset") ?? 0),
  };
}

const STATUS_CHOICES = [
  { value: "open", label: "Все открытые" },
  ...STATUS_ORDER.map((s) => ({ value: s, label: STATUS_TITLES[s] ?? s })),
  { value: "all", label: "Все, включая закрытые" },
];

export function QueuePage() {
  useTitle("Очередь — Консоль поддержки");
  const { categories, departments } = useConsole();
  const { search } = useLocation();
  const [text, setText] = useState(search.get("q") ?? "");
  const now = useNow();
  const queries = useQueryClient();
  // A newer filter's answer replaces an older one's, however they arrive; the last list stays while the next loads.
  const list = $api.useQuery(
    "get",
    "/api/v1/requests",
    { params: { query: apiQuery(search) } },
    { placeholderData: (previous) => previous },
  );
  const data = list.data ?? null;
  const error = failureOf(list)?.message ?? null;
  // On a phone the filters fold away so the list starts on the first screen.
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia("(min-width: 721px)").matches);
  const activeFilters = ["status", "category", "channel", "department", "overdue", "mine"].filter((k) =>
    search.get(k),
  ).length;

  const live = useConsoleFeed(
    "requests",
    useCoalesced(() => void queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests"] })),
  );

  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    next.delete("offset");
    const qs = next.toString();
    navigate(`/console${qs ? `?${qs}` : ""}`, { replace: true });
  };

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setFilter("q", text.trim() || null);
  };

  const offset = Number(search.get("offset") ?? 0);
  const page = (delta: number) => {
    const next = new URLSearchParams(search);
    next.set("offset", String(Math.max(0, offset + delta)));
    navigate(`/console?${next}`);
  };

  return (
    <div className="queue">
      <div className="queue__head">
        <h1>Очередь обращений</h1>
        <p className="live-state" data-live={live}>
          {live === "live" ? "Обновляется автоматически" : live === "offline" ? "Нет связи, переподключаемся…" : ""}
        </p>
      </div>

      <search>
        <form className="search" onSubmit={submitSearch}>
          <label htmlFor="queue-search">Поиск</label>
          <div className="search__row">
            <input
              id="queue-search"
              type="search"
              value={text}
              placeholder="Номер, телефон, e-mail или слова из текста"
              onChange={(e) => setText(e.target.value)}
            />
            <button type="submit" className="button">
              Найти
            </button>
          </div>
        </form>
      </search>

      <details className="filters-box" open={filtersOpen} onToggle={(e) => setFiltersOpen(e.currentTarget.open)}>
        <summary>Фильтры{activeFilters > 0 ? ` (${activeFilters})` : ""}</summary>
        <FilterBar label="Фильтры">
          <Select
            id="flt-status"
            label="Статус"
            value={search.get("status") ?? "open"}
            onChange={(v) => setFilter("status", v === "open" ? null : v)}
            options={STATUS_CHOICES}
          />
          <Select
            id="flt-category"
            label="Категория"
            value={search.get("category") ?? ""}
            onChange={(v) => setFilter("category", v)}
            empty="Любая"
            options={optionsFrom(categories)}
          />
          <Select
            id="flt-channel"
            label="Канал"
            value={search.get("channel") ?? ""}
            onChange={(v) => setFilter("channel", v)}
            empty="Любой"
            options={optionsOf(CHANNEL_TITLES)}
          />
          <Select
            id="flt-department"
            label="Подразделение"
            value={search.get("department") ?? ""}
            onChange={(v) => setFilter("department", v)}
            empty="Любое"
            options={optionsFrom(departments)}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              checked={search.get("overdue") === "1"}
              onChange={(e) => setFilter("overdue", e.target.checked ? "1" : null)}
            />
            <span>Только просроченные</span>
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={search.get("mine") === "1"}
              onChange={(e) => setFilter("mine", e.target.checked ? "1" : null)}
            />
            <span>Назначенные мне</span>
          </label>
        </FilterBar>
      </details>

      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        <p className="loading">Загружаем очередь…</p>
      ) : data.items.length === 0 ? (
        <p className="empty">Обращений по этим условиям нет.</p>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Найдено: {data.total}
          </p>
          <table className="queue-table">
            <caption className="visually-hidden">Обращения</caption>
            <thead>
              <tr>
                <th scope="col">Номер</th>
                <th scope="col">Тема</th>
                <th scope="col">Статус</th>
                <th scope="col">Категория</th>
                <th scope="col">Канал</th>
                <th scope="col">Исполнитель</th>
                <th scope="col">Срок</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => {
                const due = currentDue(r);
                const rel = due ? dueRelative(due, now) : null;
                const overdue = r.overdue || rel?.overdue;
                return (
                  <tr key={r.number} className={overdue ? "is-overdue" : undefined} data-number={r.number}>
                    <td data-label="Номер">
                      <Link to={`/console/requests/${r.number}`} className="queue-table__number">
                        {r.number}
                      </Link>
                    </td>
                    <td data-label="Тема" className="queue-table__subject">
                      <div>
                        <span className="queue-table__line">
                          {(r.priority === "high" || r.priority === "urgent") && (
                            <span className={`badge badge--priority-${r.priority}`}>{PRIORITY_TITLES[r.priority]}</span>
                          )}{" "}
                          {r.subject}
                        </span>
                        <span className="muted queue-table__who">
                          {[r.contactName, r.contactEmail, r.contactPhone].filter(Boolean).join(" · ")}
                        </span>
                      </div>
                    </td>
                    <td data-label="Статус">
                      <span className={`badge badge--${r.status} queue-table__badge`}>
                        {STATUS_TITLES[r.status] ?? r.status}
                      </span>
                    </td>
                    <td data-label="Категория">
                      <div>
                        {titleOf(categories, r.category)}
                        {r.category && r.categoryConfidence !== null && r.categoryConfidence < 0.6 && (
                          <span className="muted queue-table__who">
                            не уверены ({Math.round(r.categoryConfidence * 100)}%) — проверьте
                          </span>
                        )}
                      </div>
                    </td>
                    <td data-label="Канал">{CHANNEL_TITLES[r.channel] ?? r.channel}</td>
                    <td data-label="Исполнитель">{r.assigneeName ?? <span className="muted">не назначен</span>}</td>
                    <td data-label="Срок">
                      {rel && due ? (
                        <time dateTime={due} title={formatShort(due)} className={overdue ? "overdue" : undefined}>
                          {overdue && !rel.overdue ? "просрочено" : rel.text}
                        </time>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data.total > PAGE && (
            <nav className="pager" aria-label="Страницы">
              <button
                type="button"
                className="button button--secondary"
                disabled={offset === 0}
                onClick={() => page(-PAGE)}
              >
                Назад
              </button>
              <span>
                {offset + 1}–{Math.min(offset + PAGE, data.total)} из {data.total}
              </span>
              <button
                type="button"
                className="button button--secondary"
                disabled={offset + PAGE >= data.total}
                onClick={() => page(PAGE)}
              >
                Дальше
              </button>
            </nav>
          )}
        </>
      )}
    </div>
  );
}
