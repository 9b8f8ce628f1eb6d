// One WebSocket connection: who it is (an applicant by the chat token, an employee by the session cookie or a
// bearer token), heartbeats, and the frames of the protocol (see docs/CHAT.md).
import type { FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import type { AppContext } from "../../context.ts";
import { SESSION_COOKIE } from "../../http/access.ts";
import { isAppError } from "../../http/errors.ts";
import { findApiToken, findSession, type StaffUser } from "../../staff/service.ts";
import { sha256 } from "../../staff/tokens.ts";
import { type ChatHub, type Client, send, stateView } from "./hub.ts";
import { applicantSend, BUTTONS, type ButtonAction, canHandle, staffSend } from "./service.ts";
import { chatSettings } from "./settings.ts";
import { conversationById, conversationByTokenHash } from "./store.ts";

const MESSAGE_WINDOW_MS = 10_000;
const MESSAGES_PER_WINDOW = 20;

type Frame = {
  t?: unknown;
  id?: unknown;
  text?: unknown;
  files?: unknown;
  action?: unknown;
  conversationId?: unknown;
  since?: unknown;
};

export async function identify(
  ctx: AppContext,
  req: FastifyRequest<{ Querystring: { token?: string } }>,
): Promise<{ conversationId: number } | { staff: StaffUser } | null> {
  const token = req.query.token;
  if (token) {
    const conv = await conversationByTokenHash(ctx.db, sha256(token));
    return conv ? { conversationId: conv.id } : null;
  }
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) {
    const user = await findApiToken(ctx.db, header.slice(7).trim());
    return user ? { staff: user } : null;
  }
  const sid = req.cookies?.[SESSION_COOKIE];
  if (!sid) return null;
  // A browser sends the cookie with a handshake from any page: only our own pages may open the staff side.
  const origin = req.headers.origin;
  if (origin && new URL(origin).host !== req.headers.host) return null;
  const session = await findSession(ctx.db, sid);
  return session ? { staff: session.user } : null;
}

export function serveSocket(
  ctx: AppContext,
  hub: ChatHub,
  socket: WebSocket,
  who: { conversationId: number } | { staff: StaffUser },
  since: number,
  firstLineId: () => number | null,
) {
  const client: Client = {
    socket,
    conversationId: "conversationId" in who ? who.conversationId : null,
    staff: "staff" in who ? who.staff : null,
    positions: new Map(),
  };
  hub.add(client);
  let alive = true;
  socket.on("pong", () => {
    alive = true;
  });
  const heartbeat = setInterval(() => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  }, chatSettings(ctx).heartbeatMs);
  socket.on("close", () => {
    clearInterval(heartbeat);
    hub.remove(client);
  });

  // Frames of one connection are handled one after another, so acknowledgements keep the sending order.
  let queue = Promise.resolve();
  // A person types a few messages a minute: a flood is refused (the client resends later), typing is thinned.
  let windowStart = Date.now();
  let inWindow = 0;
  let lastTyping = 0;
  const flooding = () => {
    const now = Date.now();
    if (now - windowStart > MESSAGE_WINDOW_MS) {
      windowStart = now;
      inWindow = 0;
    }
    return ++inWindow > (client.staff ? MESSAGES_PER_WINDOW * 4 : MESSAGES_PER_WINDOW);
  };
  const typingTooSoon = () => {
    const now = Date.now();
    if (now - lastTyping < 1000) return true;
    lastTyping = now;
    return false;
  };
  socket.on("message", (raw) => {
    queue = queue.then(() => handle(raw.toString()));
  });

  const fail = (id: unknown, e: unknown) => {
    const err = isAppError(e) ? e : null;
    send(client, {
      t: "error",
      ...(typeof id === "string" ? { id } : {}),
      code: err?.code ?? "internal",
      message: err?.message ?? "Не удалось обработать сообщение. Оно будет отправлено повторно.",
    });
  };

  async function handle(text: string) {
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
    } catch {
      return send(client, { t: "error", code: "bad_frame", message: "Неверный формат сообщения." });
    }
    try {
      if (f.t === "ping") return send(client, { t: "pong" });
      if (f.t === "typing" && typingTooSoon()) return;
      if (f.t === "msg" && flooding()) {
        return send(client, {
          t: "error",
          id: f.id,
          code: "internal",
          message: "Слишком много сообщений подряд: отправим чуть позже.",
        });
      }
      if (client.conversationId !== null) return await applicantFrame(client.conversationId, f);
      return await staffFrame(client.staff!, f);
    } catch (e) {
      fail(f.id, e);
    }
  }

  async function applicantFrame(conversationId: number, f: Frame) {
    if (f.t === "msg") {
      const action = typeof f.action === "string" && f.action in BUTTONS ? (f.action as ButtonAction) : undefined;
      const sent = await applicantSend(ctx, conversationId, {
        clientId: String(f.id ?? ""),
        text: typeof f.text === "string" ? f.text : "",
        files: Array.isArray(f.files) ? f.files.map(String) : undefined,
        action,
      });
      send(client, { t: "ack", id: f.id, seq: sent.seq, conversationId });
    } else if (f.t === "typing") {
      await hub.typing(conversationId, "applicant");
    } else if (f.t === "sync") {
      hub.follow(client, conversationId, Number(f.since) || 0);
    }
  }

  async function staffFrame(user: StaffUser, f: Frame) {
    const id = Number(f.conversationId);
    if (!Number.isInteger(id) || id <= 0) return;
    if (f.t === "msg") {
      const sent = await staffSend(ctx, user, id, {
        clientId: String(f.id ?? ""),
        text: typeof f.text === "string" ? f.text : "",
        files: Array.isArray(f.files) ? f.files.map(String) : undefined,
      });
      send(client, { t: "ack", id: f.id, seq: sent.seq, conversationId: id });
    } else if (f.t === "typing") {
      await hub.typing(id, "operator");
    } else if (f.t === "sync") {
      const conv = await conversationById(ctx.db, id);
      if (!conv || !canHandle(user, conv, firstLineId())) {
        return send(client, { t: "error", code: "not_found", message: "Чат не найден.", conversationId: id });
      }
      hub.follow(client, id, Number(f.since) || 0);
    } else if (f.t === "leave") {
      hub.unfollow(client, id);
    }
  }

  // The applicant's side follows its conversation from the handshake's `since`.
  if (client.conversationId !== null) {
    const id = client.conversationId;
    void stateView(ctx, id).then((view) => {
      send(client, { t: "ready", ...view });
      hub.follow(client, id, since);
    });
  } else {
    send(client, { t: "ready", staff: { id: client.staff!.id, name: client.staff!.name } });
  }
}
