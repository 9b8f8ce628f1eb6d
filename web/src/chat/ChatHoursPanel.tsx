// The administrator's setting of the chat operators' hours: the widget and the chatbot follow it at once.
import { type FormEvent, useEffect, useState } from "react";
import { $api, api, errorText } from "../api/client.ts";

type Days = "working" | "all";

export function ChatHoursPanel() {
  const read = $api.useQuery("get", "/api/v1/admin/chat/hours");
  const [form, setForm] = useState<{ days: Days; from: string; to: string } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (read.data && !form) setForm({ days: read.data.days as Days, from: read.data.from, to: read.data.to });
  }, [read.data, form]);
  if (!form) return null;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setMessage(null);
    try {
      const { data } = await api.PUT("/api/v1/admin/chat/hours", { body: form });
      setMessage({ ok: true, text: `Сохранено: операторы чата работают ${data?.text ?? ""}.` });
      void read.refetch();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card chat-hours" aria-labelledby="chat-hours-title">
      <h2 id="chat-hours-title" className="card__title">
        Часы работы операторов чата
      </h2>
      <form onSubmit={save} className="chat-hours__form">
        <fieldset className="fieldset">
          <legend>Дни</legend>
          {(
            [
              ["working", "Рабочие дни производственного календаря"],
              ["all", "Ежедневно"],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name="chat-hours-days"
                value={value}
                checked={form.days === value}
                onChange={() => setForm({ ...form, days: value })}
              />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="chat-hours-from">С (по московскому времени)</label>
          <input
            id="chat-hours-from"
            type="time"
            value={form.from}
            onChange={(e) => setForm({ ...form, from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="chat-hours-to">До (по московскому времени)</label>
          <input
            id="chat-hours-to"
            type="time"
            value={form.to}
            onChange={(e) => setForm({ ...form, to: e.target.value })}
          />
        </div>
        <div className="actions">
          <button type="submit" className="button" disabled={saving}>
            {saving ? "Сохраняем…" : "Сохранить"}
          </button>
        </div>
        <p role="status" className={message && !message.ok ? "field__error" : "muted"}>
          {message?.text ?? ""}
        </p>
      </form>
    </section>
  );
}
