// Known incidents as the public sees them: a banner on the start page, the help centre and the chat widget (every
// incident going on now), and on the request form (those its text is about, before it is sent). What the server
// gives is public only: title, public text, since when, the expected recovery. A resolved incident leaves at the
// next look, and the pages look again every minute and whenever the tab comes back into view.
import { useQuery } from "@tanstack/react-query";
import { clientFor, ok } from "./api/client.ts";
import type { ResponseOf } from "./api/types.ts";
import { MOSCOW_LABEL, moscowDateTime } from "./format.ts";
import { useDebounced } from "./live.ts";

export type PublicIncident = ResponseOf<"/api/v1/incidents/active">[number];

const EVERY_MINUTE = 60_000;
const MIN_TEXT = 10;
const PAUSE_MS = 600;

export function useActiveIncidents(base = ""): PublicIncident[] {
  return (
    useQuery({
      queryKey: ["incidents-active", base],
      queryFn: ({ signal }) => ok(clientFor(base).GET("/api/v1/incidents/active", { signal })),
      refetchInterval: EVERY_MINUTE,
      refetchOnWindowFocus: true,
    }).data ?? []
  );
}

/**
 * The incidents the text being typed is about, by the server's own rules (those that will link the request once
 * sent). Asked only while some incident is going on, after a pause in typing.
 */
export function useMatchingIncidents(text: string, category: string): PublicIncident[] {
  const active = useActiveIncidents();
  const typed = useDebounced(text.trim().slice(0, 2000), PAUSE_MS);
  const match = useQuery({
    queryKey: ["incidents-match", typed, category, active.map((i) => i.id).join(",")],
    queryFn: ({ signal }) =>
      ok(
        clientFor("").POST("/api/v1/incidents/match", {
          body: { text: typed, ...(category ? { category: category as never } : {}) },
          signal,
        }),
      ),
    enabled: active.length > 0 && typed.length >= MIN_TEXT,
    placeholderData: (previous) => previous,
  });
  // An incident resolved since the last match is no longer shown, even before the next answer.
  const live = new Set(active.map((i) => i.id));
  return typed.length >= MIN_TEXT && !match.isError ? (match.data ?? []).filter((i) => live.has(i.id)) : [];
}

/** «Сбой с 6 декабря в 10:00 по московскому времени. Восстановить работу рассчитываем к 14:00 …». */
function when(i: PublicIncident): string {
  const since = `Сбой с ${moscowDateTime(i.since)} ${MOSCOW_LABEL}.`;
  const recovery = i.expectedRecoveryAt
    ? ` Ожидаемое время восстановления — ${moscowDateTime(i.expectedRecoveryAt)} ${MOSCOW_LABEL}.`
    : " Время восстановления пока неизвестно.";
  return since + recovery;
}

/**
 * The banner: nothing when there is no incident. `lead` says why it is shown (the form: «похоже, ваш вопрос…»);
 * `compact` drops the times (the chat widget is narrow).
 */
export function IncidentBanner({
  incidents,
  lead,
  compact = false,
}: {
  incidents: PublicIncident[];
  lead?: string;
  compact?: boolean;
}) {
  if (incidents.length === 0) return null;
  return (
    // A region, not an aside: it sits inside the page's main content (and inside the chat), where a complementary
    // landmark may not.
    <section className="incident-banner" aria-label={incidents.length === 1 ? "Известный сбой" : "Известные сбои"}>
      {lead && <p className="incident-banner__lead">{lead}</p>}
      <ul className="incident-banner__list">
        {incidents.map((i) => (
          <li key={i.id} className="incident-banner__item" data-incident={i.id}>
            <p className="incident-banner__title">{i.title}</p>
            <p className="incident-banner__text">{i.publicMessage}</p>
            {!compact && <p className="incident-banner__when">{when(i)}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
