// Access is declared on every route (`config.access`) and checked here, on the server, before the handler.
// A route without a declaration cannot be registered: see `enforceAccessDeclarations`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import type { Role } from "../staff/schema.ts";
import { findApiToken, findSession, type StaffUser } from "../staff/service.ts";
import { errors } from "./errors.ts";

/** `public`: anyone; `staff`: any signed-in employee; a list: only those roles. */
export type Access = "public" | "staff" | readonly Role[];

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    staff?: StaffUser;
    authVia?: "session" | "token";
  }
}

export const SESSION_COOKIE = "otklik_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type DeclaredRoute = { method: string; url: string; access: Access };

/** Refuses to register an API route without an access rule; returns the list of declared routes. */
export function enforceAccessDeclarations(app: FastifyInstance): DeclaredRoute[] {
  const declared: DeclaredRoute[] = [];
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/")) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => m === "HEAD")) return;
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`Маршрут ${methods.join(",")} ${route.url} не объявил правило доступа (config.access)`);
    }
    for (const m of methods) if (m !== "HEAD") declared.push({ method: m, url: route.url, access });
  });
  return declared;
}

export function accessHook(ctx: AppContext) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === "public") return;
    const user = await authenticate(ctx, req);
    if (!user) throw errors.unauthenticated();
    if (access !== "staff" && !access.includes(user.role)) throw errors.forbidden();
  };
}

async function authenticate(ctx: AppContext, req: FastifyRequest): Promise<StaffUser | undefined> {
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) {
    const user = await findApiToken(ctx.db, header.slice(7).trim());
    if (!user) throw errors.unauthenticated();
    req.staff = user;
    req.authVia = "token";
    return user;
  }
  const sid = req.cookies?.[SESSION_COOKIE];
  if (!sid) return undefined;
  const session = await findSession(ctx.db, sid);
  if (!session) return undefined;
  // A cookie rides along with any cross-site request; the CSRF header can only come from our own pages.
  if (!SAFE_METHODS.has(req.method) && req.headers["x-csrf-token"] !== session.csrfToken) throw errors.csrf();
  req.staff = session.user;
  req.authVia = "session";
  return session.user;
}

/**
 * Whether the credentials `req` came with (its token, or its session cookie) still sign in `user` with the same rights:
 * the same role and department. A live connection opened with them asks again whenever an employee's access changes
 * (src/staff/service.ts, STAFF_ACCESS_CHANGED) and ends when they no longer do.
 */
export async function stillSignedIn(ctx: AppContext, req: FastifyRequest, user: StaffUser): Promise<boolean> {
  const header = req.headers.authorization;
  let now: StaffUser | undefined;
  if (header?.startsWith("Bearer ")) {
    now = await findApiToken(ctx.db, header.slice(7).trim());
  } else {
    const sid = req.cookies?.[SESSION_COOKIE];
    now = sid ? (await findSession(ctx.db, sid))?.user : undefined;
  }
  return now !== undefined && now.id === user.id && now.role === user.role && now.departmentId === user.departmentId;
}

/** The signed-in employee; only call from routes whose access is not `public`. */
export function staffOf(req: FastifyRequest): StaffUser {
  if (!req.staff) throw errors.unauthenticated();
  return req.staff;
}
