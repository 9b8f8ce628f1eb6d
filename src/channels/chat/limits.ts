// How much one chat may take of a server process: messages per conversation (however many sockets carry them) and per
// employee in a window of time, and sockets open at once per chat session. Kept in the process's hub, so with several
// server processes (OTKLIK_WORKERS) each counts its own share: the limits hold per process, not per installation.

export const MESSAGE_WINDOW_MS = 10_000;
/** An applicant's messages per conversation in one window, whatever the number of its sockets. */
export const APPLICANT_MESSAGES_PER_WINDOW = 20;
/** An employee's messages in one window, all their chats and sockets together (they hold several chats). */
export const STAFF_MESSAGES_PER_WINDOW = 80;

/** Sockets of one chat session open at once: a couple of tabs and a reconnect; the next one closes the oldest. */
export const MAX_SOCKETS_PER_SESSION = 3;
/** The close of the oldest socket of a session that opened one more (docs/CHAT.md, «Errors and close codes»). */
export const SESSION_SOCKETS_CLOSE = {
  code: 4409,
  // A close reason is at most 123 bytes of UTF-8: about 60 Cyrillic letters.
  reason: "Чат открыт в слишком многих окнах: это окно отключено.",
} as const;

export const RATE_LIMITED_FRAME = {
  code: "rate_limited",
  message: "Слишком много сообщений за короткое время. Это сообщение будет отправлено повторно чуть позже.",
} as const;
