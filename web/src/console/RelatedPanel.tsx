// The «Связанные обращения» card of a request: related requests (linked both ways, added and removed here), the
// duplicates merged into this one, and the two acts that join or part requests — merging this one into another and
// splitting an applicant's message off into a new request.
import { type FormEvent, useState } from "react";
import { api } from "../api/client.ts";
import { displayRequestNumber } from "../format.ts";
import { STATUS_TITLES } from "../labels.ts";
import { Link, navigate } from "../router.tsx";
import type { Detail } from "./requestQueries.ts";

/** Digits only: a number may be typed with spaces («1 030 026»). */
const digitsOf = (text: string) => text.replace(/\D/g, "");

export function RelatedPanel({
  r,
  busy,
  act,
}: {
  r: Detail;
  busy: boolean;
  act: (what: () => Promise<unknown>, done: string) => Promise<boolean>;
}) {
  const number = r.number;
  const [link, setLink] = useState("");
  const [into, setInto] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [messageId, setMessageId] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const open = r.status !== "closed";
  const applicantLines = r.messages.filter((m) => m.authorType === "applicant" && m.visibility === "public");

  const addLink = async (e: FormEvent) => {
    e.preventDefault();
    const other = digitsOf(link);
    if (!other) return;
    const done = await act(
      () => api.POST("/api/v1/requests/{number}/links", { params: { path: { number } }, body: { number: other } }),
      `Обращение № ${displayRequestNumber(other)} связано с этим.`,
    );
    if (done) setLink("");
  };

  const merge = async (e: FormEvent) => {
    e.preventDefault();
    const target = digitsOf(into);
    if (!target) return;
    if (!confirming) {
      setConfirming(true);
      return;
    }
    const done = await act(
      () => api.POST("/api/v1/requests/{number}/merge", { params: { path: { number } }, body: { into: target } }),
      `Обращение объединено с обращением № ${displayRequestNumber(target)}.`,
    );
    setConfirming(false);
    if (done) navigate(`/console/requests/${target}`);
  };

  const split = async (e: FormEvent) => {
    e.preventDefault();
    if (!messageId) return;
    let fresh: string | null = null;
    const done = await act(async () => {
      const res = await api.POST("/api/v1/requests/{number}/split", {
        params: { path: { number } },
        body: { messageId: Number(messageId) },
      });
      fresh = res.data?.number ?? null;
    }, "Сообщение выделено в новое обращение.");
    if (done) {
      setCreated(fresh);
      setMessageId("");
    }
  };

  return (
    <section className="card" aria-labelledby="related-title">
      <h2 id="related-title" className="card__title">
        Связанные обращения
      </h2>
      {r.related.length === 0 ? (
        <p className="muted">Связанных обращений нет.</p>
      ) : (
        <ul className="related-list">
          {r.related.map((o) => (
            <li key={o.number}>
              <Link to={`/console/requests/${o.number}`}>№ {displayRequestNumber(o.number)}</Link>{" "}
              <span className="muted">
                {o.subject} · {STATUS_TITLES[o.status] ?? o.status}
              </span>{" "}
              <button
                type="button"
                className="button button--small button--ghost"
                disabled={busy}
                aria-label={`Убрать связь с обращением № ${displayRequestNumber(o.number)}`}
                onClick={() =>
                  void act(
                    () =>
                      api.DELETE("/api/v1/requests/{number}/links/{other}", {
                        params: { path: { number, other: o.number } },
                      }),
                    `Связь с обращением № ${displayRequestNumber(o.number)} убрана.`,
                  )
                }
              >
                Убрать
              </button>
            </li>
          ))}
        </ul>
      )}
      {r.mergedFrom.length > 0 && (
        <p>
          Объединены с этим:{" "}
          {r.mergedFrom.map((n, i) => (
            <span key={n}>
              {i > 0 && ", "}№ {displayRequestNumber(n)}
            </span>
          ))}
        </p>
      )}
      {open && (
        <form className="inline-form" onSubmit={addLink}>
          <label htmlFor="related-number">Связать с обращением №</label>
          <div className="search__row">
            <input
              id="related-number"
              inputMode="numeric"
              autoComplete="off"
              value={link}
              onChange={(e) => setLink(e.target.value)}
            />
            <button type="submit" className="button button--small button--secondary" disabled={busy}>
              Связать
            </button>
          </div>
        </form>
      )}
      {open && (
        <form className="inline-form" onSubmit={merge}>
          <label htmlFor="merge-into">Объединить это обращение с обращением №</label>
          <div className="search__row">
            <input
              id="merge-into"
              inputMode="numeric"
              autoComplete="off"
              value={into}
              aria-describedby="merge-into-hint"
              onChange={(e) => {
                setInto(e.target.value);
                setConfirming(false);
              }}
            />
            <button type="submit" className="button button--small button--secondary" disabled={busy}>
              {confirming ? "Да, объединить" : "Объединить…"}
            </button>
          </div>
          <p className="field__hint" id="merge-into-hint" aria-live="polite">
            {confirming
              ? `Сообщения и файлы перейдут в обращение № ${displayRequestNumber(digitsOf(into))}, а это закроется. Заявителю придёт одно уведомление. Нажмите «Да, объединить».`
              : "Для дублей: переписка перейдёт в указанное обращение, это закроется."}
          </p>
        </form>
      )}
      {applicantLines.length > 0 && (
        <form className="inline-form" onSubmit={split}>
          <label htmlFor="split-message">Выделить в новое обращение</label>
          <select id="split-message" value={messageId} onChange={(e) => setMessageId(e.target.value)}>
            <option value="">Выберите, что написал заявитель</option>
            {applicantLines.map((m) => (
              <option key={m.id} value={m.id}>
                {m.body.length > 80 ? `${m.body.slice(0, 80)}…` : m.body}
              </option>
            ))}
          </select>
          <button type="submit" className="button button--small button--secondary" disabled={busy || !messageId}>
            Выделить
          </button>
        </form>
      )}
      {created && (
        <p role="status">
          Новое обращение: <Link to={`/console/requests/${created}`}>№ {displayRequestNumber(created)}</Link>
        </p>
      )}
    </section>
  );
}
