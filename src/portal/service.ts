// Operator actions through the portal connector. Each one needs the caller verified first (a passed checklist
// on the call or the request) and leaves an audit row: who, when, what, for which request, and the outcome.
import { and, desc, eq, gt, or } from "drizzle-orm";
import { phoneCalls, phoneVerifications } from "../channels/phone/db-schema.ts";
import type { AppContext } from "../context.ts";
import { AppError, errors } from "../http/errors.ts";
import { visibleId } from "../requests/actions.ts";
import { normalizePhone } from "../requests/contact.ts";
import type { StaffUser } from "../staff/service.ts";
import { validateSnils } from "../verification/index.ts";
import { APPLICATION_STATUS_TITLES, type PortalConnector, PortalError } from "./connector.ts";
import { portalAudit } from "./db-schema.ts";

/** A request verified this long ago still counts (one conversation); a call counts while it lasts. */
const REQUEST_VERIFICATION_MS = 2 * 60 * 60 * 1000;

export type ActionContext = { callId?: number | undefined; request?: string | undefined };
type Resolved = { callId: number | null; requestId: number | null };

const refusedUnverified = () =>
  new AppError(
    "verification_required",
    "Сначала подтвердите личность заявителя по контрольному списку: без этого действия с персональными данными недоступны.",
    403,
  );

async function resolve(ctx: AppContext, user: StaffUser, where: ActionContext): Promise<Resolved> {
  let requestId: number | null = null;
  let callId: number | null = null;
  if (where.request) requestId = await visibleId(ctx, user, where.request);
  if (where.callId !== undefined) {
    const [call] = await ctx.db
      .select({ id: phoneCalls.id, requestId: phoneCalls.requestId })
      .from(phoneCalls)
      .where(eq(phoneCalls.id, where.callId));
    if (!call) throw errors.notFound("Звонок");
    callId = call.id;
    requestId ??= call.requestId;
  }
  if (callId === null && requestId === null) {
    throw errors.validation("Укажите звонок (callId) или обращение (request), по которому выполняется действие.");
  }
  return { callId, requestId };
}

async function isVerified(ctx: AppContext, r: Resolved, now: Date): Promise<boolean> {
  const conds = [];
  if (r.callId !== null) conds.push(eq(phoneVerifications.callId, r.callId));
  if (r.requestId !== null) {
    conds.push(
      and(
        eq(phoneVerifications.requestId, r.requestId),
        gt(phoneVerifications.createdAt, new Date(now.getTime() - REQUEST_VERIFICATION_MS)),
      ),
    );
  }
  const [v] = await ctx.db
    .select({ id: phoneVerifications.id })
    .from(phoneVerifications)
    .where(and(eq(phoneVerifications.passed, true), or(...conds)))
    .orderBy(desc(phoneVerifications.id))
    .limit(1);
  return Boolean(v);
}

async function audit(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser | null,
  action: string,
  r: Resolved,
  target: string | null,
  outcome: string,
) {
  await ctx.db.insert(portalAudit).values({
    userId: user?.id ?? null,
    action,
    connector: connector.name,
    requestId: r.requestId,
    callId: r.callId,
    target,
    outcome,
  });
}

/** Runs one connector call for an operator: verified first, audited always. */
async function act<T>(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  action: string,
  where: ActionContext,
  target: string | null,
  run: () => Promise<T>,
  now = new Date(),
): Promise<T> {
  const r = await resolve(ctx, user, where);
  if (!(await isVerified(ctx, r, now))) {
    await audit(ctx, connector, user, action, r, target, "refused_unverified");
    throw refusedUnverified();
  }
  try {
    const out = await run();
    await audit(ctx, connector, user, action, r, target, out === null ? "not_found" : "ok");
    return out;
  } catch (e) {
    await audit(ctx, connector, user, action, r, target, e instanceof PortalError ? e.code : "error");
    if (e instanceof PortalError) {
      throw new AppError(e.code, e.message, e.code === "account_not_found" ? 404 : 502);
    }
    throw e;
  }
}

export function findAccount(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  by: { phone?: string | undefined; snils?: string | undefined },
  where: ActionContext,
) {
  let query: { phone?: string; snils?: string };
  if (by.phone) {
    const phone = normalizePhone(by.phone);
    if (!phone) throw errors.badInput("invalid_phone", "Проверьте номер телефона: например, +7 912 345-67-89.");
    query = { phone };
  } else if (by.snils) {
    const check = validateSnils(by.snils);
    if (!check.valid) throw errors.badInput("invalid_snils", "СНИЛС записан с ошибкой: контрольное число не сходится.");
    query = { snils: check.normalized };
  } else throw errors.validation("Укажите телефон или СНИЛС.");
  return act(ctx, connector, user, by.phone ? "find_account_by_phone" : "find_account_by_snils", where, null, () =>
    connector.findAccount(query),
  );
}

export async function applicationStatus(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  number: string,
  where: ActionContext,
) {
  const app = await act(ctx, connector, user, "application_status", where, number, () =>
    connector.applicationStatus(number),
  );
  if (!app) throw errors.notFound("Заявление с таким номером");
  return { ...app, statusTitle: APPLICATION_STATUS_TITLES[app.status] ?? app.status };
}

export function resendCode(ctx: AppContext, c: PortalConnector, user: StaffUser, id: string, where: ActionContext) {
  return act(ctx, c, user, "resend_code", where, id, () => c.resendCode(id));
}

export function unlockAccount(ctx: AppContext, c: PortalConnector, user: StaffUser, id: string, where: ActionContext) {
  return act(ctx, c, user, "unlock_account", where, id, () => c.unlockAccount(id));
}

export async function changePhone(
  ctx: AppContext,
  c: PortalConnector,
  user: StaffUser,
  id: string,
  phone: string,
  where: ActionContext,
) {
  const e164 = normalizePhone(phone);
  if (!e164) throw errors.badInput("invalid_phone", "Проверьте новый номер телефона: например, +7 912 345-67-89.");
  await act(ctx, c, user, "change_phone", where, id, () => c.changePhone(id, e164));
  return { changed: true };
}

/** The IVR's look-up: no operator, no verification (the caller hears only the status), still audited. */
export async function ivrApplicationStatus(ctx: AppContext, c: PortalConnector, number: string, callId: number | null) {
  const r = { callId, requestId: null };
  try {
    const app = await c.applicationStatus(number);
    await audit(ctx, c, null, "ivr_application_status", r, number, app ? "ok" : "not_found");
    return app;
  } catch (e) {
    await audit(ctx, c, null, "ivr_application_status", r, number, e instanceof PortalError ? e.code : "error");
    return undefined;
  }
}
