// One thread of messages. Text is always rendered as text (React escapes it, CSS keeps the line breaks); web
// addresses and phone numbers in it become links.
import { fileSize, formatDateTime } from "./format.ts";
import { Linkified } from "./Linkified.tsx";

export type Attachment = { id: string; filename: string; contentType: string; size: number };

export type Bubble = {
  id: number;
  kind: "applicant" | "support" | "note";
  author: string;
  body: string;
  createdAt: string;
  attachments: Attachment[];
};

export function Conversation({
  items,
  attachmentHref,
  label,
}: {
  items: Bubble[];
  attachmentHref: (a: Attachment) => string;
  label: string;
}) {
  if (items.length === 0) return <p className="muted">Сообщений пока нет.</p>;
  return (
    <ol className="thread" aria-label={label}>
      {items.map((m) => (
        <li key={m.id} className={`message message--${m.kind}`}>
          <div className="message__meta">
            <span className="message__author">
              {m.kind === "note" && <span className="tag tag--note">Внутренняя заметка</span>}
              {m.author}
            </span>
            <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
          </div>
          <div className="message__body">
            <Linkified text={m.body} />
          </div>
          {m.attachments.length > 0 && (
            <ul className="message__files" aria-label="Файлы">
              {m.attachments.map((a) => (
                <li key={a.id}>
                  <a href={attachmentHref(a)} download={a.filename}>
                    {a.filename}
                  </a>{" "}
                  <span className="muted">({fileSize(a.size)})</span>
                </li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ol>
  );
}
