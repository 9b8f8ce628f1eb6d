// The console's chat inbox: the queue by department, the operator's chats side by side with the applicant's
// earlier requests and knowledge-base answers; accept, answer, transfer, close with a result.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, api, errorText } from "../api.ts";
import { useConsole } from "../console/session.ts";
import { STATUS_TITLES } from "../labels.ts";
import { Link, useTitle } from "../router.tsx";
import { ChatContact, type Contact } from "./ChatContact.tsx";
import { ChatConnection, type ChatMessage, type Frame, newId, wsUrl } from "./connection.ts";
import "./inbox.css";

type Item = {
  id: number;
  number: string;
  subject: string;
  contactName: string | null;
  department: string;
  queuedAt: string | null;
  lastSeq: number;
};
type Inbox = { queue: Item[]; mine: Item[]; limit: number };
type Detail = {
  id: number;
  state: string;
  request: { number: string; status: string; subject: string };
  /** E-mail and phone masked; the full values come from …/reveal, with a reason that goes to the audit log. */
  contact: Contact;
  previous: { number: string; subject: string; status: string; channel: string; createdAt: string }[];
  answers: { slug: string; title: string; snippet: string }[];
};

const time = (iso: string) => new Date(iso).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });

export function ChatInbox() {
  useTitle("Чаты — Консоль поддержки");
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [messages, setMessages] = useState<Record<number, ChatMessage[]>>({});
  const [typing, setTyping] = useState<Record<number, number>>({});
  const conn = useRef<ChatConnection | null>(null);

  const reload = useCallback(() => {
    api<Inbox>("/chat/inbox").then(
      (b) => {
        setInbox(b);
        for (const m of b.mine) if (!conn.current?.positions.has(m.id)) conn.current?.follow(m.id, 0);
        setSelected((s) => (s !== null && b.mine.some((m) => m.id === s) ? s : (b.mine[0]?.id ?? null)));
      },
      (e) => setError(errorText(e)),
    );
  }, []);

  useEffect(() => {
    const c = new ChatConnection({
      url: () => wsUrl("", ""),
      staff: true,
      onMessage: (m) => setMessages((all) => ({ ...all, [m.conversationId]: [...(all[m.conversationId] ?? []), m] })),
      onFrame: (f: Frame) => {
        if (f.t === "inbox" || f.t === "ready") reload();
        if (f.t === "typing") setTyping((t) => ({ ...t, [Number(f.conversationId)]: Date.now() }));
        if (f.t === "error" && f.message) setError(String(f.message));
      },
    });
    conn.current = c;
    c.start();
    return () => c.stop();
  }, [reload]);

  const act = async (path: string, body?: unknown) => {
    setError(null);
    try {
      await api(path, { method: "POST", body: body ?? {} });
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : errorText(e));
    }
  };

  return (
    <section className="chat-inbox">
      <h1>Чаты</h1>
      {error && (
        <p className="alert alert--error" role="alert">
          {error}
        </p>
      )}
      <div className="chat-inbox__grid">
        <nav className="chat-inbox__lists" aria-label="Чаты">
          <h2>
            Мои чаты{" "}
            <span className="muted">
              ({inbox?.mine.length ?? 0} из {inbox?.limit ?? "…"})
            </span>
          </h2>
          <ul>
            {inbox?.mine.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="chat-inbox__item"
                  aria-current={selected === m.id ? "true" : undefined}
                  onClick={() => setSelected(m.id)}
                >
                  <strong>{m.contactName ?? "Заявитель"}</strong> · № {m.number}
                  <span className="muted">{m.subject}</span>
                </button>
              </li>
            ))}
            {inbox && inbox.mine.length === 0 && <li className="muted">Нет открытых чатов.</li>}
          </ul>
          <h2>Очередь ({inbox?.queue.length ?? 0})</h2>
          <ul>
            {inbox?.queue.map((q) => (
              <li key={q.id} className="chat-inbox__queued">
                <span>
                  <strong>{q.contactName ?? "Заявитель"}</strong> · {q.department}
                  {q.queuedAt && <span className="muted"> · ждёт с {time(q.queuedAt)}</span>}
                  <span className="muted">{q.subject}</span>
                </span>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => void act(`/chat/conversations/${q.id}/accept`)}
                >
                  Принять
                </button>
              </li>
            ))}
            {inbox && inbox.queue.length === 0 && <li className="muted">Очередь пуста.</li>}
          </ul>
        </nav>
        {selected !== null ? (
          <ChatPane
            key={selected}
            id={selected}
            messages={messages[selected] ?? []}
            typingAt={typing[selected] ?? 0}
            conn={conn}
            act={act}
          />
        ) : (
          <p className="muted chat-inbox__empty">Примите чат из очереди, чтобы начать разговор.</p>
        )}
      </div>
    </section>
  );
}

function ChatPane({
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
  act: (path: string, body?: unknown) => Promise<void>;
}) {
  const { staff, departments, user } = useConsole();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [text, setText] = useState("");
  const [now, setNow] = useState(Date.now());
  const [transferTo, setTransferTo] = useState("");
  const [result, setResult] = useState("resolved");
  const [uploading, setUploading] = useState(false);
  const [fileError, setFileError] = useState<string | null>(null);
  const log = useRef<HTMLOListElement>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    api<Detail>(`/chat/conversations/${id}`).then(setDetail, () => setDetail(null));
  }, [id]);
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
      const up = await api<{ id: string }>(`/chat/conversations/${id}/files`, { method: "POST", body: form });
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
          {detail && <Link to={`/console/requests/${detail.request.number}`}>№ {detail.request.number}</Link>}
        </h2>
        <ol className="chat-inbox__log" ref={log} role="log" aria-live="polite" aria-label="Переписка">
          {messages.map((m) => (
            <li key={m.seq} className={`chat-inbox__msg chat-inbox__msg--${m.author}`}>
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
            </li>
          ))}
        </ol>
        <p className="chat-inbox__typing muted" aria-live="polite">
          {typing ? "Заявитель печатает…" : " "}
        </p>
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
              {uploading ? "Загружаю…" : "Приложить файл"}
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
          <label>
            Передать{" "}
            <select value={transferTo} onChange={(e) => setTransferTo(e.target.value)}>
              <option value="">—</option>
              <optgroup label="Оператору">
                {others.map((s) => (
                  <option key={s.id} value={`op:${s.id}`}>
                    {s.name}
                  </option>
                ))}
              </optgroup>
              <optgroup label="В подразделение">
                {departments.map((d) => (
                  <option key={d.code} value={`dep:${d.code}`}>
                    {d.name}
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          <button
            type="button"
            className="button button--secondary button--small"
            disabled={!transferTo}
            onClick={() => {
              const [kind, value] = transferTo.split(":");
              void act(
                `/chat/conversations/${id}/transfer`,
                kind === "op" ? { operatorId: Number(value) } : { department: value },
              );
            }}
          >
            Передать
          </button>
          <label>
            Результат{" "}
            <select value={result} onChange={(e) => setResult(e.target.value)}>
              <option value="resolved">Вопрос решён</option>
              <option value="follow_up">Ответ позже в обращении</option>
            </select>
          </label>
          <button
            type="button"
            className="button button--small"
            onClick={() => void act(`/chat/conversations/${id}/close`, { result })}
          >
            Завершить чат
          </button>
        </div>
      </div>
      <aside className="chat-inbox__side" aria-label="О заявителе">
        {detail && (
          <>
            <ChatContact id={id} contact={detail.contact} />
            <h2>Прежние обращения</h2>
            {detail.previous.length === 0 ? (
              <p className="muted">Других обращений нет.</p>
            ) : (
              <ul>
                {detail.previous.map((p) => (
                  <li key={p.number}>
                    <Link to={`/console/requests/${p.number}`}>№ {p.number}</Link> ·{" "}
                    {STATUS_TITLES[p.status] ?? p.status}
                    <br />
                    <span className="muted">{p.subject}</span>
                  </li>
                ))}
              </ul>
            )}
            <h2>Ответы из базы знаний</h2>
            <ul>
              {detail.answers.map((a) => (
                <li key={a.slug}>
                  <strong>{a.title}</strong>
                  <button
                    type="button"
                    className="button button--link"
                    onClick={() =>
                      setText((t) => `${t}${t ? "\n" : ""}${a.title}: ${window.location.origin}/help/${a.slug}`)
                    }
                  >
                    Вставить ссылку
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </aside>
    </>
  );
}
