// The SLA card of one request: due times, the pause while waiting for the applicant, escalation steps taken,
// the re-check date, and the hand-taken actions (ask the applicant, return to the first line).
import { type FormEvent, useEffect, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import { formatDateTime, MOSCOW_LABEL } from "../format.ts";
import { useRefreshRequest } from "./requestQueries.ts";
import { useConsole } from "./session.ts";

// GET /api/v1/requests/{number}/sla leaves its response schema open: these are the fields the card reads.
type Clock = {
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  pausedSince: string | null;
  pausedMinutes: number;
  firstResponseLevel: number;
  resolutionLevel: number;
  recheckAt: string | null;
  policy: { firstResponse: { minutes: number; basis: string }; resolution: { minutes: number; basis: string } };
};

const target = (t: { minutes: number; basis: string }) => {
  const h = t.minutes / 60;
  const amount =
    t.minutes === 0
      ? "сразу"
      : t.minutes < 60
        ? `${t.minutes}\u00a0мин`
        : t.basis === "calendar" && t.minutes % 1440 === 0
          ? `${t.minutes / 1440}\u00a0дн.`
          : `${Number(h.toFixed(1)).toLocaleString("ru-RU")}\u00a0ч`;
  return t.minutes === 0 ? amount : `${amount} ${t.basis === "working" ? "рабочего времени" : "календарных"}`;
};

export function SlaPanel({
  number,
  status,
  department,
  onChanged,
}: {
  number: string;
  status: string;
  department: string | null;
  onChanged: () => void;
}) {
  const { user } = useConsole();
  // Read again with the rest of the request whenever it changes.
  const read = $api.useQuery("get", "/api/v1/requests/{number}/sla", { params: { path: { number } } });
  const clock = (read.data as Clock | undefined) ?? null;
  const refresh = useRefreshRequest(number);
  const [error, setError] = useState<string | null>(null);
  const [question, setQuestion] = useState("");
  const [reason, setReason] = useState("");
  const [date, setDate] = useState("");
  const [busy, setBusy] = useState(false);
  const recheckAt = clock?.recheckAt ?? null;
  useEffect(() => setDate(recheckAt ? recheckAt.slice(0, 10) : ""), [recheckAt]);
  const shownError = error ?? failureOf(read)?.message ?? null;

  const run = async (e: FormEvent | null, fn: () => Promise<unknown>, after?: () => void) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fn();
      after?.();
      await refresh();
      onChanged();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const closed = status === "closed";
  const canReturn = user.role !== "operator" && department !== null && department !== "first_line";

  return (
    <section className="card" aria-labelledby="sla-title">
      <h2 id="sla-title" className="card__title">
        Сроки
      </h2>
      {shownError && (
        <p className="alert alert--error" role="alert">
          {shownError}
        </p>
      )}
      {clock && <p className="muted">Сроки — {MOSCOW_LABEL}.</p>}
      {clock && (
        <dl className="facts">
          <dt>Первый ответ</dt>
          <dd>
            {clock.firstRespondedAt
              ? `дан ${formatDateTime(clock.firstRespondedAt)}`
              : clock.firstResponseDueAt
                ? `до ${formatDateTime(clock.firstResponseDueAt)}`
                : "—"}{" "}
            <span className="muted">({target(clock.policy.firstResponse)})</span>
          </dd>
          <dt>Решение</dt>
          <dd>
            {clock.resolutionDueAt ? `до ${formatDateTime(clock.resolutionDueAt)}` : "—"}{" "}
            <span className="muted">({target(clock.policy.resolution)})</span>
          </dd>
          {clock.pausedSince && (
            <>
              <dt>Часы стоят</dt>
              <dd>с {formatDateTime(clock.pausedSince)}: ждём ответа заявителя</dd>
            </>
          )}
          {clock.pausedMinutes > 0 && (
            <>
              <dt>Ожидание заявителя</dt>
              <dd>{clock.pausedMinutes} мин не засчитано в срок</dd>
            </>
          )}
          {clock.firstResponseLevel + clock.resolutionLevel > 0 && (
            <>
              <dt>Эскалации</dt>
              <dd>шагов: {clock.firstResponseLevel + clock.resolutionLevel}</dd>
            </>
          )}
        </dl>
      )}
      {!closed && (
        <>
          <form
            className="form"
            onSubmit={(e) =>
              void run(e, () =>
                api.PUT("/api/v1/requests/{number}/recheck", {
                  params: { path: { number } },
                  body: { date: date || null },
                }),
              )
            }
          >
            <div className="field">
              <label htmlFor="sla-recheck">Контрольный срок повторной проверки</label>
              <input id="sla-recheck" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
            </div>
            <button type="submit" className="button button--small button--secondary" disabled={busy}>
              {date ? "Назначить" : "Снять"}
            </button>
          </form>
          <form
            className="form"
            onSubmit={(e) =>
              void run(
                e,
                () =>
                  api.POST("/api/v1/requests/{number}/ask", {
                    params: { path: { number } },
                    body: { question: question.trim() },
                  }),
                () => setQuestion(""),
              )
            }
          >
            <div className="field">
              <label htmlFor="sla-ask">Запросить у заявителя</label>
              <textarea
                id="sla-ask"
                rows={2}
                value={question}
                onChange={(e) => setQuestion(e.target.value)}
                placeholder="Что нужно уточнить (отсчёт сроков остановится до ответа)"
              />
            </div>
            <button
              type="submit"
              className="button button--small button--secondary"
              disabled={busy || !question.trim()}
            >
              Отправить вопрос
            </button>
          </form>
          {canReturn && (
            <form
              className="form"
              onSubmit={(e) =>
                void run(
                  e,
                  () =>
                    api.POST("/api/v1/requests/{number}/return", {
                      params: { path: { number } },
                      body: { reason: reason.trim() },
                    }),
                  () => setReason(""),
                )
              }
            >
              <div className="field">
                <label htmlFor="sla-return">Вернуть на первую линию — причина</label>
                <input id="sla-return" type="text" value={reason} onChange={(e) => setReason(e.target.value)} />
              </div>
              <button
                type="submit"
                className="button button--small button--secondary"
                disabled={busy || !reason.trim()}
              >
                Вернуть на первую линию
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
