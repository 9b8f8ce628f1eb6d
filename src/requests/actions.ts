// What employees and applicants do to a request through the API: each finds the request (an employee only within
// their scope, an applicant by the tracking token) and runs one command of the request core in one transaction.
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import type { StaffUser } from "../staff/service.ts";
import { displayRequestNumber } from "../text/display.ts";
import { type RequestPatch, staffActor } from "./core/index.ts";
import type { StoredFile } from "./files.ts";
import { findTrackedRequest, mergedTarget, visibleRequestRef } from "./queries.ts";
import { isStatus } from "./status.ts";

/**
 * Staff must be able to see a request before changing it: one scoped look-up of its id, not the whole request. A
 * request merged into another is no longer worked on: the refusal names the one to work in.
 */
export async function visibleId(ctx: AppContext, user: StaffUser, number: string) {
  return (await actionable(ctx, user, number)).id;
}

/** A request the employee may see and still act on: one merged into another says where work goes on. */
async function actionable(ctx: AppContext, user: StaffUser, number: string) {
  const row = await visibleRequestRef(ctx.db, user, number);
  if (row.mergedIntoId !== null) throw await mergedRefusal(ctx, row);
  return row;
}

/** The refusal to act on a request merged into another: it names the request where work goes on. */
export async function mergedRefusal(ctx: AppContext, row: { number: string; mergedIntoId: number | null }) {
  const into = await mergedTarget(ctx.db, row);
  return errors.conflict(
    "request_merged",
    `Обращение № ${displayRequestNumber(row.number)} объединено с обращением № ${displayRequestNumber(into?.number ?? "")}: работайте в нём.`,
    { into: into?.number ?? null },
  );
}

/** Merges the request `number` into `into`; the employee must see and be able to act on both. */
export async function mergeRequests(ctx: AppContext, user: StaffUser, number: string, into: string) {
  const source = await actionable(ctx, user, number);
  const target = await visibleRequestRef(ctx.db, user, into);
  const merged = await ctx.db.transaction((tx) => ctx.requests.merge(tx, source.id, target.id, staffActor(user)));
  return { number: merged.source.number, into: merged.target.number, messages: merged.messages, files: merged.files };
}

/** Splits an applicant's message off request `number` into a new request. */
export async function splitRequest(ctx: AppContext, user: StaffUser, number: string, messageId: number) {
  const source = await actionable(ctx, user, number);
  const created = await ctx.requests.split(source.id, messageId, staffActor(user));
  return { number: created.number, from: source.number };
}

/** Links (or unlinks) two requests the employee may see as related. */
export async function relateRequests(ctx: AppContext, user: StaffUser, number: string, other: string, linked: boolean) {
  const a = await actionable(ctx, user, number);
  const b = linked ? await actionable(ctx, user, other) : await visibleRequestRef(ctx.db, user, other);
  const actor = staffActor(user);
  return ctx.db.transaction((tx) =>
    linked ? ctx.requests.relate(tx, a.id, b.id, actor) : ctx.requests.unrelate(tx, a.id, b.id, actor),
  );
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
  // The link of a merged duplicate writes into the request it was merged into (when it is the same applicant's).
  const { row: found, mergedInto } = await findTrackedRequest(ctx.db, token);
  if (mergedInto !== null) {
    throw errors.conflict(
      "request_merged",
      `Обращение объединено с обращением № ${displayRequestNumber(mergedInto)} и закрыто, писать в него больше нельзя. Если вопрос остался, создайте новое обращение.`,
      { into: mergedInto },
    );
  }
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
  // The link of a merged duplicate rates the request it was merged into when it is the same applicant's (the page
  // shows that one); another applicant's duplicate is refused by the core.
  const { row: found } = await findTrackedRequest(ctx.db, token);
  await ctx.db.transaction((tx) => ctx.requests.rate(tx, found.id, score, comment, opts));
}
