// The applicant's chat: contact details, then the bot, then an operator. The same component runs on Otklik's
// own pages and inside the embeddable /widget.js (there `base` is Otklik's address on another site).
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ChatConnection, type ChatMessage, newId, type Status, wsUrl } from "./connection.ts";

type Hours = { open: boolean; opensAt: string | null; text: string };
type Stored = { token: string; conversationId: number };
type State = "bot" | "queued" | "operator" | "closed" | "left";

const STORE = "otklik-chat";
// Messages not yet acknowledged survive a reload of the page and are sent again.
const PENDING = "otklik-chat-pending";
const BUTTON_TEXT = { helped: "Это помогло", operator: "Позвать оператора", leave: "Оставить обращение" } as const;
const STATE_TEXT: Record<State, string> = {
  bot: "Отвечает чат-бот",
  queued: "Ждём оператора",
  operator: "Оператор в чате",
  closed: "Чат завершён",
  left: "Обращение оставлено",
};

function load(): Stored | null {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "null") as Stored | null;
  } catch {
    return null;
  }
}

async function call<T>(base: string, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1${path}`, init);
  } catch {
    throw new Error("Нет связи с сервером. Проверьте подключение и повторите.");
  }
  const data = (await res.json().catch(() => null)) as { detail?: string } | null;
  if (!res.ok) throw new Error(data?.detail ?? "Не получилось. Повторите через минуту.");
  return data as T;
}

export function ChatWidget({ base = "", onClose }: { base?: string; onClose?: () => void }) {
  const [session, setSession] = useState<Stored | null>(load);
  const [hours, setHours] = useState<Hours | null>(null);
  useEffect(() => {
    call<Hours>(base, "/chat/hours").then(setHours, () => setHours(null));
  }, [base]);

  const restart = () => {
    localStorage.removeItem(STORE);
    localStorage.removeItem(PENDING);
    setSession(null);
  };

  return (
    <section className="chat" aria-label="Чат со службой поддержки">
      <header className="chat__head">
        <h2 className="chat__title">Чат поддержки</h2>
        {onClose && (
          <button type="button" className="chat__close" onClick={onClose} aria-label="Свернуть чат">
            ×
          </button>
        )}
      </header>
      {session ? (
        <Conversation key={session.token} base={base} session={session} onRestart={restart} />
      ) : (
        <ContactForm
          base={base}
          hours={hours}
          onStarted={(s) => {
            localStorage.setItem(STORE, JSON.stringify(s));
            setSession(s);
          }}
        />
      )}
    </section>
  );
}

function ContactForm({
  base,
  hours,
  onStarted,
}: {
  base: string;
  hours: Hours | null;
  onStarted: (s: Stored) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const contact = Object.fromEntries(
      ["name", "email", "phone"].map((k) => [k, String(form.get(k) ?? "").trim()]).filter(([, v]) => v),
    );
    if (!contact.email && !contact.phone) {
      setError("Укажите почту или телефон: на них придёт ответ, если чат прервётся.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // A form body is a «simple» request: the widget on another site needs no preflight.
      const s = await call<Stored>(base, "/chat/sessions", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(contact as Record<string, string>).toString(),
      });
      onStarted({ token: (s as Stored).token, conversationId: s.conversationId });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="chat__contact" onSubmit={submit} noValidate>
      <p>Сначала ответит чат-бот по статьям справки, затем при необходимости — оператор.</p>
      {hours && (
        <p className="chat__hours">
          Операторы работают {hours.text}. {hours.open ? "Сейчас на связи." : "Сейчас можно оставить обращение."}
        </p>
      )}
      <label>
        Как к вам обращаться
        <input name="name" autoComplete="name" maxLength={200} />
      </label>
      <label>
        Электронная почта
        <input name="email" type="email" autoComplete="email" inputMode="email" />
      </label>
      <label>
        Телефон
        <input name="phone" type="tel" autoComplete="tel" inputMode="tel" placeholder="+7 912 345-67-89" />
      </label>
      <p className="chat__hint">Нужны почта или телефон. Не пишите в чат пароли и коды из СМС.</p>
      {error && (
        <p className="chat__error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="chat__primary" disabled={busy}>
        Начать чат
      </button>
    </form>
  );
}

type Line = ChatMessage & { pending?: boolean };

function Conversation({ base, session, onRestart }: { base: string; session: Stored; onRestart: () => void }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, setPending] = useState<Line[]>([]);
  const [state, setState] = useState<State>("bot");
  const [operator, setOperator] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>("connecting");
  const [typing, setTyping] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const conn = useRef<ChatConnection | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const lastTyping = useRef(0);

  useEffect(() => {
    const c = new ChatConnection({
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
          setState(f.state as State);
          setOperator((f.operator as string | null) ?? null);
        } else if (f.t === "typing") {
          setTyping(true);
          if (typingTimer.current) clearTimeout(typingTimer.current);
          typingTimer.current = setTimeout(() => setTyping(false), 4000);
        } else if (f.t === "error") {
          setError(String(f.message));
        } else if (f.t === "pong") {
          // heartbeat
        }
      },
    });
    conn.current = c;
    try {
      const saved = JSON.parse(localStorage.getItem(PENDING) ?? "[]") as Line[];
      for (const m of saved) {
        const frame = { t: "msg", id: m.id, text: m.action ? "" : m.text, ...(m.action ? { action: m.action } : {}) };
        c.pending.set(m.id, frame);
      }
      if (saved.length) setPending(saved);
    } catch {
      // Nothing saved, or unreadable: nothing to resend.
    }
    c.start();
    return () => c.stop();
  }, [base, session]);

  useEffect(() => {
    localStorage.setItem(PENDING, JSON.stringify(pending));
  }, [pending]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: keep the newest message in view as the list grows
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines, pending, typing]);

  const post = useCallback(
    (frame: { text: string; action?: string; files?: string[] }) => {
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
          text: frame.action ? BUTTON_TEXT[frame.action as keyof typeof BUTTON_TEXT] : frame.text,
          at: new Date().toISOString(),
          pending: true,
        },
      ]);
      conn.current?.send({ t: "msg", id, ...frame });
    },
    [session.conversationId],
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    post({ text: t });
    setText("");
    // The next keystroke announces typing again: the other side has just seen this message arrive.
    lastTyping.current = 0;
  };

  const onType = (value: string) => {
    setText(value);
    if (Date.now() - lastTyping.current > 2500) {
      lastTyping.current = Date.now();
      conn.current?.raw({ t: "typing" });
    }
  };

  const attach = async (file: File | undefined) => {
    if (!file) return;
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const f = await call<{ id: string }>(base, `/chat/files?token=${encodeURIComponent(session.token)}`, {
        method: "POST",
        body: form,
      });
      post({ text: "", files: [f.id] });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const shown = [...lines, ...pending.filter((p) => !lines.some((l) => l.id === p.id))];
  const lastBot = [...lines].reverse().find((l) => l.author !== "applicant" && l.author !== "system");
  const closed = state === "closed";

  return (
    <div className="chat__body">
      <p className="chat__state" aria-live="polite">
        {state === "operator" && operator ? `Оператор ${operator} в чате` : STATE_TEXT[state]}
        {status !== "online" && (
          <span className="chat__status">
            {" "}
            · {status === "connecting" ? "подключаемся…" : "нет связи, переподключаемся…"}
          </span>
        )}
      </p>
      <ol className="chat__log" ref={logRef} role="log" aria-live="polite" aria-label="Переписка">
        {shown.map((m) => (
          <li key={m.id} className={`chat__msg chat__msg--${m.author}${m.pending ? " chat__msg--pending" : ""}`}>
            <span className="chat__who">{whoText(m)}</span>
            {m.text && <p className="chat__text">{withLinks(m.text)}</p>}
            {m.articles && (
              <ul className="chat__articles">
                {m.articles.map((a) => (
                  <li key={a.slug}>
                    <a href={`${base}/help/${a.slug}`} target={base ? "_blank" : undefined} rel="noreferrer">
                      {a.title}
                    </a>
                    <span>{a.snippet}</span>
                  </li>
                ))}
              </ul>
            )}
            {m.lines && m.lines.length > 0 && (
              <ul className="chat__lines">
                {m.lines.map((l) => (
                  <li key={l.number}>
                    <a href={`tel:${l.number.replace(/[^\d+]/g, "")}`}>{l.number}</a> — {l.title}
                  </li>
                ))}
              </ul>
            )}
            {m.files?.map((f) => (
              <a
                key={f.id}
                className="chat__file"
                href={`${base}/api/v1/chat/files/${f.id}?token=${encodeURIComponent(session.token)}`}
                target="_blank"
                rel="noreferrer"
              >
                Файл: {f.filename}
              </a>
            ))}
            {m.pending && <span className="chat__sending">отправляется…</span>}
          </li>
        ))}
        {typing && <li className="chat__typing">{state === "operator" ? "Оператор печатает…" : "Печатает…"}</li>}
      </ol>
      {state === "bot" && lastBot?.buttons && lastBot === lines.at(-1) && (
        <div className="chat__buttons">
          {lastBot.buttons.map((b) => (
            <button key={b} type="button" className="chat__choice" onClick={() => post({ text: "", action: b })}>
              {BUTTON_TEXT[b]}
            </button>
          ))}
        </div>
      )}
      {error && (
        <p className="chat__error" role="alert">
          {error}
        </p>
      )}
      {closed ? (
        <div className="chat__footer">
          <button type="button" className="chat__primary" onClick={onRestart}>
            Начать новый чат
          </button>
        </div>
      ) : (
        <form className="chat__composer" onSubmit={submit}>
          <label className="chat__attach">
            <span className="visually-hidden">Приложить снимок экрана или PDF</span>
            <svg
              aria-hidden="true"
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              <path d="M21 11.5 12.5 20a5 5 0 0 1-7-7l8.5-8.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
            </svg>
            <input
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp,application/pdf"
              onChange={(e) => {
                void attach(e.currentTarget.files?.[0]);
                e.currentTarget.value = "";
              }}
            />
          </label>
          <label className="visually-hidden" htmlFor="chat-input">
            Сообщение
          </label>
          <textarea
            id="chat-input"
            rows={2}
            value={text}
            maxLength={4000}
            placeholder="Напишите вопрос…"
            onChange={(e) => onType(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                submit(e);
              }
            }}
          />
          <button type="submit" className="chat__send">
            Отправить
          </button>
        </form>
      )}
    </div>
  );
}

function whoText(m: ChatMessage): string {
  if (m.author === "applicant") return "Вы";
  if (m.author === "bot") return "Чат-бот";
  if (m.author === "operator") return m.name ? `Оператор ${m.name}` : "Оператор";
  return "Служба поддержки";
}

/** Addresses in a message become links (the tracking link of the request, links an operator pasted). */
function withLinks(text: string) {
  return text.split(/(https?:\/\/[^\s]+)/g).map((part, i) =>
    /^https?:\/\//.test(part) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move
      <a key={i} href={part} target="_blank" rel="noreferrer">
        {/\/track\//.test(part) ? "страница обращения" : part}
      </a>
    ) : (
      part
    ),
  );
}
