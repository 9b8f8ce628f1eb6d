// The queue: views with live counters, filters, search and order kept in the address (a reload or a shared link shows
// the same list), pages by cursor, and changes of many selected requests at once.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type MouseEvent, useEffect, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import { FilterBar } from "../controls/FilterBar.tsx";
import { optionsFrom, optionsOf, Select } from "../controls/Select.tsx";
import { displayRequestNumber, dueRelative, formatShort } from "../format.ts";
import { CHANNEL_TITLES, PRIORITY_TITLES, STATUS_ORDER, STATUS_TITLES, titleOf } from "../labels.ts";
import { useCoalesced, useConsoleFeed, useNow } from "../live.ts";
import { Link, navigate, useLocation, useTitle } from "../router.tsx";
import { useQueueShortcuts } from "./keyboard.tsx";
import { BulkBar, type BulkOutcome, BulkResult } from "./queue/BulkBar.tsx";
import { FIRST_DIRECTION, filterQuery, type Sort, sortOf } from "./queue/queueUrl.ts";
import { ViewTabs } from "./queue/ViewTabs.tsx";
import { useConsole } from "./session.ts";
import "./queue/queue.css";

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

const STATUS_CHOICES = [
  { value: "open", label: "Все открытые" },
  ...STATUS_ORDER.map((s) => ({ value: s, label: STATUS_TITLES[s] ?? s })),
  { value: "all", label: "Все, включая закрытые" },
];

/** A column header that sorts the list: a button inside, the order said by aria-sort. */
function SortHeader({
  label,
  sort,
  current,
  onSort,
}: {
  label: string;
  sort: Sort;
  current: { sort: Sort; dir: "asc" | "desc" };
  onSort: (sort: Sort) => void;
}) {
  const active = current.sort === sort;
  return (
    <th scope="col" aria-sort={active ? (current.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort-button" onClick={() => onSort(sort)}>
        {label}
        <span aria-hidden="true" className="sort-button__mark">
          {active ? (current.dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

export function QueuePage() {
  useTitle("Очередь — Консоль поддержки");
  const { categories, departments } = useConsole();
  const { search } = useLocation();
  const [text, setText] = useState(search.get("q") ?? "");
  const now = useNow();
  const queries = useQueryClient();
  const order = sortOf(search);
  const filters = filterQuery(search);
  // The cursors of the pages opened so far: the last one is the page shown; a new address starts again.
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(() => new Set());
  const [anchor, setAnchor] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [selectNote, setSelectNote] = useState<string | null>(null);
  const key = search.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new address (filters, order, view) is a new list
  useEffect(() => {
    setCursors([]);
    setSelected(new Set());
    setAnchor(null);
    setSelectNote(null);
  }, [key]);
  const cursor = cursors.at(-1);
  // A newer filter's answer replaces an older one's, however they arrive; the last list stays while the next loads.
  const list = $api.useQuery(
    "get",
    "/api/v1/requests",
    { params: { query: { ...filters, limit: PAGE, ...(cursor ? { cursor } : {}) } } },
    { placeholderData: (previous) => previous },
  );
  const data = list.data ?? null;
  useQueueShortcuts(data?.items);
  const error = failureOf(list)?.message ?? null;
  // On a phone the filters fold away so the list starts on the first screen.
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia("(min-width: 721px)").matches);
  const activeFilters = ["status", "category", "channel", "department", "overdue", "mine"].filter((k) =>
    search.get(k),
  ).length;

  const refreshList = useCoalesced(() => void queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests"] }));
  // Every view's counter is a count on the server: read at most every five seconds, however busy the centre is.
  const refreshViews = useCoalesced(
    () => void queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests/views"] }),
    5000,
  );
  const refresh = () => {
    refreshList();
    refreshViews();
  };
  const live = useConsoleFeed("requests", refresh);

  const go = (next: URLSearchParams) => {
    const qs = next.toString();
    navigate(`/console${qs ? `?${qs}` : ""}`, { replace: true });
  };
  const setFilter = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    // The list is no longer the view's.
    next.delete("view");
    go(next);
  };
  const setSort = (sort: Sort) => {
    const next = new URLSearchParams(search);
    const dir = order.sort === sort ? (order.dir === "asc" ? "desc" : "asc") : FIRST_DIRECTION[sort];
    if (sort === "due" && dir === "asc") {
      next.delete("sort");
      next.delete("dir");
    } else {
      next.set("sort", sort);
      next.set("dir", dir);
    }
    go(next);
  };

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setFilter("q", text.trim() || null);
  };

  const rows = data?.items ?? [];
  const page = cursors.length;
  const first = page * PAGE;

  // A click toggles one row; with Shift, every row between it and the last one clicked takes the same state.
  const toggle = (index: number, e: MouseEvent<HTMLInputElement>) => {
    const number = rows[index]!.number;
    const on = !selected.has(number);
    const next = new Set(selected);
    const [from, to] =
      e.shiftKey && anchor !== null ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
    for (let i = from; i <= to; i++) {
      if (on) next.add(rows[i]!.number);
      else next.delete(rows[i]!.number);
    }
    setSelected(next);
    setAnchor(index);
  };
  const pageSelected = rows.length > 0 && rows.every((r) => selected.has(r.number));
  const togglePage = () => {
    const next = new Set(selected);
    for (const r of rows) {
      if (pageSelected) next.delete(r.number);
      else next.add(r.number);
    }
    setSelected(next);
  };
  const selectView = async () => {
    try {
      const res = await ok(api.GET("/api/v1/requests/numbers", { params: { query: filters } }));
      setSelected(new Set(res.numbers));
      setSelectNote(
        res.truncated
          ? `Выбраны первые ${res.numbers.length.toLocaleString("ru-RU")}: за один раз можно изменить не больше 500 обращений.`
          : null,
      );
    } catch (err) {
      setSelectNote(errorText(err));
    }
  };
  const done = (o: BulkOutcome) => {
    setOutcome(o);
    // What failed stays selected, to try again or to look at.
    setSelected(new Set(o.failed.map((f) => f.number)));
    void queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests"] });
    void queries.invalidateQueries({ queryKey: ["get", "/api/v1/requests/views"] });
  };

  return (
    <div className="queue">
      <div className="queue__head">
        <h1>Очередь обращений</h1>
        <p className="live-state" data-live={live}>
          {live === "live" ? "Обновляется автоматически" : live === "offline" ? "Нет связи, переподключаемся…" : ""}
        </p>
      </div>

      <ViewTabs search={search} />

      <search>
        <form className="search" onSubmit={submitSearch}>
          <label htmlFor="queue-search">Поиск</label>
          <div className="search__row">
            <input
              id="queue-search"
              data-shortcut="search"
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
            options={[{ value: "none", label: "Без категории" }, ...optionsFrom(categories)]}
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

      {outcome && <BulkResult outcome={outcome} onClose={() => setOutcome(null)} />}
      {selected.size > 0 && <BulkBar selected={[...selected]} onDone={done} onClear={() => setSelected(new Set())} />}

      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {!data ? (
        <p className="loading">Загружаем очередь…</p>
      ) : rows.length === 0 ? (
        <p className="empty">Обращений по этим условиям нет.</p>
      ) : (
        <>
          <div className="queue-select">
            <p className="muted" aria-live="polite">
              Найдено: {data.totalCapped ? "больше " : ""}
              {data.total.toLocaleString("ru-RU")}
            </p>
            {pageSelected && data.total > rows.length && (
              <button
                type="button"
                className="button button--small button--secondary"
                onClick={() => void selectView()}
              >
                Выбрать все в подборке ({Math.min(data.total, 500).toLocaleString("ru-RU")})
              </button>
            )}
            {selectNote && <p className="muted">{selectNote}</p>}
          </div>
          <table className="queue-table">
            <caption className="visually-hidden">Обращения</caption>
            <thead>
              <tr>
                <th scope="col" className="queue-table__check">
                  <input
                    type="checkbox"
                    aria-label="Выбрать все на этой странице"
                    checked={pageSelected}
                    onChange={togglePage}
                  />
                </th>
                <SortHeader label="Номер" sort="created" current={order} onSort={setSort} />
                <th scope="col">Тема</th>
                <SortHeader label="Статус" sort="status" current={order} onSort={setSort} />
                <SortHeader label="Категория" sort="category" current={order} onSort={setSort} />
                <SortHeader label="Канал" sort="channel" current={order} onSort={setSort} />
                <SortHeader label="Приоритет" sort="priority" current={order} onSort={setSort} />
                <th scope="col">Исполнитель</th>
                <SortHeader label="Срок" sort="due" current={order} onSort={setSort} />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, index) => {
                const due = currentDue(r);
                const rel = due ? dueRelative(due, now) : null;
                const overdue = r.overdue || rel?.overdue;
                const title = r.subject || r.preview;
                return (
                  <tr
                    key={r.number}
                    className={[overdue ? "is-overdue" : "", selected.has(r.number) ? "is-selected" : ""]
                      .filter(Boolean)
                      .join(" ")}
                    data-number={r.number}
                  >
                    <td className="queue-table__check">
                      <input
                        type="checkbox"
                        aria-label={`Выбрать обращение ${displayRequestNumber(r.number)}`}
                        checked={selected.has(r.number)}
                        onClick={(e) => toggle(index, e)}
                        onChange={() => undefined}
                      />
                    </td>
                    <td data-label="Номер">
                      <Link to={`/console/requests/${r.number}`} className="queue-table__number nowrap">
                        {displayRequestNumber(r.number)}
                      </Link>
                    </td>
                    <td data-label="Тема" className="queue-table__subject">
                      <div>
                        <span className={`queue-table__line${r.subject ? "" : " queue-table__preview"}`}>
                          {title || <span className="muted">Без темы</span>}
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
                        {r.category ? titleOf(categories, r.category) : <span className="muted">без категории</span>}
                        {r.category && r.categoryConfidence !== null && r.categoryConfidence < 0.6 && (
                          <span className="muted queue-table__who">
                            не уверены ({Math.round(r.categoryConfidence * 100)}%) — проверьте
                          </span>
                        )}
                      </div>
                    </td>
                    <td data-label="Канал">{CHANNEL_TITLES[r.channel] ?? r.channel}</td>
                    <td data-label="Приоритет">
                      {r.priority === "high" || r.priority === "urgent" ? (
                        <span className={`badge badge--priority-${r.priority}`}>{PRIORITY_TITLES[r.priority]}</span>
                      ) : (
                        (PRIORITY_TITLES[r.priority] ?? r.priority)
                      )}
                    </td>
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
          {(page > 0 || data.nextCursor) && (
            <nav className="pager" aria-label="Страницы">
              <button
                type="button"
                className="button button--secondary"
                disabled={page === 0}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                Назад
              </button>
              <span>
                {(first + 1).toLocaleString("ru-RU")}–{(first + rows.length).toLocaleString("ru-RU")} из{" "}
                {data.totalCapped ? "более чем " : ""}
                {data.total.toLocaleString("ru-RU")}
              </span>
              <button
                type="button"
                className="button button--secondary"
                disabled={!data.nextCursor}
                onClick={() => data.nextCursor && setCursors([...cursors, data.nextCursor])}
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
