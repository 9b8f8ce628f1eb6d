// The page behind the link at the foot of each notification: it says what the applicant will keep receiving and asks
// them to confirm, so that a mail program opening the link to check it stops nothing.
import { useState } from "react";
import { $api, api, errorText, failureOf, ok } from "../api/client.ts";
import { Link, useTitle } from "../router.tsx";

const WHAT: Record<"email" | "sms", { by: string; whom: string }> = {
  email: { by: "письма", whom: "на этот адрес" },
  sms: { by: "СМС", whom: "на этот номер" },
};

export function UnsubscribePage({ token }: { token: string }) {
  useTitle("Отказ от уведомлений — Служба поддержки");
  const state = $api.useQuery("get", "/api/v1/notifications/unsubscribe/{token}", {
    params: { path: { token } },
  });
  const [done, setDone] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loadError = failureOf(state);

  if (loadError) {
    return (
      <section className="narrow">
        <h1>Отказ от уведомлений</h1>
        <p role="alert">{loadError.message}</p>
        <p>
          <Link to="/" className="button">
            На главную
          </Link>
        </p>
      </section>
    );
  }
  if (!state.data) return <p className="loading">Загрузка…</p>;
  const what = WHAT[state.data.medium];

  const confirm = async () => {
    setSending(true);
    setError(null);
    try {
      await ok(api.POST("/api/v1/notifications/unsubscribe/{token}", { params: { path: { token } }, body: {} }));
      setDone(true);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="narrow">
      <h1>Отказ от уведомлений</h1>
      {done || state.data.unsubscribed ? (
        <p role="status">
          Готово: {what.whom} будут приходить только {what.by} о регистрации обращения и о его решении. Ответы и новости
          по обращениям видны на их страницах.
        </p>
      ) : (
        <>
          <p>
            Сейчас {what.whom} приходят {what.by} обо всём, что происходит с вашими обращениями: ответы, вопросы
            специалистов, передача в подразделение. Если отказаться, будут приходить только {what.by} о регистрации
            обращения и о его решении.
          </p>
          {error && (
            <p className="field__error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={confirm} disabled={sending}>
              Отказаться от остальных уведомлений
            </button>
          </div>
        </>
      )}
    </section>
  );
}
