// The applicant's page for one request: status, due time, the conversation, reply and rating; live.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { $api, failureOf } from "../api/client.ts";
import { Conversation } from "../Conversation.tsx";
import { displayRequestNumber, dueRelative, formatDeadline, MOSCOW_LABEL } from "../format.ts";
import { STATUS_EXPLANATIONS, STATUS_TITLES } from "../labels.ts";
import { useLiveUpdates, useNow } from "../live.ts";
import { Link, useTitle } from "../router.tsx";
import { Rating } from "./TrackRating.tsx";
import { ReplyForm } from "./TrackReply.tsx";

export function TrackPage({ token }: { token: string }) {
  const queries = useQueryClient();
  const tracking = $api.useQuery("get", "/api/v1/track/{token}", { params: { path: { token } } });
  const view = tracking.data;
  const loadError = failureOf(tracking);
  const [announce, setAnnounce] = useState("");
  // A new answer while the tab is in the background shows in its title until the applicant looks.
  const [unseen, setUnseen] = useState(false);
  const lastCount = useRef<number | null>(null);
  const now = useNow();
  useTitle(
    view
      ? `${unseen ? "Новый ответ · " : ""}Обращение № ${displayRequestNumber(view.number)} — Служба поддержки`
      : "Обращение — Служба поддержки",
  );
  useEffect(() => {
    const seen = () => {
      if (document.visibilityState === "visible") setUnseen(false);
    };
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, []);

  // A new answer read live is announced, so a screen reader user hears it too.
  useEffect(() => {
    if (!view) return;
    if (lastCount.current !== null && view.messages.length > lastCount.current) {
      if (view.messages.at(-1)?.from === "support") {
        setAnnounce("Пришёл новый ответ службы поддержки.");
        if (document.visibilityState === "hidden") setUnseen(true);
      }
    }
    lastCount.current = view.messages.length;
  }, [view]);

  const reload = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/track/{token}"] });
  const live = useLiveUpdates(view ? `/api/v1/track/${encodeURIComponent(token)}/events` : null, () => {
    void reload();
  });

  if (loadError && !view) {
    return (
      <section className="narrow">
        <h1>Обращение не найдено</h1>
        <p>
          {/* A cut link is refused by the route's rules (400) before it is looked for (404): the same for the applicant. */}
          {loadError.status === 404 || loadError.status === 400
            ? "Проверьте ссылку: возможно, она скопирована не полностью. Если ссылки нет, на главной странице можно получить новую по номеру обращения и почте или телефону."
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
        Обращение № <span className="nowrap">{displayRequestNumber(view.number)}</span>
      </h1>
      <p className="muted">{view.subject}</p>
      {view.mergedFrom && (
        <p className="alert" role="status">
          Ваше обращение № {displayRequestNumber(view.mergedFrom)} объединено с этим: они об одном и том же вопросе. Вся
          переписка и ответ — здесь.
        </p>
      )}
      {view.mergedInto && (
        <p className="alert" role="status">
          Это обращение объединено с обращением № {displayRequestNumber(view.mergedInto)}: ответ придёт по нему, в
          письме или СМС с его номером.
        </p>
      )}

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
                Срок ответа был <time dateTime={view.dueAt}>{formatDeadline(view.dueAt)}</time>. Просим прощения за
                задержку — ответ уже готовится.
              </>
            ) : (
              <>
                Ответим не позже <time dateTime={view.dueAt}>{formatDeadline(view.dueAt)}</time> — {due.text}.
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
      <p className="muted">Время сообщений — {MOSCOW_LABEL}.</p>
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
        <Rating token={token} rating={view.rating} canRate={view.canRate} onDone={reload} />
      )}
      {view.canReply && <ReplyForm token={token} resolved={view.status === "resolved"} onSent={() => void reload()} />}
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
