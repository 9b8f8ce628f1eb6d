// A stand-in MAX Bot API on loopback that speaks the real protocol: `<method> /<path>?<query>` with the bot's token in
// the `Authorization` header and JSON bodies; an answer is the result itself, a refusal an HTTP status with
// `{code, message}`. Its errors are MAX's: 401 `verify.token` for a bad token, 429 past 30 requests a second,
// 400 for a text over 4,000 characters, 400 `attachment.not.ready` for the first message with a file just uploaded,
// 403 `chat.denied` for a user who stopped the bot, 405 for long polling while a webhook is subscribed. Files go
// through `POST /uploads` → an upload address → multipart field `data` → a token. A test injects updates (they wait
// for `GET /updates`, or are taken to be posted to the webhook with the subscription's secret) and reads what was sent.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

type Keyboard = { type: string; text: string; payload?: string }[][];

export type MaxSent = {
  userId: number;
  text: string;
  format?: string | undefined;
  keyboard?: Keyboard | undefined;
  file?: { type: "image" | "file"; filename: string; contentType: string; bytes: Buffer } | undefined;
  at: number;
};

export type MaxStandInOptions = {
  token: string;
  /** Requests a second, all methods together (MAX: 30). */
  perSecond?: number;
};

export type MaxUpdate = Record<string, unknown> & { update_type: string; timestamp: number };

const TEXT_MAX = 4000;
const LABEL_MAX = 128;
const PAYLOAD_MAX = 1024;
const IMAGE_MAX = 50 * 1024 * 1024;

export async function startMaxBotApi(o: MaxStandInOptions) {
  const sent: MaxSent[] = [];
  const calls: string[] = [];
  const refusals: { path: string; status: number; code: string }[] = [];
  const answers: { callbackId: string; notification?: string }[] = [];
  // Updates by their sequence number: a marker confirms every update before it.
  const updates: { seq: number; update: MaxUpdate }[] = [];
  let committed = 0;
  let nextSeq = 1;
  const files = new Map<string, Buffer>();
  const uploads = new Map<string, { type: "image" | "file"; token?: string }>();
  // Uploaded files by token: whether MAX has «processed» it yet (the first message with it is refused).
  const tokens = new Map<string, { ready: boolean; filename: string; contentType: string; bytes: Buffer }>();
  const stopped = new Set<number>();
  let subscription: { url: string; secret: string | undefined; types: string[] } | null = null;
  let waiters: (() => void)[] = [];
  const recent: number[] = [];
  const scripted: { status: number; code: string; message: string; retryAfter?: number }[] = [];
  let mid = 1;
  let clock = Date.now();
  const now = () => Math.max(Date.now(), ++clock);

  let base = "";
  const json = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, path: string, status: number, code: string, message: string, retry?: number) => {
    refusals.push({ path, status, code });
    json(res, status, { code, message }, retry ? { "retry-after": String(retry) } : {});
  };

  async function readRaw(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** MAX's rate limit: every request of the bot counts. */
  function overLimit(): boolean {
    const t = Date.now();
    while (recent.length && t - recent[0]! >= 1000) recent.shift();
    if (recent.length >= (o.perSecond ?? 30)) return true;
    recent.push(t);
    return false;
  }

  function keyboardOf(attachments: unknown[]): Keyboard | string | undefined {
    const kb = attachments.find((a) => (a as { type?: string }).type === "inline_keyboard") as
      | { payload?: { buttons?: Keyboard } }
      | undefined;
    if (!kb) return undefined;
    const rows = kb.payload?.buttons;
    if (!Array.isArray(rows) || rows.length === 0) return "buttons: must not be empty";
    for (const b of rows.flat()) {
      if (!b.text || b.text.length > LABEL_MAX) return `button.text: size must be between 1 and ${LABEL_MAX}`;
      if (b.type === "callback" && (!b.payload || b.payload.length > PAYLOAD_MAX)) {
        return `button.payload: size must be between 1 and ${PAYLOAD_MAX}`;
      }
    }
    return rows;
  }

  async function sendMessage(url: URL, body: Record<string, unknown>, res: ServerResponse) {
    const path = "messages";
    const userId = Number(url.searchParams.get("user_id"));
    if (!Number.isSafeInteger(userId) || userId <= 0) {
      return fail(res, path, 400, "proto.payload", "user_id or chat_id is required");
    }
    const next = scripted.shift();
    if (next) return fail(res, path, next.status, next.code, next.message, next.retryAfter);
    if (stopped.has(userId)) return fail(res, path, 403, "chat.denied", "chat.denied: dialog is suspended by user");
    const text = typeof body.text === "string" ? body.text : "";
    if (text.length > TEXT_MAX) {
      return fail(res, path, 400, "proto.payload", `text: length must be less than or equal to ${TEXT_MAX}`);
    }
    const attachments = Array.isArray(body.attachments) ? (body.attachments as unknown[]) : [];
    const keyboard = keyboardOf(attachments);
    if (typeof keyboard === "string") return fail(res, path, 400, "proto.payload", keyboard);
    const media = attachments.filter((a) => ["image", "file"].includes((a as { type?: string }).type ?? "")) as {
      type: "image" | "file";
      payload?: { token?: string; photos?: Record<string, { token?: string }> };
    }[];
    if (!text.trim() && media.length === 0) return fail(res, path, 400, "proto.payload", "text: must not be empty");
    let file: MaxSent["file"];
    for (const a of media) {
      const token = a.payload?.token ?? Object.values(a.payload?.photos ?? {})[0]?.token;
      const t = token ? tokens.get(token) : undefined;
      if (!t) return fail(res, path, 400, "attachment.invalid", "Invalid attachment token");
      if (!t.ready) {
        // MAX processes a file after its upload: a message sent too soon is refused and is to be sent again.
        t.ready = true;
        return fail(res, path, 400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed");
      }
      file = { type: a.type, filename: t.filename, contentType: t.contentType, bytes: t.bytes };
    }
    const at = now();
    sent.push({
      userId,
      text,
      format: typeof body.format === "string" ? body.format : undefined,
      keyboard: keyboard as Keyboard | undefined,
      file,
      at: Date.now(),
    });
    return json(res, 200, {
      message: {
        recipient: { chat_id: userId, chat_type: "dialog", user_id: userId },
        timestamp: at,
        body: { mid: `mid.${(mid++).toString(16).padStart(16, "0")}`, seq: at, text, attachments },
      },
    });
  }

  async function api(req: IncomingMessage, url: URL, res: ServerResponse) {
    const path = url.pathname.slice(1);
    const method = req.method ?? "GET";
    calls.push(`${method} ${path}`);
    if (req.headers.authorization !== o.token) {
      return fail(res, path, 401, "verify.token", "Invalid access_token");
    }
    const raw = await readRaw(req);
    let body: Record<string, unknown> = {};
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      } catch {
        return fail(res, path, 400, "proto.payload", "Could not parse request body");
      }
    }
    if (path !== "updates" && overLimit()) {
      return fail(res, path, 429, "too.many.requests", "Too many requests", 1);
    }
    switch (`${method} ${path}`) {
      case "GET me":
        return json(res, 200, { user_id: 7_000_002, first_name: "Отклик", username: "otklik_test_bot", is_bot: true });
      case "GET updates": {
        if (subscription) {
          return fail(res, path, 405, "method.not.allowed", "Long polling is not available while a webhook is set");
        }
        const marker = url.searchParams.get("marker");
        // A marker confirms every update before it: they are forgotten.
        if (marker !== null) committed = Math.max(committed, Number(marker) - 1);
        const types = url.searchParams.get("types")?.split(",");
        const pending = () =>
          updates.filter((u) => u.seq > committed && (!types || types.includes(u.update.update_type)));
        const timeout = Math.min(Number(url.searchParams.get("timeout") ?? 30), 90);
        if (pending().length === 0 && timeout > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, timeout * 1000);
            waiters.push(() => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        const limit = Math.min(Number(url.searchParams.get("limit") ?? 100), 1000);
        const batch = pending().slice(0, limit);
        const last = batch.at(-1)?.seq ?? committed;
        return json(res, 200, { updates: batch.map((u) => u.update), marker: last + 1 });
      }
      case "GET subscriptions":
        return json(res, 200, {
          subscriptions: subscription
            ? [{ url: subscription.url, time: Date.now(), update_types: subscription.types }]
            : [],
        });
      case "POST subscriptions": {
        const target = String(body.url ?? "");
        if (!target.startsWith("https://"))
          return fail(res, path, 400, "proto.payload", "url: must start with https://");
        const secret = typeof body.secret === "string" ? body.secret : undefined;
        if (secret !== undefined && !/^[\w-]{5,256}$/.test(secret)) {
          return fail(res, path, 400, "proto.payload", "secret: must match ^[\\w-]+$, 5-256 characters");
        }
        const types = Array.isArray(body.update_types) ? body.update_types.map(String) : [];
        subscription = { url: target, secret, types };
        return json(res, 200, { success: true });
      }
      case "DELETE subscriptions":
        if (subscription?.url === url.searchParams.get("url")) subscription = null;
        return json(res, 200, { success: true });
      case "POST answers": {
        const id = url.searchParams.get("callback_id");
        if (!id) return fail(res, path, 400, "proto.payload", "callback_id is required");
        answers.push({
          callbackId: id,
          ...(typeof body.notification === "string" ? { notification: body.notification } : {}),
        });
        return json(res, 200, { success: true });
      }
      case "POST uploads": {
        const type = url.searchParams.get("type");
        if (type !== "image" && type !== "file") {
          return fail(res, path, 400, "proto.payload", "type: must be one of image, video, audio, file");
        }
        const id = randomBytes(6).toString("hex");
        uploads.set(id, { type });
        return json(res, 200, { url: `${base}/upload.do?id=${id}` });
      }
      case "POST messages":
        return sendMessage(url, body, res);
      default:
        return fail(res, path, 404, "not.found", `Path /${path} is not recognized`);
    }
  }

  /** The upload address MAX names: a multipart request with the file in `data`; answers the token(s) to attach. */
  async function upload(req: IncomingMessage, url: URL, res: ServerResponse) {
    const u = uploads.get(url.searchParams.get("id") ?? "");
    if (!u) return fail(res, "upload.do", 404, "not.found", "Upload not found");
    uploads.delete(url.searchParams.get("id")!);
    const type = req.headers["content-type"] ?? "";
    if (!type.startsWith("multipart/form-data")) return fail(res, "upload.do", 400, "upload.error", "multipart only");
    const form = await new Response(await readRaw(req), { headers: { "content-type": type } }).formData();
    const data = form.get("data");
    if (!data || typeof data === "string") return fail(res, "upload.do", 400, "upload.error", "No file in data");
    const bytes = Buffer.from(await data.arrayBuffer());
    if (u.type === "image" && bytes.length > IMAGE_MAX) {
      return fail(res, "upload.do", 400, "upload.error", "Image is too large");
    }
    const token = randomBytes(16).toString("base64url");
    tokens.set(token, { ready: false, filename: data.name, contentType: data.type, bytes });
    if (u.type === "image") return json(res, 200, { photos: { [randomBytes(4).toString("hex")]: { token } } });
    return json(res, 200, { token });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/files\/(\w+)$/.exec(url.pathname);
    if (file) {
      const bytes = files.get(file[1]!);
      if (!bytes) return fail(res, "files", 404, "not.found", "File not found");
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
      return res.end(bytes);
    }
    const handle = url.pathname === "/upload.do" ? upload(req, url, res) : api(req, url, res);
    handle.catch(() => {
      if (!res.headersSent) fail(res, url.pathname, 500, "internal.error", "Internal error");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  function push(update: Omit<MaxUpdate, "timestamp">): MaxUpdate {
    const u = { ...update, timestamp: now() } as MaxUpdate;
    updates.push({ seq: nextSeq++, update: u });
    wake();
    return u;
  }

  const user = (userId: number, name = "Анна") => ({
    user_id: userId,
    first_name: name,
    last_name: "",
    name,
    username: null,
    is_bot: false,
    last_activity_time: Date.now(),
  });
  const message = (userId: number, text: string, attachments: object[] = [], name?: string, id?: string) => ({
    sender: user(userId, name),
    recipient: { chat_id: 900_000_000 + userId, chat_type: "dialog" },
    timestamp: now(),
    body: { mid: id ?? `mid.${(mid++).toString(16).padStart(16, "0")}`, seq: now(), text, attachments },
  });

  return {
    url: base,
    token: o.token,
    sent,
    calls,
    refusals,
    answers,
    subscription: () => subscription,
    /** Updates not yet confirmed by a marker. */
    pending: () => updates.filter((u) => u.seq > committed).length,
    /** The next messages' answers, in order. */
    script(...list: { status: number; code: string; message: string; retryAfter?: number }[]) {
      scripted.push(...list);
    },
    /** The user stopped the bot: MAX refuses messages to them (and sends `bot_stopped`, see `stop`). */
    block: (userId: number) => stopped.add(userId),
    unblock: (userId: number) => stopped.delete(userId),
    /** A file the applicant sent: its address, as an attachment's `payload.url`. */
    addFile(bytes: Buffer): string {
      const id = randomBytes(6).toString("hex");
      files.set(id, bytes);
      return `${base}/files/${id}`;
    },
    text(userId: number, text: string, name?: string) {
      return push({ update_type: "message_created", message: message(userId, text, [], name), user_locale: "ru" });
    },
    edit(userId: number, messageId: string, text: string) {
      return push({ update_type: "message_edited", message: message(userId, text, [], undefined, messageId) });
    },
    file(userId: number, url: string, filename: string, text = "") {
      const a = { type: "file", payload: { url, token: randomBytes(8).toString("hex") }, filename, size: 0 };
      return push({ update_type: "message_created", message: message(userId, text, [a]) });
    },
    image(userId: number, url: string) {
      const a = { type: "image", payload: { photo_id: 4242, url, token: randomBytes(8).toString("hex") } };
      return push({ update_type: "message_created", message: message(userId, "", [a]) });
    },
    press(userId: number, payload: string) {
      return push({
        update_type: "message_callback",
        callback: {
          timestamp: now(),
          callback_id: `cb.${randomBytes(8).toString("hex")}`,
          payload,
          user: user(userId),
        },
        message: message(7_000_002, "…"),
        user_locale: "ru",
      });
    },
    start(userId: number) {
      stopped.delete(userId);
      return push({ update_type: "bot_started", chat_id: 900_000_000 + userId, user: user(userId), user_locale: "ru" });
    },
    stop(userId: number) {
      stopped.add(userId);
      return push({ update_type: "bot_stopped", chat_id: 900_000_000 + userId, user: user(userId), user_locale: "ru" });
    },
    /** The same update delivered again (MAX repeats what it is not sure was taken). */
    repeat(update: MaxUpdate) {
      updates.push({ seq: nextSeq++, update });
      wake();
    },
    /** The oldest pending update, as MAX would post it to the webhook (with the subscription's secret in its header). */
    takeUpdate(): MaxUpdate {
      const u = updates.find((x) => x.seq > committed);
      if (!u) throw new Error("no update is pending");
      committed = u.seq;
      return u.update;
    },
    close: () =>
      new Promise<void>((resolve) => {
        wake();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type MaxBotApi = Awaited<ReturnType<typeof startMaxBotApi>>;
