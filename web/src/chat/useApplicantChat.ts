// The applicant's side of one chat over the WebSocket: the messages, those still unacknowledged (kept across a
// reload), the chat's state, the other side typing, and sending text, buttons and files.
import { useCallback, useEffect, useRef, useState } from "react";
import { clientFor, errorText, multipart, ok } from "../api/client.ts";
import { tooLarge, useLimits } from "../api/limits.ts";
import { type Line, type Stored, storedPending, storePending } from "./chatStore.ts";
import { ChatConnection, newId, type Status, wsUrl } from "./connection.ts";

export type ChatState = "bot" | "queued" | "operator" | "closed" | "left";

export const BUTTON_TEXT = {
  helped: "Это помогло",
  operator: "Позвать оператора",
  leave: "Оставить обращение",
} as const;

export function useApplicantChat(base: string, session: Stored) {
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, setPending] = useState<Line[]>([]);
  const [state, setState] = useState<ChatState>("bot");
  const [operator, setOperator] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>("connecting");
  const [typing, setTyping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const conn = useRef<ChatConnection | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTyping = useRef(0);
  const limits = useLimits(base);

  useEffect(() => {
    const c: ChatConnection = new ChatConnection({
      url: () =>
        wsUrl(
          base,
          `?token=${encodeURIComponent(session.token)}&since=${c.positions.get(session.conversationId) ?? 0}`,
        ),
      onMessage: (m) => {
        setLines((all) => [...all, m]);
        if (m.author === "operator") setTyping(false);
      },
      onPending: (ids) => setPending((p) => p.filter((x) => ids.includes(x.id))),
      onStatus: setStatus,
      onFrame: (f) => {
        if (f.t === "ready" || f.t === "state") {
          setState(f.state as ChatState);
          setOperator((f.operator as string | null) ?? null);
        } else if (f.t === "typing") {
          setTyping(true);
          if (typingTimer.current) clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => setTyping(false), 4000);
        } else if (f.t === "error") {
          setError(String(f.message));
        }
      },
    });
    conn.current = c;
    const saved = storedPending();
    for (const m of saved) {
      const frame = { t: "msg", id: m.id, text: m.action ? "" : m.text, ...(m.action ? { action: m.action } : {}) };
      c.pending.set(m.id, frame);
    }
    if (saved.length) setPending(saved);
    c.start();
    return () => c.stop();
  }, [base, session]);

  useEffect(() => storePending(pending), [pending]);

  const post = useCallback(
    (frame: { text: string; action?: keyof typeof BUTTON_TEXT; files?: string[] }) => {
      const id = newId();
      setError(null);
      setPending((p) => [
        ...p,
        {
          conversationId: session.conversationId,
          seq: 0,
          id,
          author: "applicant",
          name: null,
          text: frame.action ? BUTTON_TEXT[frame.action] : frame.text,
          at: new Date().toISOString(),
          pending: true,
        },
      ]);
      conn.current?.send({ t: "msg", id, ...frame });
      // The next keystroke announces typing again: the other side has just seen this message arrive.
      lastTyping.current = 0;
    },
    [session.conversationId],
  );

  const typed = () => {
    if (Date.now() - lastTyping.current > 2500) {
      lastTyping.current = Date.now();
      conn.current?.raw({ t: "typing" });
    }
  };

  const attach = async (file: File | undefined) => {
    if (!file) return;
    const big = limits && tooLarge([file], limits.chat.maxFileBytes);
    if (big) return setError(big);
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const f = await ok(
        clientFor(base).POST("/api/v1/chat/files", {
          params: { query: { token: session.token } },
          body: multipart(form),
        }),
      );
      post({ text: "", files: [f.id] });
    } catch (err) {
      setError(errorText(err));
    }
  };

  const shown = [...lines, ...pending.filter((p) => !lines.some((l) => l.id === p.id))];
  return { lines, shown, state, operator, status, typing, error, post, typed, attach, limits };
}
