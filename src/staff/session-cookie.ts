// The session cookie, set the same way whichever way the employee signed in.
import type { FastifyReply } from "fastify";
import type { AppContext } from "../context.ts";
import { SESSION_COOKIE } from "../http/access.ts";
import { createSession } from "./service.ts";

/** Opens a session and sets its cookie (httpOnly, SameSite=Strict); returns the session's CSRF token. */
export async function setSessionCookie(ctx: AppContext, reply: FastifyReply, userId: number, secure: boolean) {
  const session = await createSession(ctx.db, userId);
  reply.setCookie(SESSION_COOKIE, session.id, {
    path: "/",
    httpOnly: true,
    sameSite: "strict",
    secure,
    expires: session.expiresAt,
  });
  return session.csrfToken;
}
