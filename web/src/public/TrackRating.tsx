// The applicant's rating of a resolved request: the form for the first one, then the rating given with an explicit
// «Изменить оценку».
import { type FormEvent, useState } from "react";
import { ApiError, api, errorText } from "../api/client.ts";

const SCORE_WORDS = ["", "Очень плохо", "Плохо", "Средне", "Хорошо", "Отлично"];

type Given = { score: number; comment: string | null };

/** The rating given, with an explicit «Изменить оценку»; or the form for the first one. */
export function Rating({
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
      const init = {
        params: { path: { token } },
        body: { score, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      };
      await (current ? api.PUT("/api/v1/track/{token}/rating", init) : api.POST("/api/v1/track/{token}/rating", init));
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
