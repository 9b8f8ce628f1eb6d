// One request for staff: the conversation with notes, the reply box, status, assignment, category,
// escalation, the contact card and the history. Refreshes itself when the request changes.

import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, errorText } from "../api.ts";
import { type Attachment, type Bubble, Conversation } from "../Conversation.tsx";
import { dueRelative, formatDateTime, formatShort } from "../format.ts";
import { useReplyInsert } from "../kb/insert.ts";
import { KbPanel } from "../kb/KbPanel.tsx";
import { CHANNEL_TITLES, PRIORITY_TITLES, STATUS_ACTIONS, STATUS_TITLES, titleOf } from "../labels.ts";
import { type LiveEvent, useCoalesced, useConsoleFeed, useNow } from "../live.ts";
import { Link, useTitle } from "../router.tsx";
import { ContactCard } from "./ContactCard.tsx";
import { EmailPanel } from "./EmailPanel.tsx";
import { EscalateDialog } from "./EscalateDialog.tsx";
import { actorOf, describeHistory, type HistoryRow } from "./history.ts";
import { currentDue } from "./QueuePage.tsx";
import { SlaPanel } from "./SlaPanel.tsx";
import { useConsole } from "./session.ts";

type Detail = {
  number: string;
  subject: string;
  category: string | null;
  categoryConfidence: number | null;
  categorySource: string | null;
  audience: string;
  region: string | null;
  channel: string;
  priority: string;
  status: string;
  allowedStatuses: string[];
  department: string | null;
  assignee: { id: number; name: string } | null;
  contact: { name: string | null; email: string | null; phone: string | null };
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  rating: number | null;
  ratingComment: string | null;
  createdAt: string;
  messages: {
    id: number;
    visibility: "public" | "note";
    authorType: string;
    authorName: string | null;
    body: string;
    channel: string | null;
    createdAt: string;
    attachments: Attachment[];
  }[];
  history: HistoryRow[];
};

export function RequestPage({ number }: { number: string }) {
  const lists = useConsole();
  const { user, categories, audiences, departments, staff } = lists;
  const [r, setR] = useState<Detail | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const [escalating, setEscalating] = useState(false);
  const now = useNow();
  useTitle(`Обращение ${number} — Консоль поддержки`);

  const seen = useRef<number | null>(null);
  const load = useCallback(async () => {
    try {
      const next = await api<Detail>(`/requests/${encodeURIComponent(number)}`);
      // Someone else's change arriving live is announced, so a screen reader user hears it too.
      const last = next.messages.at(-1);
      if (seen.current !== null && next.messages.length > seen.current && last?.authorType === "applicant") {
        setNotice("Новое сообщение от заявителя");
      }
      seen.current = next.messages.length;
      setR(next);
      setLoadError(null);
    } catch (e) {
      if (e instanceof ApiError) setLoadError(e);
    }
  }, [number]);
  useEffect(() => {
    void load();
  }, [load]);
  const reload = useCoalesced(() => void load(), 500);
  useConsoleFeed("requests", (e?: LiveEvent) => {
    if (!e?.number || e.number === number) reload();
  });

  const act = async (what: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setActionError(null);
    try {
      await what();
      setNotice(done);
      await load();
      return true;
    } catch (err) {
      setActionError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const patch = (body: Record<string, unknown>, done: string) =>
    act(() => api(`/requests/${number}`, { method: "PATCH", body }), done);

  if (loadError && !r) {
    return (
      <div className="request-page">
        <p>
          <Link to="/console">← К очереди</Link>
        </p>
        <h1>Обращение {number}</h1>
        <p className="alert alert--error">{loadError.message}</p>
      </div>
    );
  }
  if (!r) return <p className="loading">Загружаем обращение…</p>;
  if (loadError?.status === 404) {
    // Escalated to another department or reassigned: the request has left this employee's scope.
    return (
      <div className="request-page">
        <h1>Обращение {r.number}</h1>
        <p className="alert" role="status">
          Обращение передано и больше не входит в вашу очередь. Его ведёт другое подразделение или сотрудник.
        </p>
        <p>
          <Link to="/console" className="button">
            К очереди
          </Link>
        </p>
      </div>
    );
  }

  const due = currentDue(r);
  const rel = due ? dueRelative(due, now) : null;
  const bubbles: Bubble[] = r.messages.map((m) => ({
    id: m.id,
    kind: m.visibility === "note" ? "note" : m.authorType === "applicant" ? "applicant" : "support",
    author:
      m.authorType === "applicant"
        ? `${r.contact.name ?? "Заявитель"}${m.channel ? ` · ${CHANNEL_TITLES[m.channel] ?? m.channel}` : ""}`
        : (m.authorName ?? "Система"),
    body: m.body,
    createdAt: m.createdAt,
    attachments: m.attachments,
  }));

  return (
    <div className="request-page">
      <p className="breadcrumbs">
        <Link to="/console">← К очереди</Link>
      </p>
      <div className="request-page__head">
        <h1>
          Обращение <span className="nowrap">{r.number}</span>
        </h1>
        <span className={`badge badge--${r.status}`} data-status={r.status}>
          {STATUS_TITLES[r.status] ?? r.status}
        </span>
        {rel && due && (
          <span className={rel.overdue ? "overdue" : "muted"}>
            Срок: <time dateTime={due}>{formatShort(due)}</time> ({rel.text})
          </span>
        )}
      </div>
      <p className="request-page__subject">{r.subject}</p>
      <p className={notice ? "notice" : "visually-hidden"} role="status">
        {notice}
      </p>

      <div className="request-layout">
        <section className="request-layout__main" aria-labelledby="thread-title">
          <h2 id="thread-title">Переписка</h2>
          <Conversation
            label="Переписка и заметки"
            items={bubbles}
            attachmentHref={(a) => `/api/v1/requests/${r.number}/attachments/${a.id}`}
          />
          {r.status === "closed" ? (
            <p className="muted">Обращение закрыто: ответить в нём нельзя.</p>
          ) : (
            <ReplyBox number={r.number} onSent={load} setNotice={setNotice} />
          )}
        </section>

        <aside className="request-layout__side" aria-label="Действия и сведения">
          {actionError && (
            <p className="alert alert--error" role="alert">
              {actionError}
            </p>
          )}
          <section className="card" aria-labelledby="actions-title">
            <h2 id="actions-title" className="card__title">
              Действия
            </h2>
            {r.allowedStatuses.length > 0 && (
              <fieldset className="status-actions">
                <legend className="visually-hidden">Сменить статус</legend>
                {r.allowedStatuses
                  .filter((s) => s !== "escalated")
                  .map((s) => (
                    <button
                      key={s}
                      type="button"
                      className={`button button--small ${s === "resolved" ? "" : "button--secondary"}`}
                      disabled={busy}
                      onClick={() =>
                        void act(
                          () => api(`/requests/${r.number}/status`, { body: { status: s } }),
                          `Статус: ${STATUS_TITLES[s]}`,
                        )
                      }
                    >
                      {STATUS_ACTIONS[s] ?? STATUS_TITLES[s]}
                    </button>
                  ))}
              </fieldset>
            )}
            {(r.allowedStatuses.includes("escalated") || r.status === "escalated") && (
              <button
                type="button"
                className="button button--small button--secondary"
                onClick={() => setEscalating(true)}
              >
                Передать в подразделение…
              </button>
            )}
            <div className="field">
              <label htmlFor="req-assignee">Исполнитель</label>
              <select
                id="req-assignee"
                value={r.assignee?.id ?? ""}
                disabled={busy}
                onChange={(e) =>
                  void patch({ assigneeId: e.target.value ? Number(e.target.value) : null }, "Исполнитель изменён")
                }
              >
                <option value="">Не назначен</option>
                {staff
                  .filter((s) => s.active || s.id === r.assignee?.id)
                  .map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.id === user.id ? `${s.name} (я)` : s.active ? s.name : `${s.name} (нет доступа)`}
                    </option>
                  ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="req-category">Категория</label>
              <select
                id="req-category"
                value={r.category ?? ""}
                disabled={busy}
                onChange={(e) => e.target.value && void patch({ category: e.target.value }, "Категория исправлена")}
                aria-describedby="req-category-hint"
              >
                {!r.category && <option value="">Не определена</option>}
                {categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.title}
                  </option>
                ))}
              </select>
              <p className="field__hint" id="req-category-hint">
                {r.categorySource === "operator"
                  ? "Исправлена сотрудником."
                  : r.categoryConfidence !== null
                    ? `Определена автоматически, уверенность ${Math.round(r.categoryConfidence * 100)}%. Исправьте, если неверно.`
                    : "Выбрана заявителем."}
              </p>
            </div>
            <div className="field">
              <label htmlFor="req-priority">Приоритет</label>
              <select
                id="req-priority"
                value={r.priority}
                disabled={busy}
                onChange={(e) => void patch({ priority: e.target.value }, "Приоритет изменён")}
              >
                {Object.entries(PRIORITY_TITLES).map(([code, title]) => (
                  <option key={code} value={code}>
                    {title}
                  </option>
                ))}
              </select>
            </div>
          </section>

          <KbPanel
            number={r.number}
            query={r.subject || (r.messages[0]?.body ?? "").slice(0, 300)}
            category={r.category}
          />
          <SlaPanel number={r.number} status={r.status} department={r.department} onChanged={() => void load()} />
          <ContactCard
            number={r.number}
            contact={r.contact}
            extra={
              <>
                <dt>Тип</dt>
                <dd>{titleOf(audiences, r.audience)}</dd>
                <dt>Регион</dt>
                <dd>{r.region ?? "не указан"}</dd>
              </>
            }
          />

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
          </section>

          {r.channel === "email" && <EmailPanel number={r.number} version={r.history.length} />}

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
        </aside>
      </div>

      <EscalateDialog
        number={r.number}
        current={r.department}
        departments={departments}
        open={escalating}
        onClose={() => setEscalating(false)}
        onDone={() => {
          setEscalating(false);
          setNotice("Обращение передано в подразделение");
          void load();
        }}
      />
    </div>
  );
}

function ReplyBox({
  number,
  onSent,
  setNotice,
}: {
  number: string;
  onSent: () => Promise<void>;
  setNotice: (s: string) => void;
}) {
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  useReplyInsert((text) => {
    setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${text}` : text));
    setError(null);
  });

  const send = async (visibility: "public" | "note") => {
    if (!body.trim()) {
      setError("Напишите текст.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await api(`/requests/${number}/messages`, { body: { body, visibility } });
      setBody("");
      setNotice(visibility === "public" ? "Ответ отправлен заявителю" : "Заметка сохранена");
      await onSent();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send("public");
  };

  return (
    <form className="reply-box" onSubmit={submit} noValidate>
      <div className={`field${error ? " field--error" : ""}`}>
        <label htmlFor="reply-body">Сообщение</label>
        <textarea
          id="reply-body"
          rows={5}
          maxLength={20_000}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "reply-body-error reply-body-hint" : "reply-body-hint"}
        />
        <p className="field__hint" id="reply-body-hint">
          Ответ увидит заявитель; внутреннюю заметку — только сотрудники.
        </p>
        {error && (
          <p className="field__error" id="reply-body-error">
            {error}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={sending}>
          Ответить заявителю
        </button>
        <button type="button" className="button button--note" disabled={sending} onClick={() => void send("note")}>
          Внутренняя заметка
        </button>
      </div>
    </form>
  );
}
