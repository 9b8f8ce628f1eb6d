// One chat in the operator's inbox: the conversation, the reply box with a file button, handing it over and
// closing it with a result; beside it, who the applicant is.
import { useEffect, useMemo, useRef, useState } from "react";
import { $api, api, errorText, multipart, ok } from "../api/client.ts";
import { useConsole } from "../console/session.ts";
import { Select } from "../controls/Select.tsx";
import { displayRequestNumber } from "../format.ts";
import { TemplatePicker } from "../kb/TemplatePicker.tsx";
import { Link } from "../router.tsx";
import type { Act } from "./ChatInbox.tsx";
import { ChatSide } from "./ChatSide.tsx";
import { type ChatConnection, type ChatMessage, newId } from "./connection.ts";
import { type ConversationDetail, time } from "./inboxTypes.ts";

const RESULTS = [
  { value: "resolved", label: "Вопрос решён" },
  { value: "follow_up", label: "Ответ позже в обращении" },
];

export function ChatPane({
  id,
  messages,
  typingAt,
  conn,
  act,
}: {
  id: number;
  messages: ChatMessage[];
  typingAt: number;
  conn: React.RefObject<ChatConnection | null>;
  act: Act;
}) {
  const { staff, departments, user } = useConsole();
  const detail = ($api.useQuery("get", "/api/v1/chat/conversations/{id}", { params: { path: { id } } }).data ??
    null) as ConversationDetail | null;
  const [text, setText] = useState("");
  const [now, setNow] = useState(Date.now());
  const [transferTo, setTransferTo] = useState("");
  const [result, setResult] = useState<"resolved" | "follow_up">("resolved");
  const [uploading, setUploading] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keep the newest message in view as the list grows
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [messages]);

  const lastApplicant = useMemo(() => [...messages].reverse().find((m) => m.author === "applicant"), [messages]);
  const typing = now - typingAt < 4000 && (!lastApplicant || Date.parse(lastApplicant.at) < typingAt);

  const send = () => {
    const t = text.trim();
    if (!t) return;
    conn.current?.send({ t: "msg", conversationId: id, id: newId(), text: t });
    setText("");
    lastTyping.current = 0;
  };

  // A file goes up first; the message that carries it takes the text typed so far as its caption.
  const attach = async (file: File | undefined) => {
    if (!file) return;
    setFileError(null);
    setUploading(true);
    try {
      const form = new FormData();
      form.append("file", file, file.name);
      const up = await ok(
        api.POST("/api/v1/chat/conversations/{id}/files", { params: { path: { id } }, body: multipart(form) }),
      );
      conn.current?.send({ t: "msg", conversationId: id, id: newId(), text: text.trim(), files: [up.id] });
      setText("");
    } catch (e) {
      setFileError(errorText(e));
    } finally {
      setUploading(false);
    }
  };

  const others = staff.filter(
    (s) => s.active && s.id !== user.id && (s.role === "operator" || s.role === "specialist"),
  );

  return (
    <>
      <div className="chat-inbox__pane">
        <h2>
          {detail?.contact.name ?? "Заявитель"} · обращение{" "}
          {detail && (
            <Link to={`/console/requests/${detail.request.number}`}>
              № {displayRequestNumber(detail.request.number)}
            </Link>
          )}
        </h2>
        {/* A log, not a list: role="log" is not allowed on <ol>. */}
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1) */}
        <div className="chat-inbox__log" ref={log} role="log" aria-live="polite" aria-label="Переписка" tabIndex={0}>
          {messages.map((m) => (
            <div key={m.seq} className={`chat-inbox__msg chat-inbox__msg--${m.author}`}>
              <span className="muted">
                {m.author === "applicant"
                  ? "Заявитель"
                  : m.author === "bot"
                    ? "Чат-бот"
                    : m.author === "operator"
                      ? (m.name ?? "Оператор")
                      : "Система"}{" "}
                · {time(m.at)}
              </span>
              <p>{m.text}</p>
              {m.articles?.map((a) => (
                <span key={a.slug} className="muted">
                  — {a.title}
                </span>
              ))}
              {m.files?.map((f) => (
                <a
                  key={f.id}
                  href={`/api/v1/requests/${detail?.request.number ?? ""}/attachments/${f.id}`}
                  target="_blank"
                  rel="noreferrer"
                >
                  Файл: {f.filename}
                </a>
              ))}
            </div>
          ))}
        </div>
        <p className="chat-inbox__typing muted" aria-live="polite">
          {typing ? "Заявитель печатает…" : " "}
        </p>
        {detail && (
          <TemplatePicker
            number={detail.request.number}
            category={detail.request.category ?? null}
            onInsert={(filled) => setText((t) => (t.trim() ? `${t.trimEnd()}\n\n${filled}` : filled))}
          />
        )}
        <form
          className="chat-inbox__composer"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <label htmlFor={`reply-${id}`} className="visually-hidden">
            Ответ заявителю
          </label>
          <textarea
            id={`reply-${id}`}
            data-shortcut="chat-reply"
            rows={3}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (Date.now() - lastTyping.current > 2500) {
                lastTyping.current = Date.now();
                conn.current?.raw({ t: "typing", conversationId: id });
              }
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                send();
              }
            }}
          />
          <div className="chat-inbox__send">
            <button type="submit" className="button">
              Отправить
            </button>
            <label className="button button--secondary button--small chat-inbox__attach">
              {uploading ? "Загружается…" : "Приложить файл"}
              <input
                type="file"
                className="visually-hidden"
                accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
                disabled={uploading}
                onChange={(e) => {
                  void attach(e.currentTarget.files?.[0]);
                  e.currentTarget.value = "";
                }}
              />
            </label>
          </div>
        </form>
        {fileError && (
          <p className="alert alert--error" role="alert">
            {fileError}
          </p>
        )}
        <div className="chat-inbox__actions">
          <Select
            id={`transfer-${id}`}
            label="Передать"
            value={transferTo}
            onChange={setTransferTo}
            empty="—"
            options={[
              { group: "Оператору", options: others.map((s) => ({ value: `op:${s.id}`, label: s.name })) },
              {
                group: "В подразделение",
                options: departments.map((d) => ({ value: `dep:${d.code}`, label: d.name })),
              },
            ]}
          />
          <button
            type="button"
            className="button button--secondary button--small"
            disabled={!transferTo}
            onClick={() => {
              const [kind, value] = transferTo.split(":");
              void act(() =>
                api.POST("/api/v1/chat/conversations/{id}/transfer", {
                  params: { path: { id } },
                  body: kind === "op" ? { operatorId: Number(value) } : { department: value },
                }),
              );
            }}
          >
            Передать
          </button>
          <Select
            id={`result-${id}`}
            label="Результат"
            value={result}
            onChange={(v) => setResult(v as typeof result)}
            options={RESULTS}
          />
          <button
            type="button"
            className="button button--small"
            onClick={() =>
              void act(() =>
                api.POST("/api/v1/chat/conversations/{id}/close", { params: { path: { id } }, body: { result } }),
              )
            }
          >
            Завершить чат
          </button>
        </div>
      </div>
      <ChatSide id={id} detail={detail} onInsert={(line) => setText((t) => `${t}${t ? "\n" : ""}${line}`)} />
    </>
  );
}
