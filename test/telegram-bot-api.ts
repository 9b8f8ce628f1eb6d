// A stand-in Telegram Bot API on loopback that speaks the real protocol: `POST /bot<token>/<method>` with a JSON body
// (or multipart for a file upload), answers `{ok: true, result}` or `{ok: false, error_code, description, parameters}`;
// `GET /file/bot<token>/<file_path>` for a file's bytes. Its errors are Telegram's: 401 for a bad token, 409 when
// getUpdates runs while a webhook is set, 429 with `parameters.retry_after` past 30 messages a second overall or one a
// second in a chat, 403 «Forbidden: bot was blocked by the user», 400 for a text over 4,096 characters. A test injects
// updates (they wait for getUpdates, or are posted to the webhook with its secret token) and reads what was sent.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type SentMessage = {
  method: "sendMessage" | "sendPhoto" | "sendDocument";
  chatId: number;
  text: string;
  replyMarkup?: { inline_keyboard: { text: string; callback_data?: string }[][] } | undefined;
  parseMode?: string | undefined;
  file?: { filename: string; contentType: string; bytes: Buffer } | undefined;
  at: number;
};

export type StandInOptions = {
  token: string;
  /** Messages a second, all chats together (Telegram: 30). */
  perSecond?: number;
  /** Messages a second in one chat (Telegram: 1). */
  perChatPerSecond?: number;
  retryAfter?: number;
};

type Update = Record<string, unknown> & { update_id: number };

export async function startTelegramBotApi(o: StandInOptions) {
  const sent: SentMessage[] = [];
  const calls: string[] = [];
  const queue: Update[] = [];
  const files = new Map<string, { path: string; bytes: Buffer }>();
  const blocked = new Set<number>();
  const answeredCallbacks: { id: string; text?: string }[] = [];
  const refusals: { method: string; code: number }[] = [];
  let webhook: { url: string; secret: string | undefined } | null = null;
  let nextUpdateId = 100_000;
  let nextMessageId = 1;
  let waiters: (() => void)[] = [];
  const recent: { chatId: number; at: number }[] = [];
  // Answers a test scripts for the next sends, before anything else is looked at (a 429 with retry_after, a 502).
  const scripted: { code: number; description: string; retryAfter?: number }[] = [];

  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, method: string, code: number, description: string, parameters?: object) => {
    refusals.push({ method, code });
    json(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
  };

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("multipart/form-data")) {
      const form = await new Response(raw, { headers: { "content-type": type } }).formData();
      const out: Record<string, unknown> = {};
      for (const [k, v] of form.entries()) {
        if (typeof v === "string") out[k] = v;
        else out[k] = { filename: v.name, contentType: v.type, bytes: Buffer.from(await v.arrayBuffer()) };
      }
      return out;
    }
    if (raw.length === 0) return {};
    return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
  }

  /** Telegram's flood control: a message past the limits is refused with the seconds to wait. */
  function overLimit(chatId: number): boolean {
    const now = Date.now();
    while (recent.length && now - recent[0]!.at >= 1000) recent.shift();
    if (recent.length >= (o.perSecond ?? 30)) return true;
    return recent.filter((r) => r.chatId === chatId).length >= (o.perChatPerSecond ?? 1);
  }

  async function method(name: string, body: Record<string, unknown>, res: ServerResponse) {
    calls.push(name);
    switch (name) {
      case "getMe":
        return json(res, 200, {
          ok: true,
          result: { id: 7_000_001, is_bot: true, first_name: "Отклик", username: "otklik_test_bot" },
        });
      case "setWebhook": {
        const url = String(body.url ?? "");
        if (url && !url.startsWith("https://")) {
          return fail(res, name, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
        }
        webhook = url ? { url, secret: typeof body.secret_token === "string" ? body.secret_token : undefined } : null;
        return json(res, 200, { ok: true, result: true, description: "Webhook was set" });
      }
      case "deleteWebhook":
        webhook = null;
        return json(res, 200, { ok: true, result: true, description: "Webhook was deleted" });
      case "getUpdates": {
        if (webhook) {
          return fail(
            res,
            name,
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
          );
        }
        const offset = Number(body.offset ?? 0);
        // An offset confirms every update before it: they are forgotten.
        while (queue.length && queue[0]!.update_id < offset) queue.shift();
        const timeout = Math.min(Number(body.timeout ?? 0), 50);
        if (queue.length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, timeout * 1000);
            waiters.push(() => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        const limit = Math.min(Number(body.limit ?? 100), 100);
        return json(res, 200, { ok: true, result: queue.slice(0, limit) });
      }
      case "answerCallbackQuery":
        answeredCallbacks.push({
          id: String(body.callback_query_id),
          ...(typeof body.text === "string" ? { text: body.text } : {}),
        });
        return json(res, 200, { ok: true, result: true });
      case "getFile": {
        const f = files.get(String(body.file_id));
        if (!f) return fail(res, name, 400, "Bad Request: invalid file_id");
        return json(res, 200, {
          ok: true,
          result: {
            file_id: body.file_id,
            file_unique_id: `u${body.file_id}`,
            file_size: f.bytes.length,
            file_path: f.path,
          },
        });
      }
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument": {
        const chatId = Number(body.chat_id);
        if (!Number.isFinite(chatId)) return fail(res, name, 400, "Bad Request: chat_id is empty");
        const next = scripted.shift();
        if (next) {
          return fail(
            res,
            name,
            next.code,
            next.description,
            next.retryAfter ? { retry_after: next.retryAfter } : undefined,
          );
        }
        if (blocked.has(chatId)) return fail(res, name, 403, "Forbidden: bot was blocked by the user");
        const text = String(name === "sendMessage" ? (body.text ?? "") : (body.caption ?? ""));
        if (name === "sendMessage" && !text.trim()) return fail(res, name, 400, "Bad Request: message text is empty");
        if (name === "sendMessage" && text.length > 4096)
          return fail(res, name, 400, "Bad Request: message is too long");
        if (name !== "sendMessage" && text.length > 1024) {
          return fail(res, name, 400, "Bad Request: message caption is too long");
        }
        if (body.parse_mode === "MarkdownV2" && hasUnescaped(text)) {
          return fail(
            res,
            name,
            400,
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
          );
        }
        const field = name === "sendPhoto" ? "photo" : "document";
        const file = body[field] as SentMessage["file"] | string | undefined;
        if (name !== "sendMessage" && (!file || typeof file === "string")) {
          return fail(res, name, 400, `Bad Request: there is no ${field} in the request`);
        }
        if (overLimit(chatId)) {
          const retry = o.retryAfter ?? 1;
          return fail(res, name, 429, `Too Many Requests: retry after ${retry}`, { retry_after: retry });
        }
        recent.push({ chatId, at: Date.now() });
        const markup = typeof body.reply_markup === "string" ? JSON.parse(body.reply_markup) : body.reply_markup;
        sent.push({
          method: name,
          chatId,
          text,
          replyMarkup: markup as SentMessage["replyMarkup"],
          parseMode: typeof body.parse_mode === "string" ? body.parse_mode : undefined,
          file: typeof file === "object" ? file : undefined,
          at: Date.now(),
        });
        return json(res, 200, {
          ok: true,
          result: {
            message_id: nextMessageId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chatId, type: "private" },
            text,
          },
        });
      }
      default:
        return fail(res, name, 404, "Not Found");
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      if (fileMatch[1] !== o.token) return fail(res, "file", 401, "Unauthorized");
      const f = [...files.values()].find((x) => x.path === fileMatch[2]);
      if (!f) return fail(res, "file", 404, "Not Found");
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(f.bytes);
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return fail(res, "?", 404, "Not Found");
    if (m[1] !== o.token) return fail(res, m[2]!, 401, "Unauthorized");
    readBody(req)
      .then((body) => method(m[2]!, { ...Object.fromEntries(url.searchParams), ...body }, res))
      .catch(() => fail(res, m[2]!, 400, "Bad Request: can't parse request"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  function push(update: Omit<Update, "update_id">): number {
    const u = { ...update, update_id: nextUpdateId++ } as Update;
    queue.push(u);
    wake();
    return u.update_id;
  }

  const from = (chatId: number, name = "Анна") => ({
    id: chatId,
    is_bot: false,
    first_name: name,
    language_code: "ru",
  });
  const chat = (chatId: number, name = "Анна") => ({ id: chatId, type: "private", first_name: name });

  return {
    url: `http://127.0.0.1:${port}`,
    token: o.token,
    sent,
    calls,
    refusals,
    answeredCallbacks,
    webhook: () => webhook,
    /** Updates not yet confirmed by an offset. */
    pending: () => queue.length,
    /** The next sends' answers, in order. */
    script(...answers: { code: number; description: string; retryAfter?: number }[]) {
      scripted.push(...answers);
    },
    block: (chatId: number) => blocked.add(chatId),
    unblock: (chatId: number) => blocked.delete(chatId),
    /** A file the applicant sent: its id for a `photo`/`document` field. */
    addFile(bytes: Buffer): string {
      const id = `f${randomBytes(6).toString("hex")}`;
      files.set(id, { path: `documents/file_${files.size}.bin`, bytes });
      return id;
    },
    text(chatId: number, text: string, name?: string) {
      return push({
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          from: from(chatId, name),
          chat: chat(chatId, name),
          text,
        },
      });
    },
    edit(chatId: number, messageId: number, text: string) {
      return push({
        edited_message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000) - 5,
          edit_date: Math.floor(Date.now() / 1000),
          from: from(chatId),
          chat: chat(chatId),
          text,
        },
      });
    },
    document(chatId: number, fileId: string, fileName: string, caption?: string) {
      return push({
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          from: from(chatId),
          chat: chat(chatId),
          document: { file_id: fileId, file_unique_id: `u${fileId}`, file_name: fileName },
          ...(caption ? { caption } : {}),
        },
      });
    },
    photo(chatId: number, fileId: string) {
      return push({
        message: {
          message_id: nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          from: from(chatId),
          chat: chat(chatId),
          photo: [{ file_id: fileId, file_unique_id: `u${fileId}`, width: 90, height: 90 }],
        },
      });
    },
    press(chatId: number, data: string) {
      return push({
        callback_query: {
          id: `cb${nextUpdateId}`,
          from: from(chatId),
          message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: chat(chatId), text: "…" },
          chat_instance: "ci",
          data,
        },
      });
    },
    /** The oldest pending update, as Telegram would post it to the webhook (with `webhook().secret` in its header). */
    takeUpdate(): Update {
      const u = queue.shift();
      if (!u) throw new Error("no update is pending");
      return u;
    },
    close: () =>
      new Promise<void>((resolve) => {
        wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** MarkdownV2: these characters must come escaped with a backslash anywhere outside an entity. */
function hasUnescaped(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      i++;
      continue;
    }
    if ("_*[]()~`>#+-=|{}.!".includes(c)) return true;
  }
  return false;
}

export type TelegramBotApi = Awaited<ReturnType<typeof startTelegramBotApi>>;
