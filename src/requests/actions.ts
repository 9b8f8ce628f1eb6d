// What employees and applicants do to a request through the API: each finds the request (an employee only within
// their scope, an applicant by the tracking token) and runs one command of the request core in one transaction.
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import type { StaffUser } from "../staff/service.ts";
import { type RequestPatch, staffActor } from "./core/index.ts";
import type { StoredFile } from "./files.ts";
import { findByTrackingToken, visibleRequestId } from "./queries.ts";
import { isStatus } from "./status.ts";

/** Staff must be able to see a request before changing it: one scoped look-up of its id, not the whole request. */
export function visibleId(ctx: AppContext, user: StaffUser, number: string) {
  return visibleRequestId(ctx.db, user, number);
}

export async function addStaffMessage(
  ctx: AppContext,
  user: StaffUser,
  number: string,
  input: { body: string; visibility: "public" | "note"; files?: StoredFile[] },
) {
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction((tx) =>
    ctx.requests.appendMessage(tx, id, {
      author: { type: "staff", user },
      visibility: input.visibility,
      body: input.body,
      files: input.files,
    }),
  );
}

export async function changeStatus(ctx: AppContext, user: StaffUser, number: string, to: string, reason?: string) {
  if (!isStatus(to)) throw errors.validation(`Неизвестный статус «${to}».`, { field: "status" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction((tx) => ctx.requests.transition(tx, id, to, staffActor(user), { reason }));
}

export async function updateRequest(ctx: AppContext, user: StaffUser, number: string, input: RequestPatch) {
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction((tx) => ctx.requests.update(tx, id, input, staffActor(user)));
}

export async function escalate(ctx: AppContext, user: StaffUser, number: string, department: string, reason: string) {
  if (!reason.trim()) throw errors.validation("Укажите причину передачи в подразделение.", { field: "reason" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction((tx) =>
    ctx.requests.escalate(tx, id, department, staffActor(user), { reason: reason.trim() }),
  );
}

export async function addApplicantMessage(ctx: AppContext, token: string, body: string, files: StoredFile[] = []) {
  const found = await findByTrackingToken(ctx.db, token);
  await ctx.db.transaction((tx) =>
    ctx.requests.appendMessage(tx, found.id, {
      author: { type: "applicant" },
      visibility: "public",
      body,
      channel: "web",
      files,
    }),
  );
}

export async function rateRequest(
  ctx: AppContext,
  token: string,
  score: number,
  comment?: string,
  opts: { replace?: boolean } = {},
) {
  const found = await findByTrackingToken(ctx.db, token);
  await ctx.db.transaction((tx) => ctx.requests.rate(tx, found.id, score, comment, opts));
}
