// Polling an existing mailbox (for a support address hosted elsewhere). Each unseen letter is stored
// through the same store() as the SMTP intake and marked \Seen only afterwards: a crash between the two
// means the letter is fetched again next time, and the registry deduplicates it by Message-ID.
import { ImapFlow } from "imapflow";
import { after } from "../../guard.ts";

/** The part of ImapFlow we use; tests pass a fake with the same shape. */
export type ImapClient = {
  connect(): Promise<void>;
  getMailboxLock(path: string): Promise<{ release(): void }>;
  search(query: { seen: boolean }, options: { uid: true }): Promise<number[] | false | undefined>;
  fetchOne(
    uid: string,
    query: { source: true },
    options: { uid: true },
  ): Promise<{ source?: Buffer | undefined } | false>;
  messageFlagsAdd(uid: string, flags: string[], options: { uid: true }): Promise<boolean>;
  logout(): Promise<void>;
};

export type ImapPollOptions = {
  host: string;
  port: number;
  user: string;
  pass: string;
  mailbox?: string;
  /** TLS from the first byte (993); false for a STARTTLS port. Default: port === 993. */
  secure?: boolean;
  store(raw: Buffer): Promise<void>;
  /** Letters handled per pass, so one huge backlog does not hold the mailbox lock for an hour. */
  batchSize?: number;
  /** A letter that could not be fetched or stored: it stays unseen and the next pass takes it again. */
  onLetterError?(uid: number, error: Error): void;
  /** For tests. */
  client?: ImapClient;
};

export type ImapPollResult = { found: number; stored: number; failed: number };

export async function pollImap(options: ImapPollOptions): Promise<ImapPollResult> {
  const client: ImapClient = options.client ?? connectImapFlow(options);
  const result: ImapPollResult = { found: 0, stored: 0, failed: 0 };
  await client.connect();
  try {
    const lock = await client.getMailboxLock(options.mailbox ?? "INBOX");
    try {
      const uids = (await client.search({ seen: false }, { uid: true })) || [];
      result.found = uids.length;
      for (const uid of uids.slice(0, options.batchSize ?? 200)) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message === false || !message.source) {
          result.failed++;
          options.onLetterError?.(uid, Object.assign(new Error("letter not returned"), { code: "NOT_RETURNED" }));
          continue;
        }
        try {
          await options.store(message.source);
        } catch (error) {
          // Left unseen: the next pass tries again.
          result.failed++;
          options.onLetterError?.(uid, error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
        result.stored++;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => {});
  }
  return result;
}

function connectImapFlow(options: ImapPollOptions): ImapClient {
  const client = new ImapFlow({
    host: options.host,
    port: options.port,
    secure: options.secure ?? options.port === 993,
    auth: { user: options.user, pass: options.pass },
    logger: false,
  });
  // ImapFlow also emits socket errors as events; unheard, an event would crash the process. The same
  // failure reaches us as a rejected command, which is where it is handled.
  client.on("error", () => {});
  return client;
}

/**
 * Polls every `intervalMs`, never two passes at once (each pass schedules the next). A failed pass (server down,
 * a timeout while the process was busy starting) or one that left letters unseen is retried after `retryMs`.
 * Every pass is reported to `onResult`, a failed one as its Error. Returns a stop function, which waits for
 * a pass in flight.
 */
export function startImapPolling(
  options: ImapPollOptions & {
    intervalMs: number;
    retryMs?: number;
    firstDelayMs?: number;
    onResult?(r: ImapPollResult | Error, nextInMs: number): void;
  },
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  const retryMs = Math.min(options.retryMs ?? options.intervalMs, options.intervalMs);
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = after("imap.poll", ms, () => {
      inFlight = tick().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    });
    timer.unref?.();
  };
  const tick = async () => {
    // The pass runs whether or not anyone listens: in `onResult?.(await pollImap())` an absent onResult would
    // skip the whole call, the poll included.
    let outcome: ImapPollResult | Error;
    try {
      outcome = await pollImap(options);
    } catch (error) {
      outcome = error instanceof Error ? error : new Error(String(error));
    }
    const next = outcome instanceof Error || outcome.failed > 0 ? retryMs : options.intervalMs;
    try {
      options.onResult?.(outcome, next);
    } catch {
      // A listener that throws (a log write failing) must not stop the polling.
    }
    schedule(next);
  };
  schedule(options.firstDelayMs ?? 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await inFlight;
  };
}
