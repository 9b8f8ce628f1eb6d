// While the applicant types, articles that may already answer the question (from the knowledge base search).
// Quietly shows nothing when the search is unavailable: the form must work without it.
import { useEffect, useRef, useState } from "react";
import { api } from "../api.ts";
import { FormVisit } from "../help/deflection.ts";

type Hit = { slug: string; title: string; score: number };

const MIN_LENGTH = 12;

// Asked once per page: a server without the knowledge base is told apart without a failing request per keystroke.
let available: Promise<boolean> | null = null;
function searchAvailable(): Promise<boolean> {
  available ??= api<{ paths?: Record<string, unknown> }>("/openapi.json")
    .then((doc) => Object.keys(doc.paths ?? {}).some((p) => p.endsWith("/kb/search")))
    .catch(() => false);
  return available;
}
const PAUSE_MS = 600;

export function Suggestions({ text }: { text: string }) {
  const [hits, setHits] = useState<Hit[]>([]);
  const query = text.trim().slice(0, 200);
  const visit = useRef<FormVisit | null>(null);
  visit.current ??= new FormVisit();

  // Closing the tab ends the visit unsent; leaving this component while the address is still /new means the
  // form was sent (the success screen replaced it).
  useEffect(() => {
    const v = visit.current!;
    const onHide = () => v.end(false);
    window.addEventListener("pagehide", onHide);
    return () => {
      window.removeEventListener("pagehide", onHide);
      v.end(window.location.pathname === "/new");
    };
  }, []);

  useEffect(() => {
    if (hits.length > 0) visit.current?.show(hits.map((h) => h.slug));
  }, [hits]);

  useEffect(() => {
    if (query.length < MIN_LENGTH) {
      setHits([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(async () => {
      if (!(await searchAvailable()) || abort.signal.aborted) return;
      api<Hit[] | { results?: Hit[] }>(`/kb/search?q=${encodeURIComponent(query)}&limit=3`, { signal: abort.signal })
        .then((r) => setHits((Array.isArray(r) ? r : (r.results ?? [])).slice(0, 3)))
        .catch(() => {
          if (!abort.signal.aborted) setHits([]);
        });
    }, PAUSE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [query]);

  if (hits.length === 0) return null;
  return (
    <div className="suggestions" aria-live="polite">
      <p className="suggestions__title">Возможно, ответ уже есть в справке:</p>
      <ul>
        {hits.map((h) => (
          <li key={h.slug}>
            <a
              href={`/help/${encodeURIComponent(h.slug)}`}
              target="_blank"
              rel="noopener"
              onClick={() => visit.current?.open(h.slug)}
              onAuxClick={() => visit.current?.open(h.slug)}
            >
              {h.title}
            </a>
          </li>
        ))}
      </ul>
      <p className="field__hint">Статья откроется в новой вкладке, написанный текст не пропадёт.</p>
    </div>
  );
}
