import { type FormEvent, useState } from "react";
import { isValidRequestNumber, normalizeRequestNumber } from "../../../src/requests/number.ts";
import { api, errorText } from "../api/client.ts";

/** What the applicant reads after sending, whatever the server found: it never says whether anything matched. */
export const LOOKUP_SENT =
  "Если номер и контакт совпадают с указанными в обращении, мы отправили ссылку на этот контакт. Письмо или СМС придёт в течение нескольких минут; письмо может оказаться в папке «Спам».";

type Errors = { number?: string; contact?: string; form?: string };

/** The number as typed («1 030 026», «№1030026»): an error to show, or null when it can be sent. */
export function numberProblem(input: string): string | null {
  if (!input.trim()) return "Введите номер обращения.";
  const digits = normalizeRequestNumber(input);
  if (!digits) return "Номер обращения состоит из цифр, например 1 030 026.";
  if (!isValidRequestNumber(digits)) return "В номере ошибка: проверьте цифры, особенно последнюю.";
  return null;
}

export function contactProblem(input: string): string | null {
  const s = input.trim();
  if (!s) return "Укажите почту или телефон из обращения.";
  if (s.includes("@")) return /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(s) ? null : "Проверьте адрес почты.";
  return s.replace(/\D/g, "").length >= 10 ? null : "Проверьте номер телефона: например, +7 912 345-67-89.";
}

/** «Find my request» without the link: number and contact; a fresh link goes to the contact on file. */
export function LookupForm({ initialNumber = "", onSent }: { initialNumber?: string; onSent?: () => void }) {
  const [number, setNumber] = useState(initialNumber);
  const [contact, setContact] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found: Errors = {};
    const n = numberProblem(number);
    const c = contactProblem(contact);
    if (n) found.number = n;
    if (c) found.contact = c;
    setErrors(found);
    if (n || c) return;
    setSending(true);
    try {
      await api.POST("/api/v1/track/lookup", { body: { number: number.trim(), contact: contact.trim() } });
      setSent(true);
      onSent?.();
    } catch (err) {
      setErrors({ form: errorText(err) });
    } finally {
      setSending(false);
    }
  };

  if (sent) {
    return (
      <div className="lookup-sent" role="status">
        <p>{LOOKUP_SENT}</p>
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            setSent(false);
            setContact("");
          }}
        >
          Указать другой контакт
        </button>
      </div>
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="lookup-title">
      <h3 id="lookup-title" className="lookup__title">
        Нет ссылки? Пришлём её заново
      </h3>
      <div className="field">
        <label htmlFor="lookup-number">Номер обращения</label>
        <input
          id="lookup-number"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={number}
          onChange={(e) => {
            setNumber(e.target.value);
            setErrors((x) => ({ ...x, number: undefined, form: undefined }));
          }}
          aria-describedby={errors.number ? "lookup-number-error" : "lookup-number-hint"}
          aria-invalid={errors.number ? true : undefined}
        />
        {errors.number ? (
          <p className="field__error" id="lookup-number-error">
            {errors.number}
          </p>
        ) : (
          <p className="field__hint" id="lookup-number-hint">
            Можно с пробелами и знаком №: 1 030 026.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="lookup-contact">Почта или телефон из обращения</label>
        <input
          id="lookup-contact"
          type="text"
          autoComplete="email"
          value={contact}
          onChange={(e) => {
            setContact(e.target.value);
            setErrors((x) => ({ ...x, contact: undefined, form: undefined }));
          }}
          aria-describedby={errors.contact ? "lookup-contact-error" : undefined}
          aria-invalid={errors.contact ? true : undefined}
        />
        {errors.contact && (
          <p className="field__error" id="lookup-contact-error">
            {errors.contact}
          </p>
        )}
      </div>
      {errors.form && (
        <p className="field__error" role="alert">
          {errors.form}
        </p>
      )}
      <button type="submit" className="button button--secondary" disabled={sending}>
        {sending ? "Отправляем…" : "Прислать ссылку"}
      </button>
    </form>
  );
}
