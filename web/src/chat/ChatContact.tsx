// The applicant's contacts beside a chat, masked until the employee reveals them with a reason (recorded in the
// audit log), as on the request page.
import { type FormEvent, useState } from "react";
import { ApiError, api, ok } from "../api/client.ts";
import { PhoneLink } from "../Linkified.tsx";

export type Contact = { name: string | null; email: string | null; phone: string | null };

export function ChatContact({ id, contact }: { id: number; contact: Contact }) {
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
        await ok(api.POST("/api/v1/chat/conversations/{id}/reveal", { params: { path: { id } }, body: { reason } })),
      );
      setAsking(false);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : "Не удалось показать контакты.");
    }
  }

  return (
    <>
      <h2>Контакт</h2>
      <p>
        {c.name ?? "—"}
        {c.email && (
          <>
            <br />
            {shown ? <a href={`mailto:${c.email}`}>{c.email}</a> : c.email}
          </>
        )}
        {c.phone && (
          <>
            <br />
            {shown ? <PhoneLink phone={c.phone} /> : c.phone}
          </>
        )}
      </p>
      {masked && !asking && (
        <button type="button" className="button button--secondary button--small" onClick={() => setAsking(true)}>
          Показать
        </button>
      )}
      {asking && (
        <form onSubmit={reveal} className="chat-inbox__reveal">
          <label htmlFor={`reveal-${id}`}>Зачем нужны контакты (записывается в журнал доступа)</label>
          <input
            id={`reveal-${id}`}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            minLength={3}
            required
            placeholder="Например: перезвонить заявителю"
          />
          {error && (
            <p role="alert" className="field__error">
              {error}
            </p>
          )}
          <button type="submit" className="button button--small">
            Показать
          </button>
        </form>
      )}
    </>
  );
}
