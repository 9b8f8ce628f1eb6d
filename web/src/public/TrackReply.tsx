// The applicant's reply on the tracking page: text and, within the server's limits, files. A reply to a resolved
// request opens it again.
import { type FormEvent, useRef, useState } from "react";
import { api, errorText, randomId } from "../api/client.ts";
import { tooLarge, useLimits } from "../api/limits.ts";
import { count, fileSize, WORDS } from "../format.ts";

type Picked = { id: string; file: File };

export function ReplyForm({ token, resolved, onSent }: { token: string; resolved: boolean; onSent: () => void }) {
  const limits = useLimits();
  const [text, setText] = useState("");
  const [files, setFiles] = useState<Picked[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const filesProblem = (picked: Picked[]) => {
    if (!limits) return null;
    const { maxFiles, maxFileBytes } = limits.attachments;
    if (picked.length > maxFiles) return `Можно приложить не больше ${count(maxFiles, ...WORDS.fileGenitive)}.`;
    return tooLarge(
      picked.map((p) => p.file),
      maxFileBytes,
    );
  };

  const addFiles = (list: FileList | null) => {
    if (!list) return;
    const next = [...files, ...Array.from(list, (file) => ({ id: randomId(), file }))];
    setFiles(next);
    setError(filesProblem(next));
    setSent(false);
    if (fileInput.current) fileInput.current.value = "";
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      setError("Напишите текст сообщения.");
      return;
    }
    const problem = filesProblem(files);
    if (problem) return setError(problem);
    setSending(true);
    setError(null);
    try {
      let body: { text: string } | FormData = { text };
      if (files.length > 0) {
        body = new FormData();
        body.append("text", text);
        for (const { file } of files) body.append("files", file, file.name);
      }
      // FormData is the multipart variant of the same body; the browser writes its boundary.
      await api.POST("/api/v1/track/{token}/messages", { params: { path: { token } }, body: body as { text: string } });
      setText("");
      setFiles([]);
      setSent(true);
      onSent();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <h2 className="panel__title">{resolved ? "Вопрос не решён?" : "Написать в службу поддержки"}</h2>
      <div className={`field${error ? " field--error" : ""}`}>
        <label htmlFor="reply-text">{resolved ? "Напишите, что осталось нерешённым" : "Ваше сообщение"}</label>
        <textarea
          id="reply-text"
          rows={4}
          value={text}
          maxLength={20_000}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
            setSent(false);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "reply-error" : undefined}
        />
        {error && (
          <p className="field__error" id="reply-error">
            {error}
          </p>
        )}
      </div>
      <div className="field">
        <p className="field__hint" id="reply-files-hint">
          Можно приложить снимок экрана или документ
          {limits
            ? `: до ${count(limits.attachments.maxFiles, ...WORDS.fileGenitive)} по ${fileSize(limits.attachments.maxFileBytes)}.`
            : "."}
        </p>
        <label className="button button--secondary file-pick">
          <input
            ref={fileInput}
            className="file-input"
            type="file"
            multiple
            onChange={(e) => addFiles(e.target.files)}
            aria-describedby="reply-files-hint"
          />
          {files.length > 0 ? "Добавить ещё файлы" : "Приложить файлы"}
        </label>
        {files.length > 0 && (
          <ul className="file-list" aria-label="Приложенные файлы">
            {files.map(({ id, file }) => (
              <li key={id} className="file-list__item">
                <span className="file-list__name">{file.name}</span>
                <span className="file-list__size">{fileSize(file.size)}</span>
                <button
                  type="button"
                  className="button button--link"
                  onClick={() => {
                    const next = files.filter((f) => f.id !== id);
                    setFiles(next);
                    setError(filesProblem(next));
                  }}
                  aria-label={`Удалить файл ${file.name}`}
                >
                  Удалить
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={sending}>
          {sending ? "Отправляем…" : "Отправить"}
        </button>
        <span role="status" className="copy-status">
          {sent ? "Сообщение отправлено" : ""}
        </span>
      </div>
    </form>
  );
}
