// The applicant's contacts, masked until an employee reveals them with a reason (recorded in the audit log).
import { type FormEvent, useState } from "react";
import { ApiError, api, ok } from "../api/client.ts";
import { PhoneLink } from "../Linkified.tsx";

type Contact = { name: string | null; email: string | null; phone: string | null };

export function ContactCard({ number, contact, extra }: { number: string; contact: Contact; extra: React.ReactNode }) {
  const [shown, setShown] = useState<Contact | null>(null);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const c = shown ?? contact;
  const masked = !shown && Boolean(contact.email || contact.phone);

  async function reveal(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setShown(
        await ok(api.POST("/api/v1/requests/{number}/reveal", { params: { path: { number } }, body: { reason } })),
      );
      setAsking(false);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Не удалось показать контакты.");
    }
  }

  return (
    <section className="card" aria-labelledby="contact-title">
      <h2 id="contact-title" className="card__title">
        Заявитель
      </h2>
      <dl className="facts">
        <dt>Имя</dt>
        <dd>{c.name ?? "не указано"}</dd>
        <dt>Почта</dt>
        <dd>{c.email ? shown ? <a href={`mailto:${c.email}`}>{c.email}</a> : c.email : "не указана"}</dd>
        <dt>Телефон</dt>
        <dd>{c.phone ? shown ? <PhoneLink phone={c.phone} /> : c.phone : "не указан"}</dd>
        {extra}
      </dl>
      {masked && !asking && (
        <button type="button" className="button button--secondary" onClick={() => setAsking(true)}>
          Показать контакты
        </button>
      )}
      {asking && (
        <form onSubmit={reveal} className="reveal-form">
          <label htmlFor="reveal-reason">Зачем нужны контакты (записывается в журнал доступа)</label>
          <input
            id="reveal-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={3}
            required
            placeholder="Например: перезвонить заявителю"
          />
          {error && (
            <p role="alert" className="field-error">
              {error}
            </p>
          )}
          <button type="submit" className="button">
            Показать
          </button>
        </form>
      )}
    </section>
  );
}
