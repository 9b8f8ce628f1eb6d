// The MAX Bot API as the messenger port's driver: `<api>/<path>?<query>` with the bot's token in the `Authorization`
// header (never in an address that could reach a log), JSON both ways; a refusal is an HTTP status with
// `{code, message}`. MAX's refusals map to the port's codes: 429 (over 30 requests a second) waits, 5xx and the network
// are retried, 403 (the user stopped the bot, or the dialog is closed to it) and 404 for the chat make the chat
// undeliverable, 401 (the token refused) and other 4xx are final. Texts go as plain text (no `format`). A file is
// uploaded first (`POST /uploads` → an upload address → the bytes) and sent as an attachment by its token; MAX refuses
// a message with a file it is still processing (`attachment.not.ready`), which is sent again after a short wait.
import type { Logger } from "pino";
import { fetchMessengerFile, messengerFileHosts } from "../messenger/body.ts";
import {
  type Button,
  type MessengerDriver,
  MessengerError,
  type OutgoingFile,
  type OutgoingText,
} from "../messenger/port.ts";

/**
 * A message's text is at most 4,000 characters, a file's caption is the same message's text. MAX allows a bot 30
 * requests a second; messages go at 20 a second overall and one a second to one chat, which leaves room for uploads
 * and the answers to pressed buttons.
 */
export const MAX_LIMITS = { textMax: 4000, captionMax: 4000, perSecond: 20, perChatPerSecond: 1 };
/** Requests a second, all methods together (MAX allows 30; the margin absorbs delays and other processes). */
const CALLS_PER_SECOND = 25;
/** An upload of `type=image` takes JPEG, PNG, GIF, TIFF, BMP and HEIC up to 50 MB; anything else goes as a file. */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/tiff", "image/bmp", "image/heic"]);
const IMAGE_MAX = 50 * 1024 * 1024;
/** A message with a file MAX is still processing is sent again after these pauses, then left to the outbox. */
const NOT_READY_WAITS_MS = [500, 1000, 2000, 4000];
/** Where MAX keeps the files applicants send: an attachment's address must be on one of these (or the API's host). */
const FILE_HOSTS = [".max.ru", ".oneme.ru", ".okcdn.ru", ".mycdn.me"];
/** A button's label and a pressed button's notice as MAX takes them. */
const LABEL_MAX = 128;
const NOTICE_MAX = 200;

/** What Otklik reads: messages, their edits, pressed buttons, and the user starting or stopping the bot. */
export const UPDATE_TYPES = ["message_created", "message_edited", "message_callback", "bot_started", "bot_stopped"];

export type MaxUpdate = Record<string, unknown> & { update_type: string };

type Query = Record<string, string | number | undefined>;

export class MaxApi implements MessengerDriver {
  readonly channel = "max";
  readonly limits = MAX_LIMITS;
  // Calls go evenly spaced, not in bursts: a burst that arrives late lands in MAX's next second with the next burst.
  private nextCallAt = 0;
  private readonly fileHostAllowed: (u: URL) => boolean;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly log?: Pick<Logger, "error">,
    private readonly timeoutMs = 15_000,
    private readonly notReadyWaitsMs = NOT_READY_WAITS_MS,
  ) {
    this.fileHostAllowed = messengerFileHosts(base, FILE_HOSTS);
  }

  async call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    o: { query?: Query; body?: object; signal?: AbortSignal; timeoutMs?: number; paced?: boolean } = {},
  ): Promise<T> {
    if (o.paced !== false) await this.pace();
    const url = new URL(`${this.base}/${path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const signals = [AbortSignal.timeout(o.timeoutMs ?? this.timeoutMs), ...(o.signal ? [o.signal] : [])];
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: this.token,
          ...(o.body ? { "content-type": "application/json" } : {}),
        },
        ...(o.body ? { body: JSON.stringify(o.body) } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (e) {
      throw new MessengerError((e as Error).name === "TimeoutError" ? "timeout" : "network", true);
    }
    const answer = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.ok && answer) return answer as T;
    if (res.status === 401) this.log?.error({ path }, "MAX refused the bot's token: check OTKLIK_MAX_TOKEN");
    throw errorOf(res.status, answer, res.headers.get("retry-after"));
  }

  private async pace() {
    const now = Date.now();
    const at = Math.max(now, this.nextCallAt);
    this.nextCallAt = at + 1000 / CALLS_PER_SECOND;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  me() {
    return this.call<{ user_id: number; username?: string }>("GET", "me");
  }

  /** A long poll: updates after the marker (all not yet confirmed without one), and the marker to pass next. */
  getUpdates(marker: number | undefined, timeoutSeconds: number, signal?: AbortSignal) {
    return this.call<{ updates?: MaxUpdate[]; marker?: number | null }>("GET", "updates", {
      query: { marker, timeout: timeoutSeconds, limit: 100, types: UPDATE_TYPES.join(",") },
      signal,
      timeoutMs: (timeoutSeconds + 10) * 1000,
      // The poll waits on MAX's side; it does not count against the sends' pace.
      paced: false,
    });
  }

  subscribe(url: string, secret: string) {
    return this.call<{ success?: boolean }>("POST", "subscriptions", {
      body: { url, update_types: UPDATE_TYPES, secret },
    });
  }

  subscriptions() {
    return this.call<{ subscriptions?: { url: string }[] }>("GET", "subscriptions");
  }

  unsubscribe(url: string) {
    return this.call<{ success?: boolean }>("DELETE", "subscriptions", { query: { url } });
  }

  /** The answer to a pressed button: a notice shows to the user once. */
  answerCallback(callbackId: string, notice?: string) {
    return this.call<{ success?: boolean }>("POST", "answers", {
      query: { callback_id: callbackId },
      body: notice ? { notification: notice.slice(0, NOTICE_MAX) } : {},
    });
  }

  async sendText(m: OutgoingText) {
    await this.send(m.chatId, {
      text: m.text,
      attachments: m.buttons?.length ? [keyboardOf(m.buttons)] : [],
    });
  }

  async sendFile(m: OutgoingFile) {
    const image = IMAGE_TYPES.has(m.contentType) && m.bytes.length <= IMAGE_MAX;
    const attachment = await this.upload(image ? "image" : "file", m);
    const body = {
      text: m.caption ? m.caption.slice(0, this.limits.captionMax) : undefined,
      attachments: [attachment],
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(m.chatId, body);
        return;
      } catch (e) {
        // MAX still processes the file: the same message a little later (its upload stays valid).
        const wait = this.notReadyWaitsMs[attempt];
        if (!(e instanceof MessengerError && e.code === "attachment_not_ready") || wait === undefined) throw e;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private send(userId: string, body: { text?: string | undefined; attachments: object[] }) {
    return this.call("POST", "messages", {
      query: { user_id: userId, disable_link_preview: "true" },
      body: { ...body, notify: true },
    });
  }

  /** `POST /uploads?type=…` names an upload address; the bytes go there as the multipart field `data`. */
  private async upload(type: "image" | "file", m: OutgoingFile): Promise<object> {
    const endpoint = await this.call<{ url?: string; token?: string }>("POST", "uploads", { query: { type } });
    if (!endpoint.url) throw new MessengerError("upload_refused", false);
    const form = new FormData();
    form.set("data", new Blob([m.bytes], { type: m.contentType }), m.filename);
    let res: Response;
    try {
      res = await fetch(endpoint.url, { method: "POST", body: form, signal: AbortSignal.timeout(120_000) });
    } catch {
      throw new MessengerError("network", true);
    }
    if (res.status >= 500) throw new MessengerError(`upload_${res.status}`, true);
    const answer = (await res.json().catch(() => null)) as {
      token?: string;
      photos?: Record<string, { token?: string }>;
    } | null;
    if (!res.ok || !answer) throw new MessengerError("upload_refused", false);
    // An image answers with its sizes' tokens (`photos`), a file with its token; the endpoint may have named it.
    if (type === "image" && answer.photos && Object.keys(answer.photos).length > 0) {
      return { type, payload: { photos: answer.photos } };
    }
    const token = answer.token ?? endpoint.token;
    if (!token) throw new MessengerError("upload_refused", false);
    return { type, payload: { token } };
  }

  /** A file the applicant sent: its address is the file id (an image's or a file's `payload.url`). */
  async fetchFile(fileId: string, maxBytes: number): Promise<Buffer> {
    return fetchMessengerFile(fileId, maxBytes, this.fileHostAllowed);
  }
}

/** An inline keyboard of callback buttons: a press comes back as `message_callback` with the payload. */
export function keyboardOf(rows: Button[][]) {
  return {
    type: "inline_keyboard",
    payload: {
      buttons: rows.map((row) =>
        row.map((b) => ({ type: "callback", text: b.text.slice(0, LABEL_MAX), payload: b.data })),
      ),
    },
  };
}

function errorOf(status: number, answer: Record<string, unknown> | null, retryAfter: string | null): MessengerError {
  const code = typeof answer?.code === "string" ? answer.code : "";
  if (status === 429) {
    const wait = Number(retryAfter);
    return new MessengerError("rate_limited", true, Number.isFinite(wait) && wait > 0 ? Math.min(wait, 86_400) : 1);
  }
  if (status >= 500) return new MessengerError(`provider_${status}`, true);
  if (code === "attachment.not.ready") return new MessengerError("attachment_not_ready", true, 5);
  if (status === 401) return new MessengerError("unauthorized", false);
  // «chat.denied»: the user stopped the bot (or the dialog is closed to it); it takes nothing until they write again.
  if (status === 403) return new MessengerError("blocked", false, undefined, true);
  // The dialog or its user is gone; a 404 of anything else (a wrong address) is a plain refusal.
  if (status === 404 && /chat|user|dialog/i.test(code))
    return new MessengerError("chat_not_found", false, undefined, true);
  // The message names what was wrong; of ours it can quote nothing but a length, kept as a short code.
  const reason = /length|too long|too\.long/i.test(`${code} ${String(answer?.message ?? "")}`) ? "too_long" : status;
  return new MessengerError(`rejected_${reason}`, false);
}
