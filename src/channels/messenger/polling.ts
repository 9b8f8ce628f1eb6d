// Long polling of a messenger's bot API, for the drivers that poll (Telegram, MAX): one process at a time polls, under
// an advisory lock; the others wait and take over when it goes. The driver says what to do once it holds the lock
// (drop the webhook, which stops the service's updates by polling) and how to read and handle one batch.
import type { AppContext } from "../../context.ts";
import { contain } from "../../guard.ts";

/** A pause that ends early, and at once, when polling stops. */
export type Sleep = (ms: number) => Promise<void>;

export type Poller = {
  /** The driver's name: the lock is `<name>-poll`, failures are logged as `<name>.poll`. */
  name: string;
  /** How long a process without the lock waits before trying again is ten times this. */
  idleMs: number;
  /** Once the lock is held, before the first read. A failure here is the driver's to swallow. */
  takeOver(): Promise<void>;
  /** One read and its handling; `signal` ends a long poll in flight when polling stops. */
  pollOnce(signal: AbortSignal, sleep: Sleep): Promise<void>;
};

/** Polls until the returned function is called; that function resolves once the loop has ended. */
export function pollUnderLock(ctx: AppContext, p: Poller): () => Promise<void> {
  const abort = new AbortController();
  let stopped = false;
  const sleep: Sleep = async (ms) => {
    if (abort.signal.aborted) return;
    let wake = () => {};
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      abort.signal.addEventListener("abort", wake, { once: true });
    });
    // The listener goes with its pause: a poll that sleeps for years must not collect one per pause.
    abort.signal.removeEventListener("abort", wake);
  };

  const loop = async () => {
    while (!stopped) {
      const lock = await ctx.database.holdLock(`${p.name}-poll`).catch(() => null);
      if (!lock) {
        await sleep(p.idleMs * 10);
        continue;
      }
      try {
        await p.takeOver();
        while (!stopped && lock.held()) await p.pollOnce(abort.signal, sleep);
      } finally {
        await lock.release();
      }
    }
  };
  const done = contain(`${p.name}.poll`, loop);
  return async () => {
    stopped = true;
    abort.abort();
    await done;
  };
}
