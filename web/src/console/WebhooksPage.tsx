// Outgoing webhooks (administrators): the subscriptions with their state, a new one (its secret shown once), pause,
// resume, delete, and the delivery log of one subscription with the receiver's last answers.
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import type { BodyOf, ResponseOf } from "../api/types.ts";
import { FilterBar } from "../controls/FilterBar.tsx";
import { optionsOf, Select } from "../controls/Select.tsx";
import { count, formatDateTime, WORDS } from "../format.ts";
import { useTitle } from "../router.tsx";

type Subscription = ResponseOf<"/api/v1/admin/webhooks">[number];
type Delivery = ResponseOf<"/api/v1/admin/webhooks/{id}/deliveries">[number];
type EventType = BodyOf<"/api/v1/admin/webhooks", "post">["events"][number];

const EVENT_TITLES: Record<EventType, string> = {
  "request.created": "обращение зарегистрировано",
  "request.status_changed": "статус обращения изменился",
  "request.replied": "ответ заявителю",
  "request.escalated": "обращение передано в другой отдел",
  "request.resolved": "обращение решено",
  "request.rated": "заявитель оценил работу",
  "incident.declared": "объявлен сбой",
  "incident.resolved": "сбой устранён",
  "call.missed": "пропущенный звонок",
};

const STATE_TITLES: Record<Subscription["status"], string> = {
  active: "работает",
  paused: "приостановлена",
  disabled: "остановлена после сбоев",
};

const DELIVERY_TITLES: Record<Delivery["status"], string> = {
  pending: "ждёт отправки",
  delivered: "доставлено",
  failed: "не доставлено",
};

const ERROR_TITLES: Record<string, string> = {
  timeout: "нет ответа за 5 с",
  connection_refused: "соединение отклонено",
  connection_reset: "соединение оборвано",
  tls_failed: "ошибка TLS",
  connect_failed: "не удалось соединиться",
  address_refused: "адрес ведёт во внутреннюю сеть",
  host_unresolved: "имя не находится в DNS",
};

const ALL_EVENTS = Object.keys(EVENT_TITLES) as EventType[];

export function WebhooksPage() {
  useTitle("Вебхуки — консоль");
  const queries = useQueryClient();
  const list = $api.useQuery("get", "/api/v1/admin/webhooks");
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(list)?.message ?? null;
  const [notice, setNotice] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<EventType[]>(["request.created", "request.status_changed"]);
  const [personal, setPersonal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<number | null>(null);

  const reload = () =>
    queries.invalidateQueries({
      predicate: ({ queryKey }) => String(queryKey[1]).startsWith("/api/v1/admin/webhooks"),
    });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const made = await ok(
        api.POST("/api/v1/admin/webhooks", { body: { url: url.trim(), events, includePersonalData: personal } }),
      );
      setSecret(made.secret);
      setShown(made.id);
      setUrl("");
      await reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const act = async (s: Subscription, what: "pause" | "resume" | "delete") => {
    if (what === "delete" && !window.confirm(`Удалить подписку ${s.url} вместе с её журналом доставок?`)) return;
    setError(null);
    setNotice(null);
    const where = { params: { path: { id: s.id } } };
    try {
      if (what === "pause") await api.POST("/api/v1/admin/webhooks/{id}/pause", where);
      else if (what === "resume") await api.POST("/api/v1/admin/webhooks/{id}/resume", where);
      else await api.DELETE("/api/v1/admin/webhooks/{id}", where);
      setNotice(
        what === "pause"
          ? "Подписка приостановлена."
          : what === "resume"
            ? "Подписка снова работает."
            : "Подписка удалена.",
      );
      if (what === "delete" && shown === s.id) setShown(null);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const subs = list.data ?? null;
  return (
    <div>
      <h1>Вебхуки</h1>
      <p className="muted">
        Otklik отправляет события по обращениям, сбоям и звонкам на адреса других систем. Каждое событие подписано
        заголовком <code>X-Otklik-Signature</code>; как его проверить, сказано в документации (docs/WEBHOOKS.md).
      </p>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p className="alert" role="status">
          {notice}
        </p>
      )}
      {secret && (
        <div className="alert" role="status">
          <p>Секрет подписи — скопируйте его сейчас, второй раз он показан не будет:</p>
          <p>
            <code style={{ wordBreak: "break-all" }}>{secret}</code>
          </p>
          <button type="button" className="button button--small button--ghost" onClick={() => setSecret(null)}>
            Скопировал, скрыть
          </button>
        </div>
      )}
      {subs === null ? (
        <p className="loading">Загрузка…</p>
      ) : subs.length === 0 ? (
        <p className="empty">Подписок нет.</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">Адрес</th>
              <th scope="col">События</th>
              <th scope="col">Состояние</th>
              <th scope="col">Очередь</th>
              <th scope="col">Действия</th>
            </tr>
          </thead>
          <tbody>
            {subs.map((s) => (
              <tr key={s.id} data-webhook={s.id}>
                <td data-label="Адрес">
                  <code style={{ wordBreak: "break-all" }}>{s.url}</code>
                  {s.includePersonalData && <div className="muted">с контактами заявителя</div>}
                </td>
                <td data-label="События">{s.events.map((e) => EVENT_TITLES[e as EventType] ?? e).join(", ")}</td>
                <td data-label="Состояние">
                  {STATE_TITLES[s.status]}
                  {s.disabledAt && <div className="muted">с {formatDateTime(s.disabledAt)}</div>}
                </td>
                <td data-label="Очередь">
                  {s.pending > 0 ? count(s.pending, ...WORDS.deliveryWaiting) : "пусто"}
                  {s.failed > 0 && <div className="muted">{count(s.failed, ...WORDS.deliveryFailed)}</div>}
                  {s.lastDeliveredAt && (
                    <div className="muted">последняя доставка {formatDateTime(s.lastDeliveredAt)}</div>
                  )}
                </td>
                <td data-label="Действия" className="nowrap">
                  <button type="button" className="button button--small button--ghost" onClick={() => setShown(s.id)}>
                    Журнал
                  </button>{" "}
                  {s.status === "active" ? (
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      onClick={() => void act(s, "pause")}
                    >
                      Приостановить
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      onClick={() => void act(s, "resume")}
                    >
                      Возобновить
                    </button>
                  )}{" "}
                  <button
                    type="button"
                    className="button button--small button--ghost"
                    aria-label={`Удалить подписку ${s.url}`}
                    onClick={() => void act(s, "delete")}
                  >
                    Удалить
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {subs && subs.length > 0 && (
        <DeliveryLog subs={subs} shown={shown ?? subs[0]!.id} onShow={(id) => setShown(id)} />
      )}

      <form className="form card" onSubmit={create} noValidate>
        <h2 className="card__title">Новая подписка</h2>
        <div className="field">
          <label htmlFor="webhook-url">Адрес получателя</label>
          <input
            id="webhook-url"
            type="url"
            value={url}
            maxLength={2000}
            placeholder="https://crm.example.ru/hooks/otklik"
            onChange={(e) => setUrl(e.target.value)}
          />
          <span className="field__hint">
            Только https; адреса внутренней сети принимаются, если их разрешил администратор сервера.
          </span>
        </div>
        <fieldset className="fieldset">
          <legend>События</legend>
          {ALL_EVENTS.map((code) => (
            <label key={code} className="checkbox">
              <input
                type="checkbox"
                checked={events.includes(code)}
                onChange={(e) => setEvents(e.target.checked ? [...events, code] : events.filter((x) => x !== code))}
              />{" "}
              {EVENT_TITLES[code]} <code className="muted">{code}</code>
            </label>
          ))}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={personal} onChange={(e) => setPersonal(e.target.checked)} /> Передавать
          контакты и тексты заявителя (каждая такая доставка записывается в журнал аудита)
        </label>
        <div className="form__actions">
          <button type="submit" className="button" disabled={busy || !url.trim() || events.length === 0}>
            Подписать
          </button>
        </div>
      </form>
    </div>
  );
}

function DeliveryLog({ subs, shown, onShow }: { subs: Subscription[]; shown: number; onShow: (id: number) => void }) {
  const [status, setStatus] = useState("");
  const log = $api.useQuery("get", "/api/v1/admin/webhooks/{id}/deliveries", {
    params: { path: { id: shown }, query: { limit: 100 } },
  });
  const rows = (log.data ?? []).filter((d) => !status || d.status === status);
  return (
    <section className="card">
      <h2 className="card__title">Журнал доставок</h2>
      <FilterBar label="Какие доставки показать">
        <Select
          id="webhook-log-subscription"
          label="Подписка"
          value={shown}
          onChange={(v) => onShow(Number(v))}
          options={subs.map((s) => ({ value: String(s.id), label: s.url }))}
        />
        <Select
          id="webhook-log-status"
          label="Состояние"
          value={status}
          onChange={setStatus}
          empty="все"
          options={optionsOf(DELIVERY_TITLES)}
        />
        <button type="button" className="button button--small button--ghost" onClick={() => void log.refetch()}>
          Обновить
        </button>
      </FilterBar>
      {failureOf(log) && (
        <p className="alert alert--error" role="alert">
          {failureOf(log)!.message}
        </p>
      )}
      {log.isPending ? (
        <p className="loading">Загрузка…</p>
      ) : rows.length === 0 ? (
        <p className="empty">Доставок нет.</p>
      ) : (
        <table className="queue-table">
          <thead>
            <tr>
              <th scope="col">Событие</th>
              <th scope="col">Состояние</th>
              <th scope="col">Последний ответ</th>
              <th scope="col">Начало ответа</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} data-delivery={d.deliveryId}>
                <td data-label="Событие">
                  {EVENT_TITLES[d.type as EventType] ?? d.type}
                  <div className="muted">{formatDateTime(d.createdAt)}</div>
                  <div className="muted">
                    <code>{d.deliveryId}</code>
                  </div>
                </td>
                <td data-label="Состояние">
                  {DELIVERY_TITLES[d.status]}
                  <div className="muted">{count(d.attempts, ...WORDS.attempt)}</div>
                  {d.status === "pending" && d.attempts > 0 && (
                    <div className="muted">повтор {formatDateTime(d.nextAttemptAt)}</div>
                  )}
                </td>
                <td data-label="Последний ответ" className="nowrap">
                  {d.lastStatus !== null
                    ? `HTTP ${d.lastStatus}`
                    : d.lastError
                      ? (ERROR_TITLES[d.lastError] ?? d.lastError)
                      : "—"}
                  {d.lastDurationMs !== null && <div className="muted">{d.lastDurationMs} мс</div>}
                </td>
                <td data-label="Начало ответа">
                  {d.lastResponse ? <code style={{ wordBreak: "break-all" }}>{d.lastResponse}</code> : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
