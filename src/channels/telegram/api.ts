// The Telegram Bot API as the messenger port's driver: `POST <api>/bot<token>/<method>` with JSON (multipart for a file
// sent), answers `{ok, result}` or `{ok: false, error_code, description, parameters}`. Telegram's refusals map to the
// port's codes: 429 waits `parameters.retry_after` seconds, 5xx and the network are retried, 403 (the user blocked the
// bot, or is gone) makes the chat undeliverable, other 4xx are final. Texts go as plain text (no parse_mode).

import { readBounded } from "../messenger/body.ts";
import { type MessengerDriver, MessengerError, type OutgoingFile, type OutgoingText } from "../messenger/port.ts";

export const TELEGRAM_LIMITS = { textMax: 4096, captionMax: 1024, perSecond: 30, perChatPerSecond: 1 };

/** Images Telegram shows as photos (up to 10 MB); anything else goes as a document. */
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
const PHOTO_MAX = 10 * 1024 * 1024;

export type TelegramUpdate = Record<string, unknown> & { update_id: number };

type Answer = {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
};

export class TelegramApi implements MessengerDriver {
  readonly channel = "telegram";
  readonly limits = TELEGRAM_LIMITS;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async call<T>(method: string, body: object | FormData = {}, opts: { signal?: AbortSignal; timeoutMs?: number } = {}) {
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs), ...(opts.signal ? [opts.signal] : [])];
    let res: Response;
    try {
      res = await fetch(`${this.base}/bot${this.token}/${method}`, {
        method: "POST",
        ...(body instanceof FormData
          ? { body }
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
        signal: AbortSignal.any(signals),
      });
    } catch (e) {
      throw new MessengerError((e as Error).name === "TimeoutError" ? "timeout" : "network", true);
    }
    const answer = (await res.json().catch(() => null)) as Answer | null;
    if (res.ok && answer?.ok) return answer.result as T;
    throw errorOf(res.status, answer);
  }

  getMe() {
    return this.call<{ id: number; username?: string }>("getMe");
  }

  getUpdates(offset: number, timeoutSeconds: number, signal?: AbortSignal) {
    return this.call<TelegramUpdate[]>(
      "getUpdates",
      { offset, timeout: timeoutSeconds, allowed_updates: ALLOWED_UPDATES },
      { signal, timeoutMs: (timeoutSeconds + 10) * 1000 },
    );
  }

  setWebhook(url: string, secretToken: string) {
    return this.call<boolean>("setWebhook", { url, secret_token: secretToken, allowed_updates: ALLOWED_UPDATES });
  }

  deleteWebhook() {
    return this.call<boolean>("deleteWebhook", { drop_pending_updates: false });
  }

  answerCallbackQuery(id: string, text?: string) {
    return this.call<boolean>("answerCallbackQuery", { callback_query_id: id, ...(text ? { text } : {}) });
  }

  async sendText(m: OutgoingText) {
    await this.call("sendMessage", {
      chat_id: m.chatId,
      text: m.text,
      link_preview_options: { is_disabled: true },
      ...(m.buttons?.length
        ? {
            reply_markup: {
              inline_keyboard: m.buttons.map((row) => row.map((b) => ({ text: b.text, callback_data: b.data }))),
            },
          }
        : {}),
    });
  }

  async sendFile(m: OutgoingFile) {
    const photo = PHOTO_TYPES.has(m.contentType) && m.bytes.length <= PHOTO_MAX;
    const form = new FormData();
    form.set("chat_id", m.chatId);
    if (m.caption) form.set("caption", m.caption.slice(0, this.limits.captionMax));
    form.set(photo ? "photo" : "document", new Blob([m.bytes], { type: m.contentType }), m.filename);
    await this.call(photo ? "sendPhoto" : "sendDocument", form, { timeoutMs: 60_000 });
  }

  async fetchFile(fileId: string, maxBytes: number): Promise<Buffer> {
    const file = await this.call<{ file_path?: string; file_size?: number }>("getFile", { file_id: fileId });
    if (file.file_size !== undefined && file.file_size > maxBytes) throw new MessengerError("file_too_large", false);
    if (!file.file_path) throw new MessengerError("file_unavailable", false);
    let res: Response;
    try {
      res = await fetch(`${this.base}/file/bot${this.token}/${file.file_path}`, {
        signal: AbortSignal.timeout(60_000),
      });
    } catch {
      throw new MessengerError("network", true);
    }
    return readBounded(res, maxBytes);
  }
}

/** What Otklik reads: messages, their edits and pressed buttons, in private chats. */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query"];

function errorOf(status: number, answer: Answer | null): MessengerError {
  const code = answer?.error_code ?? status;
  if (code === 429) {
    const wait = Number(answer?.parameters?.retry_after);
    return new MessengerError("rate_limited", true, Number.isFinite(wait) ? Math.min(wait, 86_400) : undefined);
  }
  if (code >= 500 || status >= 500) return new MessengerError(`provider_${code}`, true);
  if (code === 401) return new MessengerError("unauthorized", false);
  if (code === 409) return new MessengerError("conflict", false);
  // «Forbidden: bot was blocked by the user», «…user is deactivated», «…bot can't initiate conversation»: the chat
  // takes nothing more until the user writes again.
  if (code === 403) return new MessengerError("blocked", false, undefined, true);
  // The description names what was wrong; it can quote nothing of ours but a length, kept as a short code.
  const reason = /too long/i.test(answer?.description ?? "") ? "too_long" : String(code);
  return new MessengerError(`rejected_${reason}`, false);
}
