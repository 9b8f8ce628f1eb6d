// Answer templates as staff keep them, one rendered for the request being answered, and macros: a template with the
// changes that go with it, applied through the request core in one transaction. Knows nothing of HTTP.
import type { AppContext } from "../context.ts";
import { errors } from "../http/errors.ts";
import { categoryTitle, isCategoryCode } from "../requests/categories.ts";
import { staffActor } from "../requests/core/index.ts";
import { requestRowById, visibleRequestId } from "../requests/queries.ts";
import { isStatus } from "../requests/status.ts";
import type { StaffUser } from "../staff/service.ts";
import { displayRequestNumber } from "../text/display.ts";
import { readMacro } from "./macro-store.ts";
import { readTemplate } from "./store.ts";
import { renderTemplate } from "./template.ts";

/** What a template is filled from: the request's own columns, read after the caller's scope check. */
export type TemplateRequest = {
  number: string;
  contactName: string | null;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  resolutionDueAt: Date | null;
  category: string | null;
};

function fill(request: TemplateRequest, body: string, operator: StaffUser) {
  const category = request.category;
  return renderTemplate(body, {
    name: request.contactName,
    // Written as everywhere else: «1 030 026» (docs/TEXTS.md).
    number: displayRequestNumber(request.number),
    firstResponseDueAt: request.firstResponseDueAt,
    resolutionDueAt: request.resolutionDueAt,
    answered: request.firstRespondedAt !== null,
    category: category === null ? null : isCategoryCode(category) ? categoryTitle(category) : category,
    operator: operator.name,
  });
}

/** A stored template (`templateId`) or a text as typed (`body`), filled for the request and the operator. */
export async function renderForRequest(
  ctx: AppContext,
  request: TemplateRequest,
  source: { templateId?: number; body?: string },
  operator: StaffUser,
) {
  let body = source.body;
  if (source.templateId !== undefined) {
    const t = await readTemplate(ctx.db, source.templateId);
    if (!t) throw errors.notFound("template");
    body = t.body;
  }
  if (body === undefined) throw errors.validation("Укажите шаблон (templateId) или его текст (body).");
  return fill(request, body, operator);
}

/**
 * Applies a macro to a request in one transaction, each change through the request core with its own history row:
 * the category first (the answer is filled with the new one), then who has the request, then the answer — carrying
 * the new status when there is one, so the applicant hears of the answer and the status in one notice — or, without
 * an answer, the status alone. A step the request already satisfies is skipped; a refused one undoes them all.
 */
export async function applyMacro(ctx: AppContext, user: StaffUser, number: string, macroId: number) {
  const macro = await readMacro(ctx.db, macroId);
  if (!macro) throw errors.notFound("macro");
  const id = await visibleRequestId(ctx.db, user, number);
  const actor = staffActor(user);
  const template = macro.templateId === null ? null : await readTemplate(ctx.db, macro.templateId);
  return ctx.db.transaction(async (tx) => {
    let row = macro.category ? await ctx.requests.update(tx, id, { category: macro.category }, actor) : null;
    if (macro.assign) {
      row = await ctx.requests.assign(tx, id, macro.assign === "self" ? user.id : null, actor);
    }
    const status = macro.status !== null && isStatus(macro.status) ? macro.status : null;
    let text: string | null = null;
    if (template) {
      row ??= (await requestRowById(tx, id)) ?? null;
      if (!row) throw errors.notFound("request");
      const filled = fill(row, template.body, user);
      text = filled.text;
      const appended = await ctx.requests.appendMessage(tx, id, {
        author: { type: "staff", user },
        visibility: macro.visibility,
        body: filled.text,
        status: macro.visibility === "public" && status && status !== row.status ? status : undefined,
      });
      row = appended.row;
    }
    if (status && row?.status !== status) {
      row = await ctx.requests.transition(tx, id, status, actor, { ifNeeded: true });
    }
    return { text };
  });
}
