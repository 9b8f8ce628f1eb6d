// The request's facts (channel, department, dates, rating) and its history in sentences.
import { formatDateTime, formatShort, MOSCOW_LABEL } from "../format.ts";
import { CHANNEL_TITLES, STATUS_TITLES } from "../labels.ts";
import { Link } from "../router.tsx";
import { actorOf, describeHistory } from "./history.ts";
import type { ApplicantRequest, Detail } from "./requestQueries.ts";
import { useConsole } from "./session.ts";

export function RequestFacts({ r }: { r: Detail }) {
  const { departments } = useConsole();
  return (
    <section className="card" aria-labelledby="facts-title">
      <h2 id="facts-title" className="card__title">
        Сведения
      </h2>
      <dl className="facts">
        <dt>Канал</dt>
        <dd>{CHANNEL_TITLES[r.channel] ?? r.channel}</dd>
        <dt>Подразделение</dt>
        <dd>{departments.find((d) => d.code === r.department)?.name ?? "—"}</dd>
        <dt>Создано</dt>
        <dd>{formatShort(r.createdAt)}</dd>
        <dt>Первый ответ до</dt>
        <dd>{r.firstResponseDueAt ? formatShort(r.firstResponseDueAt) : "—"}</dd>
        <dt>Решение до</dt>
        <dd>{r.resolutionDueAt ? formatShort(r.resolutionDueAt) : "—"}</dd>
        {r.rating !== null && (
          <>
            <dt>Оценка</dt>
            <dd>
              {r.rating} из 5{r.ratingComment ? ` — «${r.ratingComment}»` : ""}
            </dd>
          </>
        )}
      </dl>
      <p className="muted">Даты и время — {MOSCOW_LABEL}.</p>
    </section>
  );
}

export function RequestHistory({ r }: { r: Detail }) {
  const lists = useConsole();
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title" className="card__title">
        История
      </h2>
      <ol className="history">
        {r.history.map((h) => (
          <li key={h.id}>
            <time dateTime={h.createdAt}>{formatDateTime(h.createdAt)}</time> · {actorOf(h)}
            {describeHistory(h, lists).map((line) => (
              <div key={line}>{line}</div>
            ))}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** One person's other requests, whatever channel they came by (the applicant record joins their contacts). */
export function ApplicantRequests({ items, titleId }: { items: ApplicantRequest[]; titleId: string }) {
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId} className="card__title">
        Другие обращения заявителя
      </h2>
      {items.length === 0 ? (
        <p className="muted">Других обращений нет.</p>
      ) : (
        <ul className="applicant-requests">
          {items.map((o) => (
            <li key={o.number}>
              <Link to={`/console/requests/${o.number}`}>№{o.number}</Link> {o.subject} —{" "}
              {STATUS_TITLES[o.status] ?? o.status}
              <span className="muted">
                {" "}
                · {CHANNEL_TITLES[o.channel] ?? o.channel}, {formatShort(o.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
