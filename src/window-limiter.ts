// Uses per key in fixed windows of time, held in this process: the chat's messages per conversation, the phone
// menu's status look-ups per caller.

/** Counts uses per key in fixed windows; a window that has passed is forgotten on the next sweep. */
export class WindowLimiter {
  private windows = new Map<string, { start: number; used: number }>();
  private sweptAt = 0;

  constructor(private readonly windowMs: number) {}

  /** Whether `key`'s window has fewer than `max` uses (nothing is counted). */
  hasRoom(key: string, max: number, now = Date.now()): boolean {
    const w = this.windows.get(key);
    return !w || now - w.start >= this.windowMs || w.used < max;
  }

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
