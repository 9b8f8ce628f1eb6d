// The console's chat inbox: the queue by department, the operator's chats side by side with the applicant's
// earlier requests and knowledge-base answers; accept, answer, transfer, close with a result.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { $api, api, errorText, failureOf } from "../api/client.ts";
import { useChatInboxShortcuts } from "../console/keyboard.tsx";
import { useConsole } from "../console/session.ts";
import { displayRequestNumber } from "../format.ts";
import { useTitle } from "../router.tsx";
import { ChatHoursPanel } from "./ChatHoursPanel.tsx";
import { ChatPane } from "./ChatPane.tsx";
import { ChatConnection, type ChatMessage, type Frame, wsUrl } from "./connection.ts";
import { type Inbox, time } from "./inboxTypes.ts";
import "./inbox.css";

/** Runs one action on a chat and reads the inbox again; a refusal shows above the lists. */
export type Act = (call: () => Promise<unknown>) => Promise<void>;

export function ChatInbox() {
  useTitle("Чаты — Консоль поддержки");
  const { user } = useConsole();
  const queries = useQueryClient();
  const read = $api.useQuery("get", "/api/v1/chat/inbox");
  const inbox = read.data as Inbox | undefined;
  const [actionError, setError] = useState<string | null>(null);
  const error = actionError ?? failureOf(read)?.message ?? null;
  const [selected, setSelected] = useState<number | null>(null);
  const [messages, setMessages] = useState<Record<number, ChatMessage[]>>({});
  const [typing, setTyping] = useState<Record<number, number>>({});
  const conn = useRef<ChatConnection | null>(null);

  useChatInboxShortcuts();

  const reload = () => queries.invalidateQueries({ queryKey: ["get", "/api/v1/chat/inbox"] });

  // Every chat of mine is followed on the socket; the selection stays while the chat is mine.
  useEffect(() => {
    if (!inbox) return;
    for (const m of inbox.mine) if (!conn.current?.positions.has(m.id)) conn.current?.follow(m.id, 0);
    setSelected((s) => (s !== null && inbox.mine.some((m) => m.id === s) ? s : (inbox.mine[0]?.id ?? null)));
  }, [inbox]);

  useEffect(() => {
    const c = new ChatConnection({
      url: () => wsUrl("", ""),
      staff: true,
      onMessage: (m) => setMessages((all) => ({ ...all, [m.conversationId]: [...(all[m.conversationId] ?? []), m] })),
      onFrame: (f: Frame) => {
        if (f.t === "inbox" || f.t === "ready")
          void queries.invalidateQueries({ queryKey: ["get", "/api/v1/chat/inbox"] });
        if (f.t === "typing") setTyping((t) => ({ ...t, [Number(f.conversationId)]: Date.now() }));
        if (f.t === "error" && f.message) setError(String(f.message));
      },
    });
    conn.current = c;
    c.start();
    return () => c.stop();
  }, [queries]);

  const act: Act = async (call) => {
    setError(null);
    try {
      await call();
      await reload();
    } catch (e) {
      setError(errorText(e));
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
              <li key={m.id} data-kbd-item="chat">
                <button
                  type="button"
                  className="chat-inbox__item"
                  aria-current={selected === m.id ? "true" : undefined}
                  onClick={() => setSelected(m.id)}
                >
                  <strong>{m.contactName ?? "Заявитель"}</strong> · № {displayRequestNumber(m.number)}
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
                  onClick={() =>
                    void act(() =>
                      api.POST("/api/v1/chat/conversations/{id}/accept", { params: { path: { id: q.id } } }),
                    )
                  }
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
      {user.role === "administrator" && <ChatHoursPanel />}
    </section>
  );
}
