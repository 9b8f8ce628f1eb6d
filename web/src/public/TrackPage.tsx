// The applicant's page for one request: status, due time, the conversation, reply and rating; live.
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, errorText } from "../api.ts";
import { type Attachment, Conversation } from "../Conversation.tsx";
import { dueRelative, formatLongDateTime } from "../format.ts";
import { STATUS_EXPLANATIONS, STATUS_TITLES } from "../labels.ts";
import { useLiveUpdates, useNow } from "../live.ts";
import { Link, useTitle } from "../router.tsx";
import { groupDigits } from "./SuccessScreen.tsx";

type TrackingView = {
  number: string;
  subject: string;
  category: string | null;
  status: string;
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
  canReply: boolean;
  canRate: boolean;
  open: boolean;
  rating: { score: number; comment: string | null } | null;
  messages: {
    id: number;
    from: "applicant" | "support";
    authorName: string | null;
    body: string;
    createdAt: string;
    attachments: Attachment[];
  }[];
};

export function TrackPage({ token }: { token: string }) {
  const [view, setView] = useState<TrackingView | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [announce, setAnnounce] = useState("");
  // A new answer while the tab is in the background shows in its title until the applicant looks.
  const [unseen, setUnseen] = useState(false);
  const lastCount = useRef<number | null>(null);
  const now = useNow();
  useTitle(
    view
      ? `${unseen ? "Новый ответ · " : ""}Обращение № ${view.number} — Служба поддержки`
      : "Обращение — Служба поддержки",
  );
  useEffect(() => {
    const seen = () => {
      if (document.visibilityState === "visible") setUnseen(false);
    };
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, []);

  const load = useCallback(async () => {
    try {
      const v = await api<TrackingView>(`/track/${encodeURIComponent(token)}`);
      if (lastCount.current !== null && v.messages.length > lastCount.current) {
        const last = v.messages[v.messages.length - 1];
        if (last?.from === "support") {
          setAnnounce("Пришёл новый ответ службы поддержки.");
          if (document.visibilityState === "hidden") setUnseen(true);
        }
      }
      lastCount.current = v.messages.length;
      setView(v);
      setLoadError(null);
    } catch (e) {
      if (e instanceof ApiError) setLoadError(e);
    }
  }, [token]);

  useEffect(() => {
    void load();
  }, [load]);
  const live = useLiveUpdates(view ? `/api/v1/track/${encodeURIComponent(token)}/events` : null, load);

  if (loadError && !view) {
    return (
      <section className="narrow">
        <h1>Обращение не найдено</h1>
        <p>
          {loadError.status === 404
            ? "Проверьте ссылку: возможно, она скопирована не полностью. Ссылка приходит после отправки обращения и в письме с его номером."
            : loadError.message}
        </p>
        <p>
          <Link to="/" className="button button--secondary">
            На главную
          </Link>
        </p>
      </section>
    );
  }
  if (!view) return <p className="loading">Загружаем обращение…</p>;

  // While we wait for the applicant the clock is stopped, so no deadline is promised.
  const due = view.dueAt && view.open && view.status !== "waiting" ? dueRelative(view.dueAt, now) : null;
  return (
    <section className="narrow track">
      <p className="breadcrumbs">
        <Link to="/">Служба поддержки</Link> / обращение
      </p>
      <h1>
        Обращение № <span className="nowrap">{groupDigits(view.number)}</span>
      </h1>
      <p className="muted">{view.subject}</p>

      <div className={`status-card status-card--${view.status}`} aria-live="polite">
        <p className="status-card__label">Статус</p>
        <p className="status-card__title" data-status={view.status}>
          {STATUS_TITLES[view.status] ?? view.status}
        </p>
        <p>{STATUS_EXPLANATIONS[view.status]}</p>
        {due && view.dueAt && (
          <p className="status-card__due">
            {due.overdue ? (
              <>
                Срок ответа был <time dateTime={view.dueAt}>{formatLongDateTime(view.dueAt)}</time>. Просим прощения за
                задержку — ответ уже готовится.
              </>
            ) : (
              <>
                Ответим не позже <time dateTime={view.dueAt}>{formatLongDateTime(view.dueAt)}</time> ({due.text}).
              </>
            )}
          </p>
        )}
      </div>
      <p className="live-state" data-live={live}>
        {live === "live"
          ? "Страница обновляется сама, когда приходит ответ."
          : live === "offline"
            ? "Нет связи с сервером: переподключаемся…"
            : "Подключаемся…"}
      </p>
      <div className="visually-hidden" role="status">
        {announce}
      </div>

      <h2>Переписка</h2>
      <Conversation
        label="Переписка по обращению"
        items={view.messages.map((m) => ({
          id: m.id,
          kind: m.from,
          author: m.from === "applicant" ? "Вы" : `${m.authorName ?? "Служба поддержки"}, служба поддержки`,
          body: m.body,
          createdAt: m.createdAt,
          attachments: m.attachments,
        }))}
        attachmentHref={(a) => `/api/v1/track/${encodeURIComponent(token)}/attachments/${a.id}`}
      />

      {(view.rating || view.canRate) && (
        <Rating token={token} rating={view.rating} canRate={view.canRate} onDone={load} />
      )}
      {view.canReply && <ReplyForm token={token} resolved={view.status === "resolved"} onSent={load} />}
      {view.status === "closed" && (
        <p className="actions">
          <Link to="/new" className="button">
            Написать новое обращение
          </Link>
        </p>
      )}
    </section>
  );
}

function ReplyForm({ token, resolved, onSent }: { token: string; resolved: boolean; onSent: () => Promise<void> }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setError("Напишите текст сообщения.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await api(`/track/${encodeURIComponent(token)}/messages`, { body: { text } });
      setText("");
      setSent(true);
      await onSent();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <h2 className="panel__title">{resolved ? "Вопрос не решён?" : "Написать в службу поддержки"}</h2>
      <div className={`field${error ? " field--error" : ""}`}>
        <label htmlFor="reply-text">{resolved ? "Напишите, что осталось нерешённым" : "Ваше сообщение"}</label>
        <textarea
          id="reply-text"
          rows={4}
          value={text}
          maxLength={20_000}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
            setSent(false);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "reply-error" : undefined}
        />
        {error && (
          <p className="field__error" id="reply-error">
            {error}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={sending}>
          {sending ? "Отправляем…" : "Отправить"}
        </button>
        <span role="status" className="copy-status">
          {sent ? "Сообщение отправлено" : ""}
        </span>
      </div>
    </form>
  );
}

const SCORE_WORDS = ["", "Очень плохо", "Плохо", "Средне", "Хорошо", "Отлично"];

type Given = { score: number; comment: string | null };

/** The rating given, with an explicit «Изменить оценку»; or the form for the first one. */
function Rating({
  token,
  rating,
  canRate,
  onDone,
}: {
  token: string;
  rating: Given | null;
  canRate: boolean;
  onDone: () => Promise<void>;
}) {
  const [changing, setChanging] = useState(false);
  if (rating && !changing) {
    return <RatingShown rating={rating} onChange={canRate ? () => setChanging(true) : undefined} />;
  }
  return (
    <RatingForm
      token={token}
      current={rating}
      onCancel={rating ? () => setChanging(false) : undefined}
      onDone={async () => {
        await onDone();
        setChanging(false);
      }}
    />
  );
}

function RatingForm({
  token,
  current,
  onCancel,
  onDone,
}: {
  token: string;
  /** The rating being changed: the form starts from it and sends PUT. */
  current: Given | null;
  onCancel: (() => void) | undefined;
  onDone: () => Promise<void>;
}) {
  const [score, setScore] = useState(current?.score ?? 0);
  const [comment, setComment] = useState(current?.comment ?? "");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!score) {
      setError("Выберите оценку от 1 до 5.");
      return;
    }
    setSending(true);
    try {
      await api(`/track/${encodeURIComponent(token)}/rating`, {
        method: current ? "PUT" : "POST",
        body: { score, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      });
      await onDone();
    } catch (err) {
      // Rated meanwhile (another tab): show the rating that stands, with its own «Изменить оценку».
      if (err instanceof ApiError && err.code === "already_rated") await onDone();
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="panel panel--accent" onSubmit={submit} noValidate>
      <h2 className="panel__title">{current ? "Изменить оценку" : "Оцените, как мы помогли"}</h2>
      <fieldset className="fieldset fieldset--plain">
        <legend>Оценка от 1 до 5</legend>
        <div className="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="star">
              <input
                type="radio"
                name="score"
                value={n}
                checked={score === n}
                onChange={() => {
                  setScore(n);
                  setError(null);
                }}
              />
              <span className="star__box">{n}</span>
              <span className="star__word">{SCORE_WORDS[n]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="rating-comment">
          Комментарий <span className="optional">(необязательно)</span>
        </label>
        <textarea
          id="rating-comment"
          rows={3}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button" disabled={sending}>
          {current ? "Сохранить новую оценку" : "Отправить оценку"}
        </button>
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            Отмена
          </button>
        )}
      </div>
    </form>
  );
}

function RatingShown({ rating, onChange }: { rating: Given; onChange: (() => void) | undefined }) {
  return (
    <div className="panel panel--accent rating-shown">
      <h2 className="panel__title">Спасибо за оценку!</h2>
      <p>
        Ваша оценка:{" "}
        <strong data-score={rating.score}>
          {rating.score} из 5 — {SCORE_WORDS[rating.score]}
        </strong>
      </p>
      {rating.comment && <p className="rating-shown__comment">{rating.comment}</p>}
      {onChange && (
        <button type="button" className="button button--secondary" onClick={onChange}>
          Изменить оценку
        </button>
      )}
    </div>
  );
}
