// How hard the process is pressed right now: the HTTP requests and SMTP letters received in the last tenth of a
// second. Background jobs (letters, messenger replies, webhooks) give way to a burst for a bounded time
// (src/db/outbox.ts), so that a surge of applicants is registered first and told by letter a moment later.

/** Requests in a tenth of a second (80 a second) from which the HTTP side counts as under a burst. */
export const BURST_REQUESTS = 8;
const WINDOW_MS = 50;

export class RequestPressure {
  private bucket = -1;
  private count = 0;
  private previous = 0;

  /** One request (or letter) received. */
  hit(now = performance.now()) {
    const b = Math.floor(now / WINDOW_MS);
    if (b !== this.bucket) {
      this.previous = b === this.bucket + 1 ? this.count : 0;
      this.bucket = b;
      this.count = 0;
    }
    this.count++;
  }

  /** Whether the last two windows (50–100 ms) received a burst's worth of requests. */
  busy(now = performance.now()): boolean {
    const b = Math.floor(now / WINDOW_MS);
    if (b === this.bucket) return this.count + this.previous >= BURST_REQUESTS;
    if (b === this.bucket + 1) return this.count >= BURST_REQUESTS;
    return false;
  }
}
