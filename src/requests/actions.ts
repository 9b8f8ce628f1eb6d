// Changing a request: staff replies and notes, status, assignment, escalation; the applicant's reply and
// rating. Each change writes its history row and its outbox event in the same transaction, under a row lock
// so that two people acting at once cannot overwrite each other's change.
import { eq, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { assignInDepartment } from "../routing/assign.ts";
import { isAudience, isCategoryCode } from "./categories.ts";
import { clockOnStatus } from "../routing/sla-clock.ts";
import { calendarOf, recomputedDue } from "../routing/sla-service.ts";
import { departments, users } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { attachFiles, TEXT_MAX } from "./create.ts";
import type { StoredFile } from "./files.ts";
import { findByTrackingToken, visibleRequestId } from "./queries.ts";
import { messages, requestHistory, requests } from "./schema.ts";
import { canTransition, isStatus, STATUS_TITLES, type Status, statusAfterApplicantMessage } from "./status.ts";

type Row = typeof requests.$inferSelect;
type Actor = { type: "staff"; user: StaffUser } | { type: "applicant" } | { type: "system" };

export async function lockRow(tx: Tx, id: number): Promise<Row> {
  const [row] = await tx.select().from(requests).where(eq(requests.id, id)).for("update");
  if (!row) throw errors.notFound("Обращение");
  return row;
}

export async function record(tx: Tx, row: Row, actor: Actor, action: string, changes: Record<string, unknown>) {
  await tx.insert(requestHistory).values({
    requestId: row.id,
    actorType: actor.type,
    actorId: actor.type === "staff" ? actor.user.id : null,
    action,
    changes,
  });
  await emit(tx, `request.${action}`, {
    requestId: row.id,
    number: row.number,
    departmentId: (changes.departmentId as number | undefined) ?? row.departmentId,
    assigneeId: row.assigneeId,
  });
}

/** With `clock`, the SLA clock stops on entering «waiting» and resumes, the pause added, on leaving it. */
export function statusPatch(from: Status, to: Status, now: Date, clock?: { ctx: AppContext; row: Row }) {
  if (!canTransition(from, to)) {
    throw errors.conflict(
      "illegal_transition",
      `Нельзя перевести обращение из статуса «${STATUS_TITLES[from]}» в «${STATUS_TITLES[to]}».`,
      { from, to },
    );
  }
  const patch: Partial<Row> = { status: to, updatedAt: now };
  if (to === "resolved") patch.resolvedAt = now;
  if (to === "closed") patch.closedAt = now;
  if (to === "in_progress" && from === "resolved") patch.resolvedAt = null;
  if (clock) Object.assign(patch, clockOnStatus(clock.row, to, now, calendarOf(clock.ctx)));
  return patch;
}

/** Staff must be able to see a request before changing it; returns its id. */
// Staff must be able to see a request before changing it: one scoped look-up, not the whole request.
export function visibleId(ctx: AppContext, user: StaffUser, number: string) {
  return visibleRequestId(ctx.db, user, number);
}

export async function addStaffMessage(
  ctx: AppContext,
  user: StaffUser,
  number: string,
  input: { body: string; visibility: "public" | "note"; files?: StoredFile[] },
) {
  const body = input.body.trim();
  if (!body) throw errors.validation("Пустое сообщение: напишите текст ответа.", { field: "body" });
  if (body.length > TEXT_MAX) throw errors.validation(`Сообщение длиннее ${TEXT_MAX} символов.`, { field: "body" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, id);
    if (row.status === "closed") throw errors.conflict("request_closed", "Обращение закрыто: ответ в нём невозможен.");
    const now = new Date();
    const [msg] = await tx
      .insert(messages)
      .values({
        requestId: id,
        visibility: input.visibility,
        authorType: "staff",
        authorId: user.id,
        body,
        channel: row.channel,
      })
      .returning({ id: messages.id });
    await attachFiles(tx, id, msg!.id, input.files ?? []);
    const patch: Partial<Row> = { updatedAt: now };
    if (input.visibility === "public") {
      if (!row.firstRespondedAt) patch.firstRespondedAt = now;
      // Answering takes the request into work and, unless someone has it, gives it to the one who answered.
      if (row.status === "new") Object.assign(patch, statusPatch("new", "in_progress", now, { ctx, row }));
      if (row.assigneeId === null) patch.assigneeId = user.id;
    }
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(
      tx,
      { ...row, ...patch },
      { type: "staff", user },
      input.visibility === "public" ? "replied" : "noted",
      {
        messageId: msg!.id,
        ...(patch.status ? { status: [row.status, patch.status] } : {}),
      },
    );
  });
}

export async function changeStatus(ctx: AppContext, user: StaffUser, number: string, to: string, reason?: string) {
  if (!isStatus(to)) throw errors.validation(`Неизвестный статус «${to}».`, { field: "status" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, id);
    const patch = statusPatch(row.status as Status, to, new Date(), { ctx, row });
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "status_changed", {
      status: [row.status, to],
      ...(reason ? { reason } : {}),
    });
  });
}

export type RequestPatch = {
  category?: string | undefined;
  audience?: string | undefined;
  priority?: string | undefined;
  assigneeId?: number | null | undefined;
  region?: string | null | undefined;
};

export async function updateRequest(ctx: AppContext, user: StaffUser, number: string, input: RequestPatch) {
  if (input.category !== undefined && !isCategoryCode(input.category)) {
    throw errors.validation(`Неизвестная категория «${input.category}».`, { field: "category" });
  }
  if (input.audience !== undefined && !isAudience(input.audience)) {
    throw errors.validation(`Неизвестный тип заявителя «${input.audience}».`, { field: "audience" });
  }
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, id);
    const patch: Partial<Row> = {};
    const changes: Record<string, unknown> = {};
    if (input.category !== undefined && input.category !== row.category) {
      // An operator's correction is kept as a label for retraining the classifier.
      Object.assign(patch, { category: input.category, categorySource: "operator", categoryConfidence: 1 });
      changes.category = [row.category, input.category];
    }
    if (input.audience !== undefined && input.audience !== row.audience) {
      patch.audience = input.audience;
      changes.audience = [row.audience, input.audience];
    }
    if (input.priority !== undefined && input.priority !== row.priority) {
      patch.priority = input.priority;
      changes.priority = [row.priority, input.priority];
    }
    if (input.region !== undefined && input.region !== row.region) {
      patch.region = input.region;
      changes.region = [row.region, input.region];
    }
    if (input.assigneeId !== undefined && input.assigneeId !== row.assigneeId) {
      if (input.assigneeId !== null) {
        const [u] = await tx
          .select({ id: users.id, active: users.active })
          .from(users)
          .where(eq(users.id, input.assigneeId));
        if (!u?.active) throw errors.validation("Такого сотрудника нет.", { field: "assigneeId" });
      }
      patch.assigneeId = input.assigneeId;
      changes.assigneeId = [row.assigneeId, input.assigneeId];
    }
    if (Object.keys(changes).length === 0) return;
    patch.updatedAt = new Date();
    // New category or priority: the policy may differ, so the due times are computed again.
    if (changes.category || changes.priority) {
      const due = recomputedDue(ctx, { ...row, ...patch });
      if (+due.firstResponseDueAt !== +row.firstResponseDueAt! || +due.resolutionDueAt !== +row.resolutionDueAt!) {
        Object.assign(patch, due);
        changes.resolutionDueAt = [row.resolutionDueAt, due.resolutionDueAt];
      }
    }
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "updated", changes);
  });
}

export async function escalate(ctx: AppContext, user: StaffUser, number: string, department: string, reason: string) {
  if (!reason.trim()) throw errors.validation("Укажите причину передачи в подразделение.", { field: "reason" });
  const id = await visibleId(ctx, user, number);
  await ctx.db.transaction(async (tx) => {
    const [dept] = await tx.select().from(departments).where(eq(departments.code, department));
    if (!dept) throw errors.validation(`Неизвестное подразделение «${department}».`, { field: "department" });
    const row = await lockRow(tx, id);
    const now = new Date();
    const patch: Partial<Row> = { departmentId: dept.id, assigneeId: null, updatedAt: now };
    if (row.status !== "escalated")
      Object.assign(patch, statusPatch(row.status as Status, "escalated", now, { ctx, row }));
    await tx.update(requests).set(patch).where(eq(requests.id, id));
    await record(tx, { ...row, ...patch }, { type: "staff", user }, "escalated", {
      departmentId: dept.id,
      department: [row.departmentId, dept.code],
      status: [row.status, patch.status ?? row.status],
      reason: reason.trim(),
    });
    await assignInDepartment(tx, { ...row, ...patch }, now);
  });
}

export async function addApplicantMessage(ctx: AppContext, token: string, body: string, files: StoredFile[] = []) {
  const found = await findByTrackingToken(ctx.db, token);
  await appendApplicantMessage(ctx, found.id, body, files);
}

export type ApplicantMessageOptions = {
  channel?: string;
  /**
   * False for a letter that cannot be taken as the applicant's word (another sender, a machine): it is kept as a
   * note for staff and neither shows on the tracking page nor reopens the request.
   */
  trusted?: boolean;
  /** Runs inside the transaction, after the message is written (a channel records its side of it). */
  inTransaction?: (tx: Tx, added: { requestId: number; number: string; messageId: number }) => Promise<void>;
};

/** The applicant's message on a request, from any channel: a reply brings a waiting or resolved request back. */
export async function appendApplicantMessage(
  ctx: AppContext,
  requestId: number,
  body: string,
  files: StoredFile[] = [],
  opts: ApplicantMessageOptions = {},
) {
  const text = body.trim();
  if (!text) throw errors.validation("Напишите текст сообщения.", { field: "text" });
  if (text.length > TEXT_MAX) throw errors.validation(`Сообщение длиннее ${TEXT_MAX} символов.`, { field: "text" });
  const trusted = opts.trusted ?? true;
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, requestId);
    if (row.status === "closed") {
      throw errors.conflict("request_closed", "Обращение закрыто. Если вопрос остался, создайте новое обращение.");
    }
    const now = new Date();
    const [msg] = await tx
      .insert(messages)
      .values({
        requestId: row.id,
        visibility: trusted ? "public" : "note",
        authorType: "applicant",
        body: text,
        channel: opts.channel ?? "web",
      })
      .returning({ id: messages.id });
    await attachFiles(tx, row.id, msg!.id, files);
    const next = trusted ? statusAfterApplicantMessage(row.status as Status) : null;
    const patch: Partial<Row> = next ? statusPatch(row.status as Status, next, now, { ctx, row }) : { updatedAt: now };
    await tx
      .update(requests)
      .set({
        ...patch,
        ...(trusted
          ? { search: sql`coalesce(${requests.search}, ''::tsvector) || to_tsvector('russian', ${text})` }
          : {}),
      })
      .where(eq(requests.id, row.id));
    await record(tx, { ...row, ...patch }, { type: "applicant" }, "applicant_replied", {
      messageId: msg!.id,
      ...(opts.channel && opts.channel !== "web" ? { channel: opts.channel } : {}),
      ...(trusted ? {} : { unverified: true }),
      ...(next ? { status: [row.status, next] } : {}),
    });
    await opts.inTransaction?.(tx, { requestId: row.id, number: row.number, messageId: msg!.id });
  });
}

/**
 * The applicant's rating: one per request. A second one is refused unless `replace` says the applicant means to
 * change it; each rating and each change keeps its own history row with its comment, the request holds the current.
 */
export async function rateRequest(
  ctx: AppContext,
  token: string,
  score: number,
  comment?: string,
  opts: { replace?: boolean } = {},
) {
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    throw errors.validation("Оценка — целое число от 1 до 5.", { field: "score" });
  }
  const text = comment?.trim().slice(0, 2000) || null;
  const found = await findByTrackingToken(ctx.db, token);
  await ctx.db.transaction(async (tx) => {
    const row = await lockRow(tx, found.id);
    if (row.status !== "resolved" && row.status !== "closed") {
      throw errors.conflict("not_resolved", "Оценить можно после того, как обращение решено.");
    }
    if (row.rating !== null && !opts.replace) {
      throw errors.conflict(
        "already_rated",
        `Обращение уже оценено: ${row.rating} из 5. Чтобы поменять оценку, нажмите «Изменить оценку».`,
        { score: row.rating },
      );
    }
    if (row.rating === score && row.ratingComment === text) return;
    await tx
      .update(requests)
      .set({ rating: score, ratingComment: text, ratedAt: new Date() })
      .where(eq(requests.id, row.id));
    const said = text ? { comment: text } : {};
    if (row.rating === null) await record(tx, row, { type: "applicant" }, "rated", { score, ...said });
    else await record(tx, row, { type: "applicant" }, "rating_changed", { score: [row.rating, score], ...said });
  });
}
