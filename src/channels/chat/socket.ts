// One WebSocket connection: who it is (an applicant by the chat token, an employee by the session cookie or a
// bearer token), heartbeats, and the frames of the protocol (see docs/CHAT.md).
import type { FastifyRequest } from "fastify";
import type { RawData, WebSocket } from "ws";
import type { AppContext } from "../../context.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../../db/outage.ts";
import { contain, every, guarded, report } from "../../guard.ts";
import { SESSION_COOKIE, stillSignedIn } from "../../http/access.ts";
import { isAppError, NOT_FOUND } from "../../http/errors.ts";
import { sha256 } from "../../security/tokens.ts";
import { findApiToken, findSession, STAFF_ACCESS_CHANGED, type StaffUser } from "../../staff/service.ts";
import { applicantSend } from "./applicant.ts";
import { type ApplicantFrame, readFrame, type StaffFrame } from "./frames.ts";
import { type ChatHub, type Client, send } from "./hub.ts";
import {
  APPLICANT_MESSAGES_PER_WINDOW,
  RATE_LIMITED_FRAME,
  SESSION_SOCKETS_CLOSE,
  STAFF_MESSAGES_PER_WINDOW,
} from "./limits.ts";
import { canHandle, staffSend } from "./operator.ts";
import { chatSettings } from "./settings.ts";
import { conversationIdByTokenHash } from "./store.ts";

/** Frames received and not yet handled, past which the client is flooding: the socket is closed (1008). */
const MAX_QUEUED_FRAMES = 100;
/** How often an employee's socket checks its credentials without being told to (a session that expired). */
const RECHECK_MS = 60_000;

export async function identify(
  ctx: AppContext,
  req: FastifyRequest<{ Querystring: { token?: string } }>,
): Promise<{ conversationId: number } | { staff: StaffUser } | null> {
  const token = req.query.token;
  if (token) {
    const conversationId = await conversationIdByTokenHash(ctx.db, sha256(token));
    return conversationId === undefined ? null : { conversationId };
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
  if (origin && URL.parse(origin)?.host !== req.headers.host) return null;
  const session = await findSession(ctx.db, sid);
  return session ? { staff: session.user } : null;
}

/**
 * A new socket: identified first (frames that arrive meanwhile wait), then served. A database that is away closes
 * it with 1013, «try again later», so the client reconnects; an unknown sender gets 4401, after which it stops.
 */
export async function acceptSocket(
  ctx: AppContext,
  hub: ChatHub,
  socket: WebSocket,
  req: FastifyRequest<{ Querystring: { token?: string; since?: number } }>,
  firstLineId: () => number | null,
) {
  // ws reports a broken frame (too big, bad UTF-8) here and closes the socket itself with the matching code.
  socket.on("error", () => {});
  const early: [RawData, boolean][] = [];
  const keep = (d: RawData, binary: boolean) => early.push([d, binary]);
  socket.on("message", keep);
  let who: Awaited<ReturnType<typeof identify>>;
  try {
    who = await identify(ctx, req);
  } catch (e) {
    report("chat.handshake", e);
    return socket.close(isDatabaseUnavailable(e) ? 1013 : 1011, "try again later");
  } finally {
    socket.off("message", keep);
  }
  if (!who) return socket.close(4401, "unauthenticated");
  // An employee's socket lasts as long as the credentials it was opened with still sign them in with the same rights.
  const allowed = "staff" in who ? () => stillSignedIn(ctx, req, who.staff) : undefined;
  serveSocket(ctx, hub, socket, who, Number(req.query.since ?? 0), firstLineId, allowed);
  for (const [d, binary] of early) socket.emit("message", d, binary);
}

export function serveSocket(
  ctx: AppContext,
  hub: ChatHub,
  socket: WebSocket,
  who: { conversationId: number } | { staff: StaffUser },
  since: number,
  firstLineId: () => number | null,
  allowed?: () => Promise<boolean>,
) {
  const client: Client = {
    socket,
    conversationId: "conversationId" in who ? who.conversationId : null,
    staff: "staff" in who ? who.staff : null,
    positions: new Map(),
  };
  for (const old of hub.add(client)) old.socket.close(SESSION_SOCKETS_CLOSE.code, SESSION_SOCKETS_CLOSE.reason);
  let alive = true;
  socket.on("pong", () => {
    alive = true;
  });
  const heartbeat = every("chat.heartbeat", chatSettings(ctx).heartbeatMs, () => {
    if (!alive) return socket.terminate();
    alive = false;
    socket.ping();
  });
  // Switched off, given another role or department, signed out, the token revoked: the socket closes with 4401 (the
  // client stops) as soon as that is announced, and within RECHECK_MS whatever ended the credentials.
  const recheck = () =>
    contain("chat.recheck", async () => {
      if (!allowed || socket.readyState !== socket.OPEN || (await allowed())) return;
      socket.close(4401, "signed out");
    });
  const staffId = client.staff?.id;
  const unsubscribe = allowed
    ? ctx.bus.subscribe((e) => {
        if (e.topic === STAFF_ACCESS_CHANGED && e.data.userId === staffId) void recheck();
      })
    : undefined;
  const rechecking = allowed ? every("chat.recheck", RECHECK_MS, recheck) : undefined;
  socket.on(
    "close",
    guarded("chat.close", () => {
      clearInterval(heartbeat);
      if (rechecking) clearInterval(rechecking);
      unsubscribe?.();
      hub.remove(client);
    }),
  );

  // Frames of one connection are handled one after another, so acknowledgements keep the sending order.
  // Each runs under the guard: whatever one frame does, the queue goes on and the process lives.
  let queue = Promise.resolve();
  let queued = 0;
  // A person types a few messages a minute: a flood is refused (the client resends later), typing is thinned.
  // Messages are counted per conversation (an employee's: per employee), so more sockets bring no more allowance.
  const limitKey = client.staff ? `staff:${client.staff.id}` : `chat:${client.conversationId}`;
  const perWindow = client.staff ? STAFF_MESSAGES_PER_WINDOW : APPLICANT_MESSAGES_PER_WINDOW;
  const flooding = () => !hub.messages.take(limitKey, perWindow);
  let lastTyping = 0;
  const typingTooSoon = () => {
    const now = Date.now();
    if (now - lastTyping < 1000) return true;
    lastTyping = now;
    return false;
  };
  socket.on(
    "message",
    guarded("chat.frame", (raw: RawData, binary: boolean) => {
      // The protocol is JSON text: a binary frame is unsupported data.
      if (binary) return socket.close(1003, "text frames only");
      if (++queued > MAX_QUEUED_FRAMES) return socket.close(1008, "too many frames");
      const text = raw.toString();
      queue = queue
        .then(() => contain("chat.frame", () => handle(text)))
        .finally(() => {
          queued--;
        });
    }),
  );

  /** `retry` tells the client whether to send the message again (a passing failure) or drop it (refused for good). */
  const fail = (id: string | undefined, e: unknown) => {
    const to = id ? { id } : {};
    if (isAppError(e))
      return send(client, { t: "error", ...to, code: e.code, retry: e.status >= 500, message: e.message });
    report("chat.frame", e);
    if (isDatabaseUnavailable(e)) {
      return send(client, {
        t: "error",
        ...to,
        code: DATABASE_UNAVAILABLE.code,
        retry: true,
        message: DATABASE_UNAVAILABLE.message,
      });
    }
    send(client, {
      t: "error",
      ...to,
      code: "internal",
      retry: true,
      message: "Не удалось обработать сообщение. Оно будет отправлено повторно.",
    });
  };

  async function handle(text: string) {
    const read = client.staff ? readFrame(text, "staff") : readFrame(text, "applicant");
    if (!read.ok) {
      const to = read.id ? { id: read.id } : {};
      return send(client, { t: "error", ...to, code: "bad_frame", retry: false, message: read.message });
    }
    const f = read.frame;
    const id = f.t === "msg" ? f.id : undefined;
    try {
      if (f.t === "ping") return send(client, { t: "pong" });
      if (f.t === "typing" && typingTooSoon()) return;
      if (f.t === "msg" && flooding()) {
        return send(client, { t: "error", id: f.id, ...RATE_LIMITED_FRAME, retry: true });
      }
      if (client.conversationId !== null) return await applicantFrame(client.conversationId, f as ApplicantFrame);
      return await staffFrame(client.staff!, f as StaffFrame);
    } catch (e) {
      fail(id, e);
    }
  }

  async function applicantFrame(conversationId: number, f: ApplicantFrame) {
    if (f.t === "msg") {
      const sent = await applicantSend(ctx, conversationId, {
        clientId: f.id,
        text: f.text ?? "",
        files: f.files,
        action: f.action,
      });
      send(client, { t: "ack", id: f.id, seq: sent.seq, conversationId });
    } else if (f.t === "typing") {
      await hub.typing(conversationId, "applicant");
    } else if (f.t === "sync") {
      hub.follow(client, conversationId, f.since ?? 0);
    }
  }

  async function staffFrame(user: StaffUser, f: StaffFrame) {
    if (f.t === "ping") return;
    const id = f.conversationId;
    if (f.t === "msg") {
      const sent = await staffSend(ctx, user, id, { clientId: f.id, text: f.text ?? "", files: f.files });
      send(client, { t: "ack", id: f.id, seq: sent.seq, conversationId: id });
    } else if (f.t === "typing") {
      await hub.typing(id, "operator");
    } else if (f.t === "sync") {
      const conv = await hub.conversation(id);
      if (!conv || !canHandle(user, conv, firstLineId())) {
        return send(client, {
          t: "error",
          code: "not_found",
          retry: false,
          message: NOT_FOUND.chat,
          conversationId: id,
        });
      }
      hub.follow(client, id, f.since ?? 0);
    } else if (f.t === "leave") {
      hub.unfollow(client, id);
    }
  }

  // The applicant's side follows its conversation from the handshake's `since`.
  if (client.conversationId !== null) {
    const id = client.conversationId;
    void contain("chat.ready", async () => {
      try {
        send(client, { t: "ready", ...(await hub.stateView(id)) });
        hub.follow(client, id, since);
      } catch (e) {
        // Without its state the socket is of no use: closed, so the client reconnects (1013: try again later).
        fail(undefined, e);
        socket.close(isDatabaseUnavailable(e) ? 1013 : 1011, "try again later");
      }
    });
  } else {
    send(client, { t: "ready", staff: { id: client.staff!.id, name: client.staff!.name } });
  }
}
