// While the applicant types, articles that may already answer the question (from the knowledge base search).
// Quietly shows nothing when the search is unavailable: the form must work without it.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { $api } from "../api/client.ts";
import { FormVisit } from "../help/deflection.ts";
import { useDebounced } from "../live.ts";

const MIN_LENGTH = 12;
const PAUSE_MS = 600;

// Asked once per page: a server without the knowledge base is told apart without a failing request per keystroke.
function useSearchAvailable(): boolean {
  return (
    useQuery({
      queryKey: ["kb-search-available"],
      queryFn: async () => {
        const doc = (await (await fetch("/api/v1/openapi.json")).json()) as { paths?: Record<string, unknown> };
        return Object.keys(doc.paths ?? {}).some((p) => p.endsWith("/kb/search"));
      },
      staleTime: Number.POSITIVE_INFINITY,
    }).data === true
  );
}

export function Suggestions({ text }: { text: string }) {
  const query = useDebounced(text.trim().slice(0, 200), PAUSE_MS);
  const available = useSearchAvailable();
  const search = $api.useQuery(
    "get",
    "/api/v1/kb/search",
    { params: { query: { q: query, limit: 3 } } },
    { enabled: available && query.length >= MIN_LENGTH, placeholderData: (previous) => previous },
  );
  // Quietly nothing on a failed search; a shorter text hides what an earlier one found.
  const found = query.length >= MIN_LENGTH && !search.isError ? search.data : undefined;
  const hits = useMemo(() => found?.slice(0, 3) ?? [], [found]);
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
