// The help centre's search box: articles suggested while typing, each with the passage that matched.
import { type FormEvent, useId, useState } from "react";
import { $api } from "../api/client.ts";
import { PhoneLink } from "../Linkified.tsx";
import { useDebounced } from "../live.ts";
import { Link, navigate } from "../router.tsx";
import { Snippet } from "./Snippet.tsx";

const PAUSE_MS = 250;

export function HelpSearch({ initial = "" }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const id = useId();
  const query = useDebounced(q.trim().slice(0, 300), PAUSE_MS);
  const search = $api.useQuery(
    "get",
    "/api/v1/kb/search",
    { params: { query: { q: query, limit: 6 } } },
    { enabled: query.length >= 2, placeholderData: (previous) => previous },
  );
  // The last answer stays while the next is on its way; a failed search keeps it and says so.
  const hits = query.length >= 2 ? (search.data ?? null) : null;
  const failed = search.isError;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (hits && hits.length > 0) navigate(`/help/${hits[0]!.slug}`);
  };

  return (
    <search className="help-search">
      <form onSubmit={submit} noValidate>
        <label htmlFor={`${id}-q`} className="field__label">
          Поиск по справке
        </label>
        <div className="search__row">
          <input
            id={`${id}-q`}
            type="search"
            enterKeyHint="search"
            autoComplete="off"
            placeholder="Например: не приходит код"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            aria-describedby={`${id}-status`}
            // Only while the list is on the page: a reference to nothing is an error for assistive technology.
            aria-controls={hits ? `${id}-results` : undefined}
          />
          <button type="submit" className="button">
            Найти
          </button>
        </div>
      </form>
      <p id={`${id}-status`} className="visually-hidden" aria-live="polite">
        {hits === null ? "" : hits.length === 0 ? "Ничего не найдено" : `Найдено статей: ${hits.length}`}
      </p>
      {failed && (
        <p className="muted">
          Поиск сейчас недоступен. Выберите тему ниже или позвоните <PhoneLink phone="+78005553535" />.
        </p>
      )}
      {hits && (
        <ul id={`${id}-results`} className="help-results" aria-label="Найденные статьи">
          {hits.length === 0 && (
            <li className="help-results__empty">
              Ничего не нашлось. Попробуйте сказать иначе или <Link to="/new">напишите нам</Link>.
            </li>
          )}
          {hits.map((h) => (
            <li key={h.slug}>
              <Link to={`/help/${h.slug}`} className="help-results__title">
                {h.title}
              </Link>
              <p className="help-results__snippet">
                <Snippet html={h.snippet} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}
