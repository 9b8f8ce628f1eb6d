// A stand-in of the VK API and of VK's Callback API sender, on loopback, speaking the real protocol. Methods under
// `/method/<name>`, their parameters in the query or a form body with `access_token` and `v`; answers `{response}` or,
// with HTTP 200 as VK does, `{error: {error_code, error_msg, request_params}}`: 5 for a missing or wrong token, 8
// without a version, 6 past 20 calls a second, 9 (flood control) past one message a second to one user, 100 for a
// missing parameter (random_id included), 901 to a user who has not written to the community or forbade its
// messages, 902 to one whose privacy settings forbid them, 911 for a keyboard VK cannot read, 914 for a text over
// 4,096 characters; a repeated random_id to the same user is the message already sent. Upload servers take multipart
// files (`photo`, `file`) for photos.saveMessagesPhoto and docs.save. The callback sender posts events to Otklik as VK
// does — group_id, type, event_id, v, object, secret — and repeats an event (up to five times) while the answer is
// not «ok»; it confirms the server's address with a `confirmation` event.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type VkFile = { filename: string; contentType: string; bytes: Buffer };

export type VkSent = {
  peerId: number;
  text: string;
  randomId: number;
  messageId: number;
  keyboard?:
    | { inline?: boolean; buttons: { action: { type: string; label: string; payload?: string } }[][] }
    | undefined;
  attachments: ({ kind: "photo" | "doc" } & VkFile)[];
  at: number;
};

export type CallbackAttempt = { eventId: string; status: number; body: string; ms: number };

export type VkStandInOptions = {
  token: string;
  groupId: number;
  /** Calls a second for the token (VK: 20 for a community token). */
  perSecond?: number;
  /** Messages a second to one user before flood control (error 9). */
  perPeerPerSecond?: number;
  /** How long the sender waits for «ok» (VK: about 10 s) and between repeats (VK: longer; short in tests). */
  callbackTimeoutMs?: number;
  retryDelayMs?: number;
};

const ERRORS: Record<number, string> = {
  3: "Unknown method passed",
  5: "User authorization failed: invalid access_token (4).",
  6: "Too many requests per second",
  8: 'Invalid request: versions below 5.81 are deprecated. Version param should be passed as "v"',
  9: "Flood control",
  10: "Internal server error",
  100: "One of the parameters specified was missing or invalid",
  901: "Can't send messages for users without permission",
  902: "Can't send messages to this user due to their privacy settings",
  911: "Keyboard format is invalid",
  914: "Message is too long",
};

const isImage = (b: Buffer) =>
  (b[0] === 0xff && b[1] === 0xd8) ||
  b.subarray(0, 4).toString("latin1") === "\x89PNG" ||
  b.subarray(0, 3).toString() === "GIF";

export async function startVkApi(o: VkStandInOptions) {
  const sent: VkSent[] = [];
  const calls: { method: string; at: number }[] = [];
  const refusals: { method: string; code: number }[] = [];
  const answeredEvents: { eventId: string; userId: number; peerId: number; eventData?: unknown }[] = [];
  const attempts: CallbackAttempt[] = [];
  const allowed = new Set<number>();
  const privacy = new Set<number>();
  const byRandomId = new Map<string, number>();
  const scripted: { method: string; code: number }[] = [];
  const uploads = new Map<string, { kind: "photo" | "doc"; used: boolean }>();
  const uploaded = new Map<string, VkFile>();
  const saved = new Map<string, { kind: "photo" | "doc" } & VkFile>();
  const served = new Map<string, Buffer>();
  const recentCalls: number[] = [];
  const recentSends: { peerId: number; at: number }[] = [];
  let callback: { url: string; secret: string } | null = null;
  let nextId = 1000;
  let delayMs = 0;

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, method: string, code: number, params: Record<string, string>, more = "") => {
    refusals.push({ method, code });
    const request_params = Object.entries(params)
      .filter(([k]) => k !== "access_token")
      .map(([key, value]) => ({ key, value }));
    json(res, { error: { error_code: code, error_msg: `${ERRORS[code] ?? "Unknown error"}${more}`, request_params } });
  };

  async function paramsOf(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const out = Object.fromEntries(url.searchParams);
    if ((req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      Object.assign(out, Object.fromEntries(new URLSearchParams(raw)));
    }
    return out;
  }

  function keyboardProblem(raw: string): boolean {
    let k: { inline?: unknown; buttons?: unknown };
    try {
      k = JSON.parse(raw);
    } catch {
      return true;
    }
    if (!Array.isArray(k.buttons) || k.buttons.length > 6) return true;
    let total = 0;
    for (const row of k.buttons as unknown[]) {
      if (!Array.isArray(row) || row.length === 0 || row.length > 5) return true;
      for (const b of row as { action?: { type?: string; label?: string; payload?: string } }[]) {
        total++;
        const a = b.action;
        if (!a || !["text", "callback"].includes(a.type ?? "")) return true;
        if (!a.label || a.label.length > 40) return true;
        if (a.payload !== undefined) {
          if (a.payload.length > 255) return true;
          try {
            JSON.parse(a.payload);
          } catch {
            return true;
          }
        }
      }
    }
    return k.inline === true && total > 10;
  }

  function method(name: string, p: Record<string, string>, res: ServerResponse, arrived = Date.now()) {
    calls.push({ method: name, at: Date.now() });
    if (!p.access_token) return fail(res, name, 5, p, " no access_token passed.");
    if (p.access_token !== o.token) return fail(res, name, 5, p);
    if (!p.v) return fail(res, name, 8, p);
    // Counted as VK counts them, by when they arrived.
    while (recentCalls.length && Date.now() - recentCalls[0]! >= 5000) recentCalls.shift();
    const inSecond = recentCalls.filter((t) => t <= arrived && arrived - t < 1000).length;
    if (inSecond >= (o.perSecond ?? 20)) return fail(res, name, 6, p);
    recentCalls.push(arrived);
    const i = scripted.findIndex((s) => s.method === name);
    if (i >= 0) return fail(res, name, scripted.splice(i, 1)[0]!.code, p);
    switch (name) {
      case "users.get":
        return json(res, {
          response: String(p.user_ids ?? "")
            .split(",")
            .filter(Boolean)
            .map((id) => ({ id: Number(id), first_name: "Анна", last_name: "Петрова", can_access_closed: true })),
        });
      case "messages.sendMessageEventAnswer": {
        if (!p.event_id || !p.user_id || !p.peer_id) return fail(res, name, 100, p, ": event_id is undefined");
        answeredEvents.push({
          eventId: p.event_id,
          userId: Number(p.user_id),
          peerId: Number(p.peer_id),
          ...(p.event_data ? { eventData: JSON.parse(p.event_data) } : {}),
        });
        return json(res, { response: 1 });
      }
      case "photos.getMessagesUploadServer":
      case "docs.getMessagesUploadServer": {
        const kind = name.startsWith("photos") ? "photo" : "doc";
        if (kind === "doc" && (p.type ?? "doc") !== "doc") return fail(res, name, 100, p, ": type is invalid");
        if (!p.peer_id) return fail(res, name, 100, p, ": peer_id is undefined");
        const key = randomBytes(8).toString("hex");
        uploads.set(key, { kind, used: false });
        return json(res, {
          response: {
            upload_url: `${base}/upload/${kind}?key=${key}`,
            ...(kind === "photo" ? { album_id: -64, group_id: o.groupId } : {}),
          },
        });
      }
      case "photos.saveMessagesPhoto": {
        const f = uploaded.get(`${p.server}:${p.photo}`);
        if (!f || p.hash !== hashOf(p.photo ?? "")) return fail(res, name, 100, p, ": photo is undefined");
        const id = nextId++;
        saved.set(`photo-${o.groupId}_${id}`, { kind: "photo", ...f });
        return json(res, { response: [{ id, owner_id: -o.groupId, access_key: "ak1", album_id: -64 }] });
      }
      case "docs.save": {
        const f = uploaded.get(`doc:${p.file}`);
        if (!f) return fail(res, name, 100, p, ": file is undefined");
        const id = nextId++;
        const doc = { ...f, filename: p.title || f.filename };
        saved.set(`doc-${o.groupId}_${id}`, { kind: "doc", ...doc });
        return json(res, {
          response: { type: "doc", doc: { id, owner_id: -o.groupId, title: doc.filename, size: f.bytes.length } },
        });
      }
      case "messages.send": {
        const peerId = Number(p.peer_id ?? p.user_id);
        if (!Number.isSafeInteger(peerId) || peerId === 0) return fail(res, name, 100, p, ": peer_id is undefined");
        if (p.random_id === undefined) return fail(res, name, 100, p, ": random_id is a required parameter");
        const randomId = Number(p.random_id);
        if (!Number.isInteger(randomId) || randomId < -(2 ** 31) || randomId >= 2 ** 31) {
          return fail(res, name, 100, p, ": random_id is not an int32");
        }
        const text = p.message ?? "";
        if (!text && !p.attachment) return fail(res, name, 100, p, ": message is empty or invalid");
        if (text.length > 4096) return fail(res, name, 914, p);
        if (p.keyboard && keyboardProblem(p.keyboard)) return fail(res, name, 911, p);
        if (privacy.has(peerId)) return fail(res, name, 902, p);
        if (!allowed.has(peerId)) return fail(res, name, 901, p);
        const again = byRandomId.get(`${peerId}:${randomId}`);
        if (again !== undefined) return json(res, { response: again });
        const files: VkSent["attachments"] = [];
        for (const a of (p.attachment ?? "").split(",").filter(Boolean)) {
          const m = /^(photo|doc)(-?\d+)_(\d+)(?:_\w+)?$/.exec(a);
          const f = m ? saved.get(`${m[1]}${m[2]}_${m[3]}`) : undefined;
          if (!f) return fail(res, name, 100, p, ": attachment is invalid");
          files.push(f);
        }
        const t = Date.now();
        while (recentSends.length && t - recentSends[0]!.at >= 1000) recentSends.shift();
        if (recentSends.filter((r) => r.peerId === peerId).length >= (o.perPeerPerSecond ?? 1)) {
          return fail(res, name, 9, p);
        }
        recentSends.push({ peerId, at: t });
        const messageId = nextId++;
        byRandomId.set(`${peerId}:${randomId}`, messageId);
        sent.push({
          peerId,
          text,
          randomId,
          messageId,
          keyboard: p.keyboard ? JSON.parse(p.keyboard) : undefined,
          attachments: files,
          at: t,
        });
        return json(res, { response: messageId });
      }
      default:
        return fail(res, name, 3, p);
    }
  }

  const hashOf = (s: string) => Buffer.from(s).toString("base64url").slice(0, 16);

  async function upload(kind: "photo" | "doc", key: string, req: IncomingMessage, res: ServerResponse) {
    const slot = uploads.get(key);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (!slot || slot.used || slot.kind !== kind) return json(res, { error: "invalid upload key" });
    slot.used = true;
    const type = req.headers["content-type"] ?? "";
    let file: File | null = null;
    try {
      const form = await new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData();
      const v = form.get(kind === "photo" ? "photo" : "file");
      file = v && typeof v !== "string" ? v : null;
    } catch {
      file = null;
    }
    if (!file) return json(res, kind === "photo" ? { server: 1, photo: "[]", hash: "" } : { error: "no file" });
    const f = { filename: file.name, contentType: file.type, bytes: Buffer.from(await file.arrayBuffer()) };
    const token = randomBytes(6).toString("hex");
    if (kind === "photo") {
      if (!isImage(f.bytes)) return json(res, { server: 1, photo: "[]", hash: "" });
      uploaded.set(`1:${token}`, f);
      return json(res, { server: 1, photo: token, hash: hashOf(token) });
    }
    uploaded.set(`doc:${token}`, f);
    return json(res, { file: token });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/files\/(\w+)$/.exec(url.pathname);
    if (file) {
      const bytes = served.get(file[1]!);
      res.writeHead(bytes ? 200 : 404, { "content-type": "application/octet-stream" });
      return res.end(bytes ?? "");
    }
    const up = /^\/upload\/(photo|doc)$/.exec(url.pathname);
    if (up && req.method === "POST") {
      void upload(up[1] as "photo" | "doc", url.searchParams.get("key") ?? "", req, res).catch(() =>
        json(res, { error: "upload failed" }),
      );
      return;
    }
    const m = /^\/method\/([\w.]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const arrived = Date.now();
    paramsOf(req, url)
      .then(async (p) => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        method(m[1]!, p, res, arrived);
      })
      .catch(() => fail(res, m[1]!, 100, {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  /** Posts an event to Otklik's callback address as VK does, repeating it while the answer is not «ok». */
  async function deliver(body: Record<string, unknown>, opts: { secret?: string; tries?: number } = {}) {
    if (!callback) throw new Error("no callback server is set");
    const eventId = String(body.event_id ?? "");
    const payload = JSON.stringify({ ...body, secret: opts.secret ?? callback.secret });
    const mine: CallbackAttempt[] = [];
    for (let i = 0; i < (opts.tries ?? 6); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.retryDelayMs ?? 200));
      const started = Date.now();
      let status = 0;
      let text = "";
      try {
        const res = await fetch(callback.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: payload,
          signal: AbortSignal.timeout(o.callbackTimeoutMs ?? 10_000),
        });
        status = res.status;
        text = await res.text();
      } catch {
        status = 0;
      }
      const a = { eventId, status, body: text, ms: Date.now() - started };
      attempts.push(a);
      mine.push(a);
      if (status === 200 && text === "ok") break;
    }
    return mine;
  }

  const event = (type: string, object: unknown) => ({
    group_id: o.groupId,
    type,
    event_id: randomBytes(20).toString("hex"),
    v: "5.199",
    object,
  });

  const message = (peerId: number, text: string, extra: Record<string, unknown> = {}) => ({
    date: Math.floor(Date.now() / 1000),
    from_id: peerId,
    id: nextId++,
    out: 0,
    version: 1,
    attachments: [],
    conversation_message_id: nextId,
    fwd_messages: [],
    important: false,
    is_hidden: false,
    peer_id: peerId,
    random_id: 0,
    text,
    ...extra,
  });

  const serve = (bytes: Buffer) => {
    const id = randomBytes(6).toString("hex");
    served.set(id, bytes);
    return `${base}/files/${id}`;
  };

  return {
    url: `${base}/method`,
    token: o.token,
    groupId: o.groupId,
    sent,
    calls,
    refusals,
    answeredEvents,
    attempts,
    /** Where VK posts events, and the secret key it sends (as set in the community's Callback API settings). */
    connect(url: string, secret: string) {
      callback = { url, secret };
    },
    /** The «Confirm» button of the settings: VK posts `confirmation` and expects the string back. */
    async confirm(): Promise<{ status: number; body: string; type: string }> {
      const res = await fetch(callback!.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "confirmation", group_id: o.groupId }),
      });
      return { status: res.status, body: await res.text(), type: res.headers.get("content-type") ?? "" };
    },
    /** The next calls of a method fail with these VK error codes, in order. */
    script(method: string, ...codes: number[]) {
      scripted.push(...codes.map((code) => ({ method, code })));
    },
    /** Every method call answers this much later (a slow VK). */
    slow(ms: number) {
      delayMs = ms;
    },
    /** The user allowed the community's messages (or wrote to it): it may write to them. */
    allow: (peerId: number) => allowed.add(peerId),
    /** The user revoked the community's right to write to them, unnoticed (no event): sends get 901. */
    revoke: (peerId: number) => allowed.delete(peerId),
    /** The user's privacy settings forbid messages from communities: sends get 902. */
    private: (peerId: number) => privacy.add(peerId),
    event,
    deliver,
    /** The user writes to the community (which may then write back). */
    text(peerId: number, text: string, extra: Record<string, unknown> = {}) {
      allowed.add(peerId);
      const e = event("message_new", {
        message: message(peerId, text, extra),
        client_info: {
          button_actions: ["text", "vkpay", "open_app", "location", "open_link", "callback", "intent_subscribe"],
          keyboard: true,
          inline_keyboard: true,
          carousel: true,
          lang_id: 0,
        },
      });
      return { event: e, posted: deliver(e) };
    },
    edit(peerId: number, messageId: number, text: string) {
      const e = event("message_edit", message(peerId, text, { id: messageId, update_time: Date.now() / 1000 }));
      return { event: e, posted: deliver(e) };
    },
    /** A callback button pressed: `message_event` with the button's payload. */
    press(peerId: number, payload: string) {
      const e = event("message_event", {
        user_id: peerId,
        peer_id: peerId,
        event_id: randomBytes(6).toString("hex"),
        payload: JSON.parse(payload),
        conversation_message_id: 1,
      });
      return { event: e, posted: deliver(e) };
    },
    /** The user forbade messages from the community («Запретить сообщения»). */
    deny(peerId: number) {
      allowed.delete(peerId);
      const e = event("message_deny", { user_id: peerId });
      return { event: e, posted: deliver(e) };
    },
    /** The user allowed messages from the community again («Разрешить сообщения»). */
    permit(peerId: number) {
      allowed.add(peerId);
      const e = event("message_allow", { user_id: peerId, key: "" });
      return { event: e, posted: deliver(e) };
    },
    /** A photo as VK attaches it: several sizes, each its own address; the largest is the original. */
    photo(bytes: Buffer, ownerId = 1) {
      const id = nextId++;
      return {
        type: "photo",
        photo: {
          id,
          owner_id: ownerId,
          album_id: -3,
          date: Math.floor(Date.now() / 1000),
          sizes: [
            { type: "s", width: 75, height: 56, url: serve(Buffer.from("small preview")) },
            { type: "w", width: 1280, height: 960, url: serve(bytes) },
            { type: "m", width: 130, height: 97, url: serve(Buffer.from("medium preview")) },
          ],
        },
      };
    },
    doc(bytes: Buffer, title: string, ext: string) {
      return {
        type: "doc",
        doc: { id: nextId++, owner_id: 1, title, size: bytes.length, ext, url: serve(bytes), type: 1 },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type VkStandIn = Awaited<ReturnType<typeof startVkApi>>;
