// The VK API as the messenger port's driver: `POST <api>/<method>` with form fields, `access_token` and `v` (the
// version is pinned), answers `{response}` or, still with HTTP 200, `{error: {error_code, error_msg}}`. VK's refusals
// map to the port's codes: 6 (too many requests a second), 9 (flood control) and 10 (VK's internal error) are retried,
// 901/902 (the user has not allowed the community's messages, or forbids them in privacy settings) make the chat
// undeliverable, 5 (the token refused) is final and logged without the token. The token travels in the body, never in
// an address that could reach a log. Calls are spaced evenly below VK's 20 a second for a community token.
import { createHash, randomInt } from "node:crypto";
import type { Logger } from "pino";
import { fetchMessengerFile, messengerFileHosts } from "../messenger/body.ts";
import { type MessengerDriver, MessengerError, type OutgoingFile, type OutgoingText } from "../messenger/port.ts";

export const VK_VERSION = "5.199";
/** One message to one chat a second; 15 messages a second overall leaves room for uploads and button answers. */
export const VK_LIMITS = { textMax: 4096, captionMax: 4096, perSecond: 15, perChatPerSecond: 1 };
/** API calls a second, all methods together (VK allows 20 for a community token; the margin absorbs delays). */
const CALLS_PER_SECOND = 15;
/** VK's «too many requests per second» (6) is waited out here this many times before it reaches the caller. */
const RATE_RETRIES = 3;
/** Photos VK shows as photos (up to 50 MB); anything else goes as a document. */
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/gif"]);
const PHOTO_MAX = 50 * 1024 * 1024;
/** Where VK keeps the files applicants send: an attachment's address must be on one of these (or the API's host). */
const FILE_HOSTS = [".userapi.com", ".vk.com", ".vk.me", ".vkuserphoto.ru", ".vk-cdn.net", ".mycdn.me"];
/** A button's label and payload as VK takes them. */
const LABEL_MAX = 40;
const SNACKBAR_MAX = 90;

type VkError = { error_code?: unknown; error_msg?: unknown };

export class VkApi implements MessengerDriver {
  readonly channel = "vk";
  readonly limits = VK_LIMITS;
  // Calls go evenly spaced, not in bursts: a burst that arrives late lands in VK's next second with the next burst.
  private nextCallAt = 0;
  private readonly fileHostAllowed: (u: URL) => boolean;

  constructor(
    private readonly base: string,
    private readonly token: string,
    private readonly log?: Pick<Logger, "error">,
    private readonly timeoutMs = 15_000,
  ) {
    this.fileHostAllowed = messengerFileHosts(base, FILE_HOSTS);
  }

  async call<T>(method: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce<T>(method, params);
      } catch (e) {
        // Requests that left paced can still arrive bunched up (another process, a slow network): a second's pause.
        if (!(e instanceof MessengerError && e.code === "rate_limited") || attempt >= RATE_RETRIES) throw e;
        this.nextCallAt = Math.max(this.nextCallAt, Date.now() + 1000);
      }
    }
  }

  private async callOnce<T>(method: string, params: Record<string, string | number | undefined>): Promise<T> {
    const now = Date.now();
    const at = Math.max(now, this.nextCallAt);
    this.nextCallAt = at + 1000 / CALLS_PER_SECOND;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, String(v));
    form.set("access_token", this.token);
    form.set("v", VK_VERSION);
    let res: Response;
    try {
      res = await fetch(`${this.base}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new MessengerError((e as Error).name === "TimeoutError" ? "timeout" : "network", true);
    }
    if (res.status >= 500) throw new MessengerError(`provider_${res.status}`, true);
    const answer = (await res.json().catch(() => null)) as { response?: unknown; error?: VkError } | null;
    if (answer && "response" in answer && !answer.error) return answer.response as T;
    const code = Number(answer?.error?.error_code ?? res.status);
    if (code === 5) this.log?.error({ method, code }, "VK refused the community token: check OTKLIK_VK_TOKEN");
    throw errorOf(code);
  }

  userName(userId: string) {
    return this.call<{ first_name?: string; last_name?: string }[]>("users.get", { user_ids: userId }).then(
      (users) => [users[0]?.first_name, users[0]?.last_name].filter(Boolean).join(" ") || undefined,
    );
  }

  /** The answer to a callback button: VK shows a spinner on it until then; a notice shows as a snackbar. */
  answerEvent(eventId: string, userId: string, peerId: string, notice?: string) {
    return this.call<number>("messages.sendMessageEventAnswer", {
      event_id: eventId,
      user_id: userId,
      peer_id: peerId,
      event_data: notice ? JSON.stringify({ type: "show_snackbar", text: notice.slice(0, SNACKBAR_MAX) }) : undefined,
    });
  }

  async sendText(m: OutgoingText) {
    await this.send(m.chatId, m.key, {
      message: m.text,
      keyboard: m.buttons?.length ? JSON.stringify(keyboardOf(m.buttons)) : undefined,
    });
  }

  async sendFile(m: OutgoingFile) {
    const photo = PHOTO_TYPES.has(m.contentType) && m.bytes.length <= PHOTO_MAX;
    const attachment = photo ? await this.uploadPhoto(m) : await this.uploadDoc(m);
    await this.send(m.chatId, m.key, {
      attachment,
      message: m.caption ? m.caption.slice(0, this.limits.captionMax) : undefined,
    });
  }

  private send(peerId: string, key: string | undefined, fields: Record<string, string | undefined>) {
    return this.call<number>("messages.send", {
      peer_id: peerId,
      random_id: randomIdOf(peerId, key),
      dont_parse_links: 1,
      ...fields,
    });
  }

  private async uploadPhoto(m: OutgoingFile): Promise<string> {
    const server = await this.call<{ upload_url: string }>("photos.getMessagesUploadServer", { peer_id: m.chatId });
    const up = await this.upload<{ server?: number; photo?: string; hash?: string }>(server.upload_url, "photo", m);
    if (!up.photo || up.photo === "[]" || up.server === undefined || !up.hash) {
      throw new MessengerError("upload_refused", false);
    }
    const [saved] = await this.call<{ id: number; owner_id: number; access_key?: string }[]>(
      "photos.saveMessagesPhoto",
      { photo: up.photo, server: up.server, hash: up.hash },
    );
    if (!saved) throw new MessengerError("upload_refused", false);
    return `photo${saved.owner_id}_${saved.id}${saved.access_key ? `_${saved.access_key}` : ""}`;
  }

  private async uploadDoc(m: OutgoingFile): Promise<string> {
    const server = await this.call<{ upload_url: string }>("docs.getMessagesUploadServer", {
      type: "doc",
      peer_id: m.chatId,
    });
    const up = await this.upload<{ file?: string }>(server.upload_url, "file", m);
    if (!up.file) throw new MessengerError("upload_refused", false);
    const saved = await this.call<{ doc?: { id: number; owner_id: number } }>("docs.save", {
      file: up.file,
      title: m.filename,
    });
    if (!saved.doc) throw new MessengerError("upload_refused", false);
    return `doc${saved.doc.owner_id}_${saved.doc.id}`;
  }

  /** The multipart upload to the server VK named; it answers JSON, `{error}` when it refused the file. */
  private async upload<T>(url: string, field: string, m: OutgoingFile): Promise<T> {
    const form = new FormData();
    form.set(field, new Blob([m.bytes], { type: m.contentType }), m.filename);
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", body: form, signal: AbortSignal.timeout(60_000) });
    } catch {
      throw new MessengerError("network", true);
    }
    if (res.status >= 500) throw new MessengerError(`upload_${res.status}`, true);
    const answer = (await res.json().catch(() => null)) as (T & { error?: unknown }) | null;
    if (!res.ok || !answer || answer.error) throw new MessengerError("upload_refused", false);
    return answer;
  }

  /** A file the applicant sent: its address is the file id (the largest photo size, a document's `url`). */
  async fetchFile(fileId: string, maxBytes: number): Promise<Buffer> {
    return fetchMessengerFile(fileId, maxBytes, this.fileHostAllowed);
  }
}

/** An inline keyboard of callback buttons: a press comes back as `message_event` with the payload. */
export function keyboardOf(rows: { text: string; data: string }[][]) {
  return {
    inline: true,
    buttons: rows.map((row) =>
      row.map((b) => ({
        action: { type: "callback", label: b.text.slice(0, LABEL_MAX), payload: JSON.stringify({ b: b.data }) },
        color: "secondary",
      })),
    ),
  };
}

/**
 * VK's `random_id` (a signed 32-bit number): the same for every attempt at one part of one outgoing item, so a retry
 * after a lost answer is the message VK already has, not a second one.
 */
export function randomIdOf(peerId: string, key: string | undefined): number {
  if (!key) return randomInt(1, 2 ** 31 - 1);
  const n = createHash("sha256").update(`${peerId}:${key}`).digest().readInt32BE(0);
  return n === 0 ? 1 : n;
}

function errorOf(code: number): MessengerError {
  switch (code) {
    case 6:
      return new MessengerError("rate_limited", true, 1);
    case 9:
      return new MessengerError("flood_control", true, 3);
    case 10:
      return new MessengerError("provider_10", true, 1);
    case 5:
      return new MessengerError("unauthorized", false);
    case 901:
      return new MessengerError("denied", false, undefined, true);
    case 902:
      return new MessengerError("privacy", false, undefined, true);
    case 914:
      return new MessengerError("rejected_too_long", false);
    default:
      return new MessengerError(`rejected_${Number.isFinite(code) ? code : "unknown"}`, false);
  }
}
