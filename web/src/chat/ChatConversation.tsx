// The applicant's chat once started: the messages (articles and phone lines from the bot, files), the bot's
// buttons, and the composer with a file button.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { fileSize } from "../format.ts";
import type { Stored } from "./chatStore.ts";
import type { ChatMessage } from "./connection.ts";
import { BUTTON_TEXT, type ChatState, useApplicantChat } from "./useApplicantChat.ts";

const STATE_TEXT: Record<ChatState, string> = {
  bot: "Отвечает чат-бот",
  queued: "Ждём оператора",
  operator: "Оператор в чате",
  closed: "Чат завершён",
  left: "Обращение оставлено",
};

export function ChatConversation({
  base,
  session,
  onRestart,
}: {
  base: string;
  session: Stored;
  onRestart: () => void;
}) {
  const chat = useApplicantChat(base, session);
  const { lines, shown, state, operator, status, typing, error, limits } = chat;
  const [text, setText] = useState("");
  const logRef = useRef<HTMLDivElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: keep the newest message in view as the list grows
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [shown.length, typing]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = text.trim();
    if (!t) return;
    chat.post({ text: t });
    setText("");
  };

  const lastBot = [...lines].reverse().find((l) => l.author !== "applicant" && l.author !== "system");
  const closed = state === "closed";

  return (
    <div className="chat__body">
      <p className="chat__state" aria-live="polite">
        {state === "operator" && operator ? `Оператор ${operator} в чате` : STATE_TEXT[state]}
        {status !== "online" && (
          <span className="chat__status">
            {" "}
            ·{" "}
            {status === "connecting"
              ? "подключаемся…"
              : status === "elsewhere"
                ? "чат открыт в другом окне; чтобы продолжить здесь, обновите страницу"
                : "нет связи, переподключаемся…"}
          </span>
        )}
      </p>
      {/* A log, not a list: role="log" is not allowed on <ol>. */}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable from the keyboard (WCAG 2.1.1) */}
      <div className="chat__log" ref={logRef} role="log" aria-live="polite" aria-label="Переписка" tabIndex={0}>
        {shown.map((m) => (
          <div key={m.id} className={`chat__msg chat__msg--${m.author}${m.pending ? " chat__msg--pending" : ""}`}>
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
          </div>
        ))}
        {typing && <p className="chat__typing">{state === "operator" ? "Оператор печатает…" : "Печатает…"}</p>}
      </div>
      {state === "bot" && lastBot?.buttons && lastBot === lines.at(-1) && (
        <div className="chat__buttons">
          {lastBot.buttons.map((b) => (
            <button key={b} type="button" className="chat__choice" onClick={() => chat.post({ text: "", action: b })}>
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
            <span className="visually-hidden">
              Приложить снимок экрана или PDF{limits ? ` (до ${fileSize(limits.chat.maxFileBytes)})` : ""}
            </span>
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
                void chat.attach(e.currentTarget.files?.[0]);
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
            onChange={(e) => {
              setText(e.target.value);
              chat.typed();
            }}
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

// «на странице обращения: https://…/track/…» becomes the words as a link; any other address is a link to itself.
const TRACK_PHRASE = /(на странице обращения): (https?:\/\/\S+\/track\/\S+)/;

/** Addresses in a message become links (the tracking link of the request, links an operator pasted). */
function withLinks(text: string) {
  return text.split(/(на странице обращения: https?:\/\/\S+\/track\/\S+|https?:\/\/\S+)/g).map((part, i) => {
    const track = TRACK_PHRASE.exec(part);
    const href = track ? track[2] : /^https?:\/\//.test(part) ? part : null;
    if (!href) return part;
    return (
      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move
      <a key={i} href={href} target="_blank" rel="noreferrer">
        {track ? track[1] : /\/track\//.test(part) ? "страница обращения" : part}
      </a>
    );
  });
}
