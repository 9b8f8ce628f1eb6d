// Operator actions through the portal connector. Each one is bound to a call the employee may see, inside the
// call's window, and to the one account whose owner was verified on that call; each leaves an audit row: who,
// when, what, for which call and request, and the outcome.

import { desc, eq } from "drizzle-orm";
import { assertCallOpen } from "../channels/phone/call-window.ts";
import type { Answers, ChecklistItem, RegistryFacts } from "../channels/phone/checklist.ts";
import { phoneVerifications } from "../channels/phone/db-schema.ts";
import { visibleCall } from "../channels/phone/screen.ts";
import type { AppContext } from "../context.ts";
import { AppError, errors } from "../http/errors.ts";
import { normalizePhone } from "../requests/contact.ts";
import type { StaffUser } from "../staff/service.ts";
import { maskIdentifier, validateSnils } from "../verification/index.ts";
import {
  APPLICATION_STATUS_TITLES,
  type PortalAccount,
  type PortalApplication,
  type PortalConnector,
  PortalError,
} from "./connector.ts";
import { portalAudit } from "./db-schema.ts";

type Where = { callId: number | null; requestId: number | null };

const refusedUnverified = () =>
  new AppError(
    "verification_required",
    "Сначала подтвердите личность заявителя на этом звонке: ответы сверяются с учётной записью на портале, и только после этого с ней можно работать.",
    403,
  );
const otherAccount = () =>
  new AppError(
    "portal_account_not_verified",
    "Это другая учётная запись: на этом звонке подтверждена личность владельца иной записи. Действия доступны только с ней.",
    403,
  );

export const showAccount = (a: PortalAccount) => ({
  id: a.id,
  fullName: a.fullName,
  phone: a.phone,
  snilsMasked: a.snils ? maskIdentifier(a.snils) : null,
  locked: a.locked,
});

export async function auditPortal(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser | null,
  action: string,
  where: Where,
  target: string | null,
  outcome: string,
) {
  await ctx.db.insert(portalAudit).values({
    userId: user?.id ?? null,
    action,
    connector: connector.name,
    requestId: where.requestId,
    callId: where.callId,
    target,
    outcome,
  });
}

const portalFailure = (e: PortalError) => new AppError(e.code, e.message, e.code === "account_not_found" ? 404 : 502);

/** The account verified on a call: the latest verification of the call, when it passed against the registry. */
export async function verifiedAccountOf(ctx: AppContext, callId: number): Promise<string | null> {
  const [v] = await ctx.db
    .select({ passed: phoneVerifications.passed, accountId: phoneVerifications.accountId })
    .from(phoneVerifications)
    .where(eq(phoneVerifications.callId, callId))
    .orderBy(desc(phoneVerifications.id))
    .limit(1);
  return v?.passed ? v.accountId : null;
}

/** The one gate of every action: a call the employee may see, inside its window, with a verified account. */
async function gate(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  action: string,
  callId: number,
  target: string | null,
  now: Date,
): Promise<{ accountId: string; where: Where; refuse: (outcome: string, e: Error) => Promise<Error> }> {
  let where: Where = { callId, requestId: null };
  const refuse = async (outcome: string, e: Error) => {
    await auditPortal(ctx, connector, user, action, where, target, outcome);
    return e;
  };
  const call = await visibleCall(ctx, user, callId).catch(async (e: Error) => {
    throw await refuse("refused_no_access", e);
  });
  where = { callId: call.id, requestId: call.requestId };
  try {
    assertCallOpen(call, now);
  } catch (e) {
    throw await refuse("refused_window", e as Error);
  }
  const accountId = await verifiedAccountOf(ctx, call.id);
  if (!accountId) throw await refuse("refused_unverified", refusedUnverified());
  return { accountId, where, refuse };
}

async function run<T>(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  action: string,
  where: Where,
  target: string | null,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!(e instanceof PortalError)) throw e;
    await auditPortal(ctx, connector, user, action, where, target, e.code);
    throw portalFailure(e);
  }
}

/** A change to one account: refused before the portal is asked unless it is the verified account. */
async function actOnAccount<T>(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  action: string,
  callId: number,
  accountId: string,
  change: () => Promise<T>,
  now = new Date(),
): Promise<T> {
  const g = await gate(ctx, connector, user, action, callId, accountId, now);
  if (g.accountId !== accountId) throw await g.refuse("refused_other_account", otherAccount());
  const out = await run(ctx, connector, user, action, g.where, accountId, change);
  await auditPortal(ctx, connector, user, action, g.where, accountId, "ok");
  return out;
}

export async function findAccount(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  by: { phone?: string | undefined; snils?: string | undefined },
  callId: number,
  now = new Date(),
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
  const action = by.phone ? "find_account_by_phone" : "find_account_by_snils";
  const g = await gate(ctx, connector, user, action, callId, null, now);
  const account = await run(ctx, connector, user, action, g.where, null, () => connector.findAccount(query));
  if (account && account.id !== g.accountId) throw await g.refuse("refused_other_account", otherAccount());
  await auditPortal(ctx, connector, user, action, g.where, account?.id ?? null, account ? "ok" : "not_found");
  return account;
}

export async function applicationStatus(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  number: string,
  callId: number,
  now = new Date(),
) {
  const action = "application_status";
  const g = await gate(ctx, connector, user, action, callId, number, now);
  const app = await run(ctx, connector, user, action, g.where, number, () => connector.applicationStatus(number));
  // A portal that does not say whose an application is reads it to nobody.
  if (app && app.accountId !== g.accountId) throw await g.refuse("refused_other_account", otherAccount());
  await auditPortal(ctx, connector, user, action, g.where, number, app ? "ok" : "not_found");
  if (!app) throw errors.notFound("application");
  return {
    number: app.number,
    service: app.service,
    status: app.status,
    submittedAt: app.submittedAt,
    statusTitle: APPLICATION_STATUS_TITLES[app.status] ?? app.status,
  };
}

export function resendCode(ctx: AppContext, c: PortalConnector, user: StaffUser, id: string, callId: number) {
  return actOnAccount(ctx, c, user, "resend_code", callId, id, () => c.resendCode(id));
}

export function unlockAccount(ctx: AppContext, c: PortalConnector, user: StaffUser, id: string, callId: number) {
  return actOnAccount(ctx, c, user, "unlock_account", callId, id, () => c.unlockAccount(id));
}

export async function changePhone(
  ctx: AppContext,
  c: PortalConnector,
  user: StaffUser,
  id: string,
  phone: string,
  callId: number,
) {
  const e164 = normalizePhone(phone);
  if (!e164) throw errors.badInput("invalid_phone", "Проверьте новый номер телефона: например, +7 912 345-67-89.");
  await actOnAccount(ctx, c, user, "change_phone", callId, id, () => c.changePhone(id, e164));
  return { changed: true };
}

/**
 * What the server looks up to check a citizen's answers: the account named by the СНИЛС given, else by the
 * profile phone named (or the number the caller rings from), and whose the application named is. Audited.
 */
export async function registryFacts(
  ctx: AppContext,
  connector: PortalConnector,
  user: StaffUser,
  where: Where,
  items: ChecklistItem[],
  answers: Answers,
  callerNumber: string | null,
): Promise<RegistryFacts> {
  const text = (code: string) => {
    const a = answers[code];
    return typeof a === "string" ? a.trim() : "";
  };
  const named = text("phone_in_profile");
  const phone = named ? normalizePhone(named) : callerNumber;
  const snils = text("snils") ? validateSnils(text("snils")) : null;
  const lookup = async (): Promise<RegistryFacts> => {
    const by = snils?.valid ? { snils: snils.normalized } : phone ? { phone } : null;
    const account = by ? await connector.findAccount(by) : null;
    const number = text("application").replace(/\D/g, "");
    let app: PortalApplication | null = null;
    if (account && number && items.some((i) => i.code === "application"))
      app = await connector.applicationStatus(number);
    return { account, phone, applicationAccountId: app?.accountId ?? null };
  };
  return run(ctx, connector, user, "verify_caller", where, null, lookup);
}

/**
 * The IVR's look-up. No operator verifies the caller, so the status is read only when the number the platform
 * vouches for is the phone of the account the application belongs to; otherwise «refused», whether the
 * application exists or not. Undefined when the portal is unavailable. Audited.
 */
export async function ivrApplicationStatus(
  ctx: AppContext,
  c: PortalConnector,
  number: string,
  callId: number | null,
  caller: string | null,
): Promise<PortalApplication | "refused" | undefined> {
  const where = { callId, requestId: null };
  const action = "ivr_application_status";
  try {
    if (!caller) {
      await auditPortal(ctx, c, null, action, where, number, "refused_caller");
      return "refused";
    }
    const [app, account] = await Promise.all([c.applicationStatus(number), c.findAccount({ phone: caller })]);
    const held = app && account && account.phone === caller && app.accountId === account.id;
    await auditPortal(ctx, c, null, action, where, number, held ? "ok" : app ? "refused_caller" : "not_found");
    return held ? app : "refused";
  } catch (e) {
    await auditPortal(ctx, c, null, action, where, number, e instanceof PortalError ? e.code : "error");
    return undefined;
  }
}
