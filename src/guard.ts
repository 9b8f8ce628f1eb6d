// Every entry point the process does not call itself — a WebSocket frame, a stream's event, an SMTP command, a timer,
// a notification of the event bus — runs under this guard: a failure is logged (its class, code and stack frames,
// never its message, which can quote data), counted, and goes no further. One failing client never ends the service.
import { type Logger, pino } from "pino";
import { isDatabaseUnavailable } from "./db/outage.ts";
import { loggerOptions } from "./http/logging.ts";

/** What is kept of a contained failure: nothing of its message. */
export type Fault = {
  /** The entry point, e.g. `chat.frame`, `sse.event`, `timer:sla.sweep`. */
  where: string;
  /** The error's class (`TypeError`), or the type of a thrown non-error. */
  type: string;
  /** `code` of the error (a SQLSTATE, `ECONNRESET`…), when it has one. */
  code?: string;
  /** The database was away: an outage, expected to pass, rather than a bug. */
  outage: boolean;
  /** Stack frames (`at fn (file:line:col)`): where, never what. */
  frames: string[];
};

let log: Logger = pino({ ...loggerOptions("info"), name: "guard" });
const watchers = new Set<(fault: Fault) => void>();
const counts = { faults: 0, outages: 0, escaped: 0 };

/** The server's log level (tests run silent). */
export function configureGuard(level: string) {
  log = pino({ ...loggerOptions(level), name: "guard" });
}

/** Hears every contained failure (tests; metrics). */
export function onFault(watcher: (fault: Fault) => void): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** Contained failures since start: bugs, database outages, and failures that escaped every guard. */
export function faultCounts(): Readonly<typeof counts> {
  return { ...counts };
}

export function describeFault(where: string, error: unknown): Fault {
  const e = error as { constructor?: { name?: string }; code?: unknown; stack?: unknown } | null;
  const type = error instanceof Error ? error.constructor.name || error.name : error === null ? "null" : typeof error;
  const code = typeof e?.code === "string" || typeof e?.code === "number" ? String(e.code) : undefined;
  // Only the lines that name a frame, after the message (which may itself hold lines that look like frames).
  const message = error instanceof Error ? String(error.message) : "";
  const stack = typeof e?.stack === "string" ? e.stack : undefined;
  const afterMessage =
    stack && message && stack.includes(message) ? stack.slice(stack.indexOf(message) + message.length) : stack;
  const frames =
    typeof afterMessage === "string"
      ? afterMessage
          .split("\n")
          .filter((l) => /^\s+at /.test(l))
          .slice(0, 12)
          .map((l) => l.trim())
      : [];
  return { where, type, ...(code ? { code } : {}), outage: isDatabaseUnavailable(error), frames };
}

/** Logs and counts a failure that an entry point contained. */
export function report(where: string, error: unknown): Fault {
  const fault = describeFault(where, error);
  if (fault.outage) {
    counts.outages++;
    log.warn({ fault: { where, type: fault.type, code: fault.code } }, "database unavailable");
  } else {
    counts.faults++;
    log.error({ fault }, "failure contained");
  }
  for (const w of watchers) {
    try {
      w(fault);
    } catch {}
  }
  return fault;
}

/** Runs `fn` now; a throw or a rejection is reported, never passed on. Resolves when `fn` has settled. */
export function contain(where: string, fn: () => unknown): Promise<void> {
  try {
    const result = fn();
    if (result && typeof (result as PromiseLike<unknown>).then === "function") {
      return Promise.resolve(result).then(
        () => {},
        (e: unknown) => {
          report(where, e);
        },
      );
    }
  } catch (e) {
    report(where, e);
  }
  return Promise.resolve();
}

/** The same function, guarded: for event listeners and callbacks. */
export function guarded<A extends unknown[]>(where: string, fn: (...args: A) => unknown): (...args: A) => void {
  return (...args) => {
    void contain(where, () => fn(...args));
  };
}

/** A guarded `setInterval`. A run that is still going when the next is due is not started twice. */
export function every(where: string, ms: number, fn: () => unknown): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running) return;
    running = true;
    void contain(`timer:${where}`, fn).finally(() => {
      running = false;
    });
  }, ms);
}

/** A guarded `setTimeout`. */
export function after(where: string, ms: number, fn: () => unknown): NodeJS.Timeout {
  return setTimeout(guarded(`timer:${where}`, fn), ms);
}

let lastResort = false;

/**
 * The process's last resort: a failure that escaped every guard is logged and counted, and the process carries on
 * (degraded rather than gone). Each one is a missing guard to add at its entry point.
 */
export function installLastResort() {
  if (lastResort) return;
  lastResort = true;
  const escaped = (kind: string) => (error: unknown) => {
    counts.escaped++;
    const fault = describeFault(kind, error);
    log.fatal({ fault, escaped: counts.escaped }, "failure escaped its guard; the process carries on");
    for (const w of watchers) {
      try {
        w(fault);
      } catch {}
    }
  };
  process.on("unhandledRejection", escaped("process:unhandledRejection"));
  process.on("uncaughtException", escaped("process:uncaughtException"));
}

/**
 * The passes of a background job, one at a time: asked while a pass runs, it runs one more after it (the running
 * pass may have read before what the caller just wrote) and answers with that next pass, which every caller asking
 * meanwhile shares; a failed pass is contained, and the next call retries. Once `stopped()` holds, nothing new starts.
 */
export class Passes {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly where: string,
    private readonly pass: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  run(): Promise<void> {
    if (this.stopped()) return Promise.resolve();
    if (this.running) {
      this.next ??= this.running.then(() => {
        this.next = undefined;
        return this.run();
      });
      return this.next;
    }
    this.running = contain(this.where, this.pass).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The pass under way, if any (a stopping job waits for it). */
  get current(): Promise<void> | undefined {
    return this.running;
  }
}
