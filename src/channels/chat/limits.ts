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

/** Counts uses per key in fixed windows; a window that has passed is forgotten on the next sweep. */
export class WindowLimiter {
  private windows = new Map<string, { start: number; used: number }>();
  private sweptAt = 0;

  constructor(private readonly windowMs: number) {}

  /** Takes one use for `key` if its window has fewer than `max`; false when the window is spent. */
  take(key: string, max: number, now = Date.now()): boolean {
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, used: 0 };
      this.windows.set(key, w);
    }
    if (w.used >= max) return false;
    w.used++;
    return true;
  }

  /** Keys with a window still running (for tests: what the process holds). */
  get size() {
    return this.windows.size;
  }

  // Closing a socket does not reset its conversation's count (a reconnect is not a new allowance), so windows are
  // dropped by age, at most once a window, rather than with the sockets.
  private sweep(now: number) {
    if (now - this.sweptAt < this.windowMs) return;
    this.sweptAt = now;
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
