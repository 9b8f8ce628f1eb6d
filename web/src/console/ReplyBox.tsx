// The operator's reply box under the conversation: an answer the applicant sees, or an internal note. Articles and
// templates from the knowledge-base panel are put into it; a macro answers and changes the request in one action.
import { type FormEvent, useState } from "react";
import { $api, api, errorText, ok } from "../api/client.ts";
import { PickAndRun } from "../controls/PickAndRun.tsx";
import { useReplyInsert } from "../kb/insert.ts";

export function ReplyBox({
  number,
  onSent,
  setNotice,
}: {
  number: string;
  onSent: () => Promise<void>;
  setNotice: (s: string) => void;
}) {
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  useReplyInsert((text) => {
    setBody((b) => (b.trim() ? `${b.trimEnd()}\n\n${text}` : text));
    setError(null);
  });

  const send = async (visibility: "public" | "note") => {
    if (!body.trim()) {
      setError("Напишите текст.");
      return;
    }
    setSending(true);
    setError(null);
    try {
      await api.POST("/api/v1/requests/{number}/messages", {
        params: { path: { number } },
        body: { body, visibility },
      });
      setBody("");
      setNotice(visibility === "public" ? "Ответ отправлен заявителю" : "Заметка сохранена");
      await onSent();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send("public");
  };

  return (
    <form className="reply-box" onSubmit={submit} noValidate>
      <Macros number={number} onApplied={onSent} setNotice={setNotice} />
      <div className={`field${error ? " field--error" : ""}`}>
        <label htmlFor="reply-body">Сообщение</label>
        <textarea
          id="reply-body"
          data-shortcut="reply-body"
          rows={5}
          maxLength={20_000}
          value={body}
          onChange={(e) => {
            setBody(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "reply-body-error reply-body-hint" : "reply-body-hint"}
        />
        <p className="field__hint" id="reply-body-hint">
          Ответ увидит заявитель; внутреннюю заметку — только сотрудники.
        </p>
        {error && (
          <p className="field__error" id="reply-body-error">
            {error}
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={sending} data-shortcut="send-public">
          Ответить заявителю
        </button>
        <button
          type="button"
          className="button button--note"
          disabled={sending}
          data-shortcut="send-note"
          onClick={() => void send("note")}
        >
          Внутренняя заметка
        </button>
      </div>
    </form>
  );
}

/** The macros staff keep: one applied answers by its template and sets status, category and assignee at once. */
function Macros({
  number,
  onApplied,
  setNotice,
}: {
  number: string;
  onApplied: () => Promise<void>;
  setNotice: (s: string) => void;
}) {
  const list = $api.useQuery("get", "/api/v1/kb/macros").data ?? [];
  return (
    <PickAndRun
      label="Макрос"
      hint="Ответ по шаблону, статус, категория и исполнитель — одним действием."
      action="Применить макрос"
      items={list}
      run={async (m) => {
        await ok(api.POST("/api/v1/requests/{number}/macros/{id}", { params: { path: { number, id: m.id } } }));
        setNotice(`Макрос «${m.title}» применён`);
        await onApplied();
      }}
    />
  );
}
