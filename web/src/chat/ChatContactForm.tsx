// Before the chat starts: how to reach the applicant if it breaks off, and when operators are there.
import { type FormEvent, useState } from "react";
import { clientFor, errorText, ok } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";
import type { Stored } from "./chatStore.ts";

type Hours = ResponseOf<"/api/v1/chat/hours">;

export function ChatContactForm({
  base,
  hours,
  onStarted,
}: {
  base: string;
  hours: Hours | null;
  onStarted: (s: Stored) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const contact = Object.fromEntries(
      ["name", "email", "phone"].map((k) => [k, String(form.get(k) ?? "").trim()]).filter(([, v]) => v),
    ) as { name?: string; email?: string; phone?: string };
    if (!contact.email && !contact.phone) {
      setError("Укажите почту или телефон: на них придёт ответ, если чат прервётся.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // A form body is a «simple» request: the widget on another site needs no preflight.
      const s = await ok(
        clientFor(base).POST("/api/v1/chat/sessions", {
          body: contact,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
      );
      onStarted({ token: s.token, conversationId: s.conversationId });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="chat__contact" onSubmit={submit} noValidate>
      <p>Сначала ответит чат-бот по статьям справки, затем при необходимости — оператор.</p>
      {hours && (
        <p className="chat__hours">
          Операторы работают {hours.text}.{" "}
          {hours.open
            ? "Сейчас на связи."
            : `${hours.back ? `Вернутся ${hours.back}; а сейчас` : "Сейчас"} можно оставить обращение.`}
        </p>
      )}
      <label>
        Как к вам обращаться
        <input name="name" autoComplete="name" maxLength={200} />
      </label>
      <label>
        Электронная почта
        <input name="email" type="email" autoComplete="email" inputMode="email" />
      </label>
      <label>
        Телефон
        <input name="phone" type="tel" autoComplete="tel" inputMode="tel" placeholder="+7 912 345-67-89" />
      </label>
      <p className="chat__hint">Нужны почта или телефон. Не пишите в чат пароли и коды из СМС.</p>
      {error && (
        <p className="chat__error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="chat__primary" disabled={busy}>
        Начать чат
      </button>
    </form>
  );
}
