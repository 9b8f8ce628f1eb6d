// The help centre's search box: articles suggested while typing, each with the passage that matched.
import { type FormEvent, useEffect, useId, useState } from "react";
import { api } from "../api.ts";
import { Link, navigate } from "../router.tsx";
import { Snippet } from "./Snippet.tsx";
import type { Hit } from "./types.ts";

const PAUSE_MS = 250;

export function HelpSearch({ initial = "" }: { initial?: string }) {
  const [q, setQ] = useState(initial);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [failed, setFailed] = useState(false);
  const id = useId();
  const query = q.trim().slice(0, 300);

  useEffect(() => {
    if (query.length < 2) {
      setHits(null);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api<Hit[]>(`/kb/search?q=${encodeURIComponent(query)}&limit=6`, { signal: abort.signal })
        .then((r) => {
          setHits(r);
          setFailed(false);
        })
        .catch(() => {
          if (!abort.signal.aborted) setFailed(true);
        });
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [query]);

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
            aria-controls={`${id}-results`}
          />
          <button type="submit" className="button">
            Найти
          </button>
        </div>
      </form>
      <p id={`${id}-status`} className="visually-hidden" aria-live="polite">
        {hits === null ? "" : hits.length === 0 ? "Ничего не найдено" : `Найдено статей: ${hits.length}`}
      </p>
      {failed && <p className="muted">Поиск сейчас недоступен. Выберите тему ниже или позвоните 8-800-555-35-35.</p>}
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
