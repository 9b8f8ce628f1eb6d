// Reading the registry: the staff queue with filters and search, one request in full, the applicant's view.
import { and, asc, count, desc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { blindIndex } from "../security/sealed.ts";
import { sha256 } from "../security/tokens.ts";
import { departments, users } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { maskEmail, maskPhone, normalizePhone } from "./contact.ts";
import { isValidRequestNumber, normalizeRequestNumber } from "./number.ts";
import { attachments, messages, requestHistory, requests } from "./schema.ts";
import { scopeCondition } from "./scope.ts";
import { allowedTransitions, isOpen, type Status } from "./status.ts";

export type ListFilter = {
  q?: string | undefined;
  status?: string[] | undefined;
  category?: string[] | undefined;
  channel?: string[] | undefined;
  department?: string | undefined;
  assignee?: "me" | "none" | number | undefined;
  overdue?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
};

// Waiting for the applicant stops the SLA clock (its due times move on when the answer comes): not overdue meanwhile.
const overdueSql = sql`(${requests.status} not in ('resolved','closed','waiting') and (
  ${requests.resolutionDueAt} < now() or (${requests.firstRespondedAt} is null and ${requests.firstResponseDueAt} < now())))`;

function searchCondition(q: string): SQL {
  const digits = normalizeRequestNumber(q);
  if (digits && isValidRequestNumber(digits)) return eq(requests.number, digits);
  const phone = /^[\s+\d()\-–‑]{7,}$/.test(q) ? normalizePhone(q) : null;
  // Contacts are encrypted: a search by phone or e-mail compares blind indexes (exact match only).
  if (phone) return eq(requests.contactPhoneHash, blindIndex("phone", phone)!);
  if (q.includes("@")) return eq(requests.contactEmailHash, blindIndex("email", q)!);
  if (digits) return eq(requests.number, digits);
  return sql`${requests.search} @@ websearch_to_tsquery('russian', ${q})`;
}

export async function listRequests(db: Queryable, user: StaffUser, f: ListFilter) {
  const conds: (SQL | undefined)[] = [scopeCondition(user)];
  if (f.q?.trim()) conds.push(searchCondition(f.q.trim()));
  if (f.status?.length) conds.push(inArray(requests.status, f.status));
  if (f.category?.length) {
    // «none» is the triage queue: requests the classifier was not sure of, waiting for a person.
    const named = f.category.filter((c) => c !== "none");
    conds.push(
      or(
        named.length ? inArray(requests.category, named) : undefined,
        f.category.includes("none") ? isNull(requests.category) : undefined,
      ),
    );
  }
  if (f.channel?.length) conds.push(inArray(requests.channel, f.channel));
  if (f.department === "none") conds.push(isNull(requests.departmentId));
  else if (f.department)
    conds.push(sql`${requests.departmentId} = (select id from departments where code = ${f.department})`);
  if (f.assignee === "me") conds.push(eq(requests.assigneeId, user.id));
  else if (f.assignee === "none") conds.push(isNull(requests.assigneeId));
  else if (typeof f.assignee === "number") conds.push(eq(requests.assigneeId, f.assignee));
  if (f.overdue) conds.push(overdueSql);
  const where = and(...conds.filter(Boolean));
  const [rows, [total]] = await Promise.all([
    db
      .select({
        number: requests.number,
        subject: requests.subject,
        category: requests.category,
        categoryConfidence: requests.categoryConfidence,
        audience: requests.audience,
        channel: requests.channel,
        priority: requests.priority,
        status: requests.status,
        department: departments.code,
        assigneeId: requests.assigneeId,
        assigneeName: users.name,
        contactName: requests.contactName,
        contactEmail: requests.contactEmail,
        contactPhone: requests.contactPhone,
        firstResponseDueAt: requests.firstResponseDueAt,
        resolutionDueAt: requests.resolutionDueAt,
        firstRespondedAt: requests.firstRespondedAt,
        createdAt: requests.createdAt,
        updatedAt: requests.updatedAt,
        overdue: sql<boolean>`${overdueSql}`,
      })
      .from(requests)
      .leftJoin(departments, eq(departments.id, requests.departmentId))
      .leftJoin(users, eq(users.id, requests.assigneeId))
      .where(where)
      .orderBy(desc(requests.createdAt), desc(requests.id))
      .limit(Math.min(f.limit ?? 50, 200))
      .offset(f.offset ?? 0),
    db.select({ n: count() }).from(requests).where(where),
  ]);
  return {
    items: rows.map((r) => ({
      ...r,
      // Lists show contacts masked; the full value is on the request's own page.
      contactEmail: maskEmail(r.contactEmail),
      contactPhone: maskPhone(r.contactPhone),
      overdue: Boolean(r.overdue),
    })),
    total: Number(total?.n ?? 0),
  };
}

export async function loadRequestRow(db: Queryable, number: string) {
  const digits = normalizeRequestNumber(number);
  if (!digits) throw errors.notFound("Обращение");
  const [row] = await db.select().from(requests).where(eq(requests.number, digits));
  if (!row) throw errors.notFound("Обращение");
  return row;
}

/** A request's row by id (for rules and sweeps that already hold its id, e.g. from a claim). */
export async function requestRowById(db: Queryable, id: number) {
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  return row;
}

/** A request's row by its number as stored (no scope: for channels matching what an applicant sent). */
export async function requestRowByNumber(db: Queryable, number: string) {
  const [row] = await db.select().from(requests).where(eq(requests.number, number));
  return row;
}

/** A public message of a request (for the channel that delivers it), or nothing for a note. */
export async function publicMessage(db: Queryable, id: number) {
  const [row] = await db
    .select({
      id: messages.id,
      requestId: messages.requestId,
      body: messages.body,
      authorType: messages.authorType,
      authorId: messages.authorId,
    })
    .from(messages)
    .where(and(eq(messages.id, id), eq(messages.visibility, "public")));
  return row;
}

/** The files attached to one message. */
export async function messageAttachments(db: Queryable, messageId: number) {
  return db.select().from(attachments).where(eq(attachments.messageId, messageId));
}

/** The caller's latest open request, found by the blind index of their number. */
export async function latestOpenRequestByPhone(db: Queryable, phone: string): Promise<number | undefined> {
  const [open] = await db
    .select({ id: requests.id })
    .from(requests)
    .where(
      and(
        eq(requests.contactPhoneHash, blindIndex("phone", phone)!),
        sql`${requests.status} not in ('resolved', 'closed')`,
      ),
    )
    .orderBy(desc(requests.updatedAt))
    .limit(1);
  return open?.id;
}

/** The caller's open requests, newest activity first (the call screen). */
export async function openRequestsByPhone(db: Queryable, phone: string, limit: number) {
  return db
    .select({
      id: requests.id,
      number: requests.number,
      subject: requests.subject,
      status: requests.status,
      category: requests.category,
      audience: requests.audience,
      contactName: requests.contactName,
      createdAt: requests.createdAt,
    })
    .from(requests)
    .where(
      and(
        eq(requests.contactPhoneHash, blindIndex("phone", phone)!),
        sql`${requests.status} not in ('resolved', 'closed')`,
      ),
    )
    .orderBy(desc(requests.updatedAt))
    .limit(limit);
}

/** The name the caller gave last time, from their latest request that has one. */
export async function latestNameByPhone(db: Queryable, phone: string) {
  const [named] = await db
    .select({ name: requests.contactName })
    .from(requests)
    .where(and(eq(requests.contactPhoneHash, blindIndex("phone", phone)!), sql`${requests.contactName} is not null`))
    .orderBy(desc(requests.createdAt))
    .limit(1);
  return named;
}

/** Request numbers by id (lists that keep ids, e.g. notifications). */
export async function requestNumbers(db: Queryable, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: requests.id, number: requests.number })
    .from(requests)
    .where(inArray(requests.id, ids));
  return new Map(rows.map((r) => [r.id, r.number]));
}

/** Number, subject, category and status of requests by id (lists kept by other rooms: the chat inbox). */
export async function requestBriefs(db: Queryable, ids: number[]) {
  if (ids.length === 0) return new Map<number, RequestBrief>();
  const rows = await db
    .select({
      id: requests.id,
      number: requests.number,
      subject: requests.subject,
      category: requests.category,
      status: requests.status,
    })
    .from(requests)
    .where(inArray(requests.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}
export type RequestBrief = { id: number; number: string; subject: string; category: string | null; status: string };

/**
 * The applicant's earlier requests, found by the blind indexes of their contacts, within the employee's scope (one
 * outside it is not listed at all), newest first.
 */
export async function earlierRequests(
  db: Queryable,
  user: StaffUser,
  contact: { email: string | null; phone: string | null },
  exceptId: number,
  limit = 10,
) {
  const match = [
    contact.email ? eq(requests.contactEmailHash, blindIndex("email", contact.email)!) : undefined,
    contact.phone ? eq(requests.contactPhoneHash, blindIndex("phone", contact.phone)!) : undefined,
  ].filter(Boolean);
  if (match.length === 0) return [];
  return db
    .select({
      number: requests.number,
      subject: requests.subject,
      status: requests.status,
      channel: requests.channel,
      createdAt: requests.createdAt,
    })
    .from(requests)
    .where(and(or(...match), sql`${requests.id} <> ${exceptId}`, scopeCondition(user)))
    .orderBy(desc(requests.createdAt))
    .limit(limit);
}

/** The id of a request the employee may see; «not found» otherwise (a request outside one's scope is not there). */
export async function visibleRequestId(db: Queryable, user: StaffUser, number: string): Promise<number> {
  const digits = normalizeRequestNumber(number);
  if (!digits) throw errors.notFound("Обращение");
  const [row] = await db
    .select({ id: requests.id })
    .from(requests)
    .where(and(eq(requests.number, digits), scopeCondition(user)));
  if (!row) throw errors.notFound("Обращение");
  return row.id;
}

/** One request as staff see it: everything, after the scope check. */
export async function getRequestForStaff(db: Queryable, user: StaffUser, number: string) {
  const id = await visibleRequestId(db, user, number);
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  if (!row) throw errors.notFound("Обращение");
  const [msgs, files, history, dept, assignee] = await Promise.all([
    db
      .select({
        id: messages.id,
        visibility: messages.visibility,
        authorType: messages.authorType,
        authorName: users.name,
        body: messages.body,
        channel: messages.channel,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(eq(messages.requestId, row.id))
      .orderBy(asc(messages.id)),
    db.select().from(attachments).where(eq(attachments.requestId, row.id)).orderBy(asc(attachments.createdAt)),
    db
      .select({
        id: requestHistory.id,
        actorType: requestHistory.actorType,
        actorName: users.name,
        action: requestHistory.action,
        changes: requestHistory.changes,
        createdAt: requestHistory.createdAt,
      })
      .from(requestHistory)
      .leftJoin(users, eq(users.id, requestHistory.actorId))
      .where(eq(requestHistory.requestId, row.id))
      .orderBy(asc(requestHistory.id)),
    row.departmentId ? db.select().from(departments).where(eq(departments.id, row.departmentId)) : Promise.resolve([]),
    row.assigneeId
      ? db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, row.assigneeId))
      : Promise.resolve([]),
  ]);
  return {
    number: row.number,
    subject: row.subject,
    category: row.category,
    categoryConfidence: row.categoryConfidence,
    categorySource: row.categorySource,
    audience: row.audience,
    region: row.region,
    channel: row.channel,
    priority: row.priority,
    status: row.status,
    allowedStatuses: [...allowedTransitions(row.status as Status)],
    department: dept[0]?.code ?? null,
    assignee: assignee[0] ?? null,
    contact: { name: row.contactName, email: row.contactEmail, phone: row.contactPhone },
    firstResponseDueAt: row.firstResponseDueAt,
    resolutionDueAt: row.resolutionDueAt,
    firstRespondedAt: row.firstRespondedAt,
    resolvedAt: row.resolvedAt,
    closedAt: row.closedAt,
    rating: row.rating,
    ratingComment: row.ratingComment,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    messages: msgs.map((m) => ({
      ...m,
      attachments: files.filter((f) => f.messageId === m.id).map(fileView),
    })),
    history,
  };
}

function fileView(f: typeof attachments.$inferSelect) {
  return { id: f.id, filename: f.filename, contentType: f.contentType, size: f.size };
}

export async function findByTrackingToken(db: Queryable, token: string) {
  if (!/^[A-Za-z0-9_-]{22,100}$/.test(token)) throw errors.notFound("Обращение");
  const [row] = await db
    .select()
    .from(requests)
    .where(eq(requests.trackingTokenHash, sha256(token)));
  if (!row) throw errors.notFound("Обращение");
  return row;
}

/** What the applicant sees on the tracking page: no internal notes, no staff names beyond the first name. */
export async function getTrackingView(db: Queryable, token: string) {
  const row = await findByTrackingToken(db, token);
  const [msgs, files] = await Promise.all([
    db
      .select({
        id: messages.id,
        authorType: messages.authorType,
        authorName: users.name,
        body: messages.body,
        createdAt: messages.createdAt,
      })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorId))
      .where(and(eq(messages.requestId, row.id), eq(messages.visibility, "public")))
      .orderBy(asc(messages.id)),
    db.select().from(attachments).where(eq(attachments.requestId, row.id)),
  ]);
  const status = row.status as Status;
  return {
    number: row.number,
    subject: row.subject,
    category: row.category,
    status,
    dueAt: row.firstRespondedAt ? row.resolutionDueAt : row.firstResponseDueAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    canReply: status !== "closed",
    canRate: status === "resolved" || status === "closed",
    rating: row.rating === null ? null : { score: row.rating, comment: row.ratingComment },
    messages: msgs.map((m) => ({
      id: m.id,
      from: (m.authorType === "applicant" ? "applicant" : "support") as "applicant" | "support",
      authorName: m.authorType === "staff" ? (m.authorName?.split(" ")[0] ?? "Служба поддержки") : null,
      body: m.body,
      createdAt: m.createdAt,
      attachments: files.filter((f) => f.messageId === m.id).map(fileView),
    })),
    open: isOpen(status),
  };
}
