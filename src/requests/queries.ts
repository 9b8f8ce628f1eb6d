// Reading the registry: the staff queue with filters and search, one request in full, the applicant's view.
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, notInArray, or, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { errors } from "../http/errors.ts";
import { blindIndex } from "../security/sealed.ts";
import { sha256 } from "../security/tokens.ts";
import { departments, users } from "../staff/schema.ts";
import type { StaffUser } from "../staff/service.ts";
import { maskEmail, maskPhone, normalizePhone } from "./contact.ts";
import { isValidRequestNumber, normalizeRequestNumber } from "./number.ts";
import {
  afterCursor,
  DEFAULT_DIRECTION,
  type Direction,
  encodeCursor,
  orderBy,
  type Sort,
  sortKeySql,
} from "./queue/order.ts";
import {
  actionDueSql,
  attachments,
  messages,
  type RequestRow,
  requestColumns,
  requestHistory,
  requestRelations,
  requests,
  requestWatchers,
  trackingTokens,
} from "./schema.ts";
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
  sort?: Sort | undefined;
  dir?: Direction | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
};

// Waiting for the applicant stops the SLA clock (its due times move on when the answer comes): not overdue meanwhile.
const overdueSql = sql`(${requests.status} not in ('resolved','closed','waiting') and (
  ${requests.resolutionDueAt} < now() or (${requests.firstRespondedAt} is null and ${requests.firstResponseDueAt} < now())))`;

/**
 * What the console's search box means. Contacts are encrypted, so a phone, an e-mail or a name is compared through
 * blind indexes (keyed hashes of normalised values: exact match, words for names); a string of digits may be a
 * request number and a phone at once, and a word both a name and a word of the text.
 */
export function searchCondition(q: string): SQL {
  const digits = normalizeRequestNumber(q);
  const number = digits && isValidRequestNumber(digits) ? eq(requests.number, digits) : undefined;
  const phone = /^[\s+\d()\-–‑.]{7,}$/.test(q) ? normalizePhone(q) : null;
  if (number && !phone) return number;
  // Contacts are encrypted: a search by phone or e-mail compares blind indexes (exact match only).
  if (phone) return or(number, eq(requests.contactPhoneHash, blindIndex("phone", phone)!))!;
  if (q.includes("@")) return eq(requests.contactEmailHash, blindIndex("email", q)!);
  if (digits) return eq(requests.number, digits);
  const text = sql`${requests.search} @@ websearch_to_tsquery('russian', ${q})`;
  const words = blindIndex("name", q);
  if (!words) return text;
  // Every word asked for is a word of the applicant's name (any case, «ё» as «е», in any order).
  return or(
    text,
    sql`string_to_array(${requests.contactNameHash}, ' ') @> ${`{${words.split(" ").join(",")}}`}::text[]`,
  )!;
}

/** The queue's conditions: the employee's scope and the filters (not the page). */
function listWhere(user: StaffUser, f: ListFilter): SQL | undefined {
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
  // The same as overdueSql, said through the queue's order key, so the view reads its index from the start.
  if (f.overdue) conds.push(sql`${actionDueSql("requests")} < now()`);
  return and(...conds.filter(Boolean));
}

/** How many words of the text stand in for a missing subject (calls, many letters). */
const PREVIEW_CHARS = 120;

/** The first words of the text, cut at a word's end. */
function previewOf(text: string | null): string | null {
  if (!text) return null;
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= PREVIEW_CHARS) return flat || null;
  const cut = flat.slice(0, PREVIEW_CHARS);
  const space = cut.lastIndexOf(" ");
  return `${(space > PREVIEW_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:—–-]+$/, "")}…`;
}

/**
 * The queue: one page in the asked order (by default what needs action first), the rows after `cursor`, and the
 * cursor of the next page when there is one. Keyset pages: a page deep in the list costs what the first one does.
 */
export async function listRequests(db: Queryable, user: StaffUser, f: ListFilter) {
  const sort = f.sort ?? "due";
  const dir = f.dir ?? DEFAULT_DIRECTION[sort];
  const limit = Math.min(f.limit ?? 50, 200);
  const where = listWhere(user, f);
  const page = f.cursor ? and(where, afterCursor(sort, dir, f.cursor)) : where;
  const [rows, total] = await Promise.all([
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
        id: requests.id,
        sortKey: sql<string | null>`${sortKeySql(sort)}`,
        // A request without a subject (a call, many letters) shows the first words of its first message.
        text: sql<
          string | null
        >`case when ${requests.subject} = '' then (select left(${messages.body}, ${PREVIEW_CHARS * 2}) from ${messages} where ${messages.requestId} = ${requests.id} order by ${messages.id} limit 1) end`,
      })
      .from(requests)
      .leftJoin(departments, eq(departments.id, requests.departmentId))
      .leftJoin(users, eq(users.id, requests.assigneeId))
      .where(page)
      .orderBy(...orderBy(sort, dir))
      .limit(limit + 1),
    cappedCount(db, where),
  ]);
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  return {
    nextCursor: more && last ? encodeCursor(sort, dir, last.sortKey, last.id) : null,
    items: shown.map(({ id: _id, sortKey: _key, text, ...r }) => ({
      ...r,
      preview: r.subject ? null : previewOf(text),
      // Lists show contacts masked; the full value is on the request's own page.
      contactEmail: maskEmail(r.contactEmail),
      contactPhone: maskPhone(r.contactPhone),
      overdue: Boolean(r.overdue),
    })),
    total: total.n,
    totalCapped: total.capped,
  };
}

/**
 * Counts stop at this many: past it a list or a view's counter says «more than 10 000». An exact count of a hundred
 * thousand open requests reads as many rows on every refresh, and nobody works a list by its last digits.
 */
export const COUNT_CAP = 10_000;

async function cappedCount(db: Queryable, where: SQL | undefined): Promise<{ n: number; capped: boolean }> {
  const some = db
    .select({ one: sql`1`.as("one") })
    .from(requests)
    .where(where)
    .limit(COUNT_CAP + 1)
    .as("some");
  const [row] = await db.select({ n: count() }).from(some);
  const n = Number(row?.n ?? 0);
  return n > COUNT_CAP ? { n: COUNT_CAP, capped: true } : { n, capped: false };
}

/** How many requests the queue shows with these filters (a view's counter), up to COUNT_CAP. */
export function countRequests(db: Queryable, user: StaffUser, f: ListFilter) {
  return cappedCount(db, listWhere(user, f));
}

/** The numbers of the first `max` requests of the queue in its order («select all in this view»). */
export async function listNumbers(db: Queryable, user: StaffUser, f: ListFilter, max: number): Promise<string[]> {
  const sort = f.sort ?? "due";
  const rows = await db
    .select({ number: requests.number })
    .from(requests)
    .where(listWhere(user, f))
    .orderBy(...orderBy(sort, f.dir ?? DEFAULT_DIRECTION[sort]))
    .limit(max);
  return rows.map((r) => r.number);
}

export async function loadRequestRow(db: Queryable, number: string) {
  const digits = normalizeRequestNumber(number);
  if (!digits) throw errors.notFound("request");
  const [row] = await db.select(requestColumns).from(requests).where(eq(requests.number, digits));
  if (!row) throw errors.notFound("request");
  return row;
}

/** A request's row by id (for rules and sweeps that already hold its id, e.g. from a claim). */
export async function requestRowById(db: Queryable, id: number) {
  const [row] = await db.select(requestColumns).from(requests).where(eq(requests.id, id));
  return row;
}

/** Several requests' rows by their ids, in no particular order. */
export async function requestRowsByIds(db: Queryable, ids: number[]) {
  if (ids.length === 0) return [];
  return db.select(requestColumns).from(requests).where(inArray(requests.id, ids));
}

/** The id of the request's latest history row of this action (in the caller's transaction: one just written counts). */
export async function lastHistoryId(db: Queryable, requestId: number, action: string): Promise<number | undefined> {
  const [row] = await db
    .select({ id: requestHistory.id })
    .from(requestHistory)
    .where(and(eq(requestHistory.requestId, requestId), eq(requestHistory.action, action)))
    .orderBy(desc(requestHistory.id))
    .limit(1);
  return row?.id;
}

/** A request's contact keys (blind indexes) by its id, without the rest of its row. */
export async function contactHashesById(db: Queryable, id: number) {
  const [row] = await db
    .select({ emailHash: requests.contactEmailHash, phoneHash: requests.contactPhoneHash })
    .from(requests)
    .where(eq(requests.id, id));
  return row;
}

/** The contact keys (blind indexes) of several requests by their ids, in no particular order. */
export async function contactHashesByIds(db: Queryable, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: requests.id, emailHash: requests.contactEmailHash, phoneHash: requests.contactPhoneHash })
    .from(requests)
    .where(inArray(requests.id, ids));
}

/** The tracking token given at registration, for news that carries the link again (none for older requests). */
export async function trackingTokenOf(db: Queryable, id: number): Promise<string | undefined> {
  const [row] = await db.select({ sealed: requests.trackingSealed }).from(requests).where(eq(requests.id, id));
  return row?.sealed ?? undefined;
}

/**
 * Where a merged request's number leads: the request it was merged into, or the one that one was merged into in turn
 * (a merge refuses a circle, and the walk stops after a few steps all the same). Undefined for a request not merged.
 */
export async function mergedTarget(db: Queryable, row: { mergedIntoId: number | null }) {
  let next = row.mergedIntoId;
  let found: RequestRow | undefined;
  for (let hops = 0; next !== null && hops < 20; hops++) {
    [found] = await db.select(requestColumns).from(requests).where(eq(requests.id, next));
    next = found?.mergedIntoId ?? null;
  }
  return found;
}

/** A request's row by its number as stored (no scope: for channels matching what an applicant sent). */
export async function requestRowByNumber(db: Queryable, number: string) {
  const [row] = await db.select(requestColumns).from(requests).where(eq(requests.number, number));
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

/** The condition «this number, within the employee's scope»; «not found» at once for a text that is no number. */
function visibleByNumber(user: StaffUser, number: string): SQL | undefined {
  const digits = normalizeRequestNumber(number);
  if (!digits) throw errors.notFound("request");
  return and(eq(requests.number, digits), scopeCondition(user));
}

/**
 * The access check of a route that only needs to know the employee may see the request: one look-up by the unique
 * number under the scope rules of scope.ts. The id, or «not found» (a request outside one's scope is not there).
 */
export async function visibleRequestId(db: Queryable, user: StaffUser, number: string): Promise<number> {
  const [row] = await db.select({ id: requests.id }).from(requests).where(visibleByNumber(user, number));
  if (!row) throw errors.notFound("request");
  return row.id;
}

/** The same check, with what tells whether the request was merged into another (commands refuse it then). */
export async function visibleRequestRef(db: Queryable, user: StaffUser, number: string) {
  const [row] = await db
    .select({ id: requests.id, number: requests.number, mergedIntoId: requests.mergedIntoId })
    .from(requests)
    .where(visibleByNumber(user, number));
  if (!row) throw errors.notFound("request");
  return row;
}

/** The same check for a route that needs the request's own columns (not its messages or history): the row. */
export async function visibleRequestRow(db: Queryable, user: StaffUser, number: string) {
  const [row] = await db.select(requestColumns).from(requests).where(visibleByNumber(user, number));
  if (!row) throw errors.notFound("request");
  return row;
}

/** A file sent with one of the request's messages (not one still waiting for its message), or nothing. */
export async function requestFile(db: Queryable, requestId: number, fileId: string) {
  const [f] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, fileId), eq(attachments.requestId, requestId), isNotNull(attachments.messageId)));
  return f ? fileView(f) : undefined;
}

/** One request as staff see it: everything, after the scope check. */
export async function getRequestForStaff(db: Queryable, user: StaffUser, number: string) {
  const id = await visibleRequestId(db, user, number);
  const [row] = await db.select(requestColumns).from(requests).where(eq(requests.id, id));
  if (!row) throw errors.notFound("request");
  const [msgs, files, history, dept, assignee, related, mergedFrom, into] = await Promise.all([
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
    relatedRequests(db, user, row.id),
    db
      .select({ number: requests.number })
      .from(requests)
      .where(eq(requests.mergedIntoId, row.id))
      .orderBy(asc(requests.id)),
    row.mergedIntoId === null ? Promise.resolve(undefined) : mergedTarget(db, row),
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
    mergedInto: into?.number ?? null,
    mergedFrom: mergedFrom.map((r) => r.number),
    related,
    messages: msgs.map((m) => ({
      ...m,
      attachments: files.filter((f) => f.messageId === m.id).map(fileView),
    })),
    history,
  };
}

/** The requests linked to this one as related, those the employee may see, by number. */
export async function relatedRequests(db: Queryable, user: StaffUser, id: number) {
  const other = sql`case when ${requestRelations.aId} = ${id} then ${requestRelations.bId} else ${requestRelations.aId} end`;
  return db
    .select({ number: requests.number, subject: requests.subject, status: requests.status })
    .from(requestRelations)
    .innerJoin(requests, eq(requests.id, other))
    .where(and(or(eq(requestRelations.aId, id), eq(requestRelations.bId, id)), scopeCondition(user)))
    .orderBy(asc(requests.number));
}

function fileView(f: typeof attachments.$inferSelect) {
  return { id: f.id, filename: f.filename, contentType: f.contentType, size: f.size };
}

export async function findByTrackingToken(db: Queryable, token: string) {
  if (!/^[A-Za-z0-9_-]{22,100}$/.test(token)) throw errors.notFound("request");
  const hash = sha256(token);
  // The link given at registration, or one sent again later at the applicant's request.
  const [row] = await db
    .select()
    .from(requests)
    .where(
      or(
        eq(requests.trackingTokenHash, hash),
        eq(
          requests.id,
          sql`(select ${trackingTokens.requestId} from ${trackingTokens} where ${trackingTokens.tokenHash} = ${hash})`,
        ),
      ),
    );
  if (!row) throw errors.notFound("request");
  return row;
}

/**
 * The request whose number is `digits` and whose e-mail or phone on file has this blind index, or nothing. One
 * statement of the same shape whatever matches, so that a lookup takes as long for a stranger's number as for one's own.
 */
export async function requestByNumberAndContact(
  db: Queryable,
  digits: string,
  contact: { kind: "email" | "phone"; hash: string },
): Promise<{ id: number; number: string } | undefined> {
  const column = contact.kind === "email" ? requests.contactEmailHash : requests.contactPhoneHash;
  const [row] = await db
    .select({ id: requests.id, number: requests.number })
    .from(requests)
    .where(and(eq(requests.number, digits), eq(column, contact.hash)));
  return row;
}

/**
 * The request a tracking link opens. The link of a request merged into another opens that other one when it is the
 * same applicant's (an e-mail or a phone in common): the conversation went on there. Otherwise the merged request
 * stays as it is, with the number it was merged into, and nothing of another person's request is shown.
 */
export async function findTrackedRequest(db: Queryable, token: string) {
  const own = await findByTrackingToken(db, token);
  if (own.mergedIntoId === null) return { row: own, mergedFrom: null, mergedInto: null };
  const target = await mergedTarget(db, own);
  if (!target) return { row: own, mergedFrom: null, mergedInto: null };
  const same =
    (own.contactEmailHash !== null && own.contactEmailHash === target.contactEmailHash) ||
    (own.contactPhoneHash !== null && own.contactPhoneHash === target.contactPhoneHash);
  return same
    ? { row: target, mergedFrom: own.number, mergedInto: null }
    : { row: own, mergedFrom: null, mergedInto: target.number };
}

/**
 * A message of the request's own applicant or of the service: one written here, or moved here by a merge from a
 * request with the same e-mail or phone as this one (as `findTrackedRequest` tells the same applicant). A duplicate
 * of another person's, merged in for the operators' sake, stays theirs: its words and files are not shown here.
 */
function ownMessage(row: { contactEmailHash: string | null; contactPhoneHash: string | null }): SQL {
  const same: SQL[] = [];
  if (row.contactEmailHash !== null) same.push(sql`o.contact_email_hash = ${row.contactEmailHash}`);
  if (row.contactPhoneHash !== null) same.push(sql`o.contact_phone_hash = ${row.contactPhoneHash}`);
  if (same.length === 0) return sql`messages.merged_from is null`;
  return sql`(messages.merged_from is null or exists (select 1 from ${requests} o
    where o.id = messages.merged_from and (${sql.join(same, sql` or `)})))`;
}

/** What the applicant sees on the tracking page: no internal notes, no staff names beyond the first name. */
export async function getTrackingView(db: Queryable, token: string) {
  const { row, mergedFrom, mergedInto } = await findTrackedRequest(db, token);
  // Merged into another person's request, this one keeps showing its applicant what they wrote (and what was answered
  // here before the merge), though those messages now belong to the request it was merged into; nothing of that
  // request's own is shown.
  const shown =
    mergedInto === null
      ? and(eq(messages.requestId, row.id), ownMessage(row))
      : or(eq(messages.requestId, row.id), eq(messages.mergedFrom, row.id));
  const [msgs, files, [seen]] = await Promise.all([
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
      .where(and(shown, eq(messages.visibility, "public")))
      .orderBy(asc(messages.id)),
    db
      .select()
      .from(attachments)
      .where(
        mergedInto === null
          ? eq(attachments.requestId, row.id)
          : or(
              eq(attachments.requestId, row.id),
              inArray(
                attachments.messageId,
                db.select({ id: messages.id }).from(messages).where(eq(messages.mergedFrom, row.id)),
              ),
            ),
      ),
    // The last change the applicant can see (the rule of the tracking page's stream, `seenByApplicant`): the row's own
    // time moves with notes and reassignments too, and would hint at them.
    db
      .select({ at: sql<Date | string | null>`max(${requestHistory.createdAt})` })
      .from(requestHistory)
      .where(
        and(
          eq(requestHistory.requestId, row.id),
          sql`(${requestHistory.action} in ('created', 'rated', 'rating_changed')
            or ${requestHistory.changes}->>'visibility' = 'public'
            or jsonb_typeof(${requestHistory.changes}->'status') = 'array')`,
        ),
      ),
  ]);
  const status = row.status as Status;
  return {
    number: row.number,
    subject: row.subject,
    category: row.category,
    status,
    dueAt: row.firstRespondedAt ? row.resolutionDueAt : row.firstResponseDueAt,
    createdAt: row.createdAt,
    updatedAt: seen?.at ? new Date(seen.at) : row.createdAt,
    canReply: status !== "closed",
    canRate: (status === "resolved" || status === "closed") && mergedInto === null,
    rating: row.rating === null ? null : { score: row.rating, comment: row.ratingComment },
    mergedFrom,
    mergedInto,
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

/** One history row with the request it belongs to (for notices about that change). */
export async function historyEntry(db: Queryable, historyId: number) {
  const [row] = await db
    .select({
      requestId: requestHistory.requestId,
      number: requests.number,
      departmentId: requests.departmentId,
      actorType: requestHistory.actorType,
      actorId: requestHistory.actorId,
      action: requestHistory.action,
      changes: requestHistory.changes,
    })
    .from(requestHistory)
    .innerJoin(requests, eq(requests.id, requestHistory.requestId))
    .where(eq(requestHistory.id, historyId));
  return row;
}

/** Which of these requests were split off another (an applicant's message made a request of its own). */
export async function splitOffAmong(db: Queryable, requestIds: number[]): Promise<number[]> {
  const rows = await db
    .selectDistinct({ id: requestHistory.requestId })
    .from(requestHistory)
    .where(and(inArray(requestHistory.requestId, requestIds), eq(requestHistory.action, "split_from")));
  return rows.map((r) => r.id);
}

/** The employees who follow a request. */
export async function followersOf(db: Queryable, requestId: number): Promise<number[]> {
  const rows = await db
    .select({ userId: requestWatchers.userId })
    .from(requestWatchers)
    .where(eq(requestWatchers.requestId, requestId));
  return rows.map((r) => r.userId);
}
/**
 * Requests whose e-mail or phone on file has one of these blind indexes (an applicant's contacts, src/applicants),
 * within the employee's scope, newest first: one person's history across channels.
 */
export async function requestsByContactHashes(
  db: Queryable,
  user: StaffUser,
  hashes: { email: string[]; phone: string[] },
  opts: { except?: number[]; limit?: number } = {},
) {
  const match = [
    hashes.email.length ? inArray(requests.contactEmailHash, hashes.email) : undefined,
    hashes.phone.length ? inArray(requests.contactPhoneHash, hashes.phone) : undefined,
  ].filter(Boolean);
  if (match.length === 0) return [];
  const except = opts.except?.length ? notInArray(requests.id, opts.except) : undefined;
  return db
    .select({
      id: requests.id,
      number: requests.number,
      subject: requests.subject,
      status: requests.status,
      channel: requests.channel,
      createdAt: requests.createdAt,
    })
    .from(requests)
    .where(and(or(...match), except, scopeCondition(user)))
    .orderBy(desc(requests.createdAt), desc(requests.id))
    .limit(opts.limit ?? 20);
}

/**
 * The blind indexes of requests' contacts in id order after `afterId`, for requests that have a contact at all
 * (filling the applicant record for old rows).
 */
export async function contactHashesAfter(db: Queryable, afterId: number, limit: number) {
  return db
    .select({ id: requests.id, emailHash: requests.contactEmailHash, phoneHash: requests.contactPhoneHash })
    .from(requests)
    .where(
      and(
        sql`${requests.id} > ${afterId}`,
        or(sql`${requests.contactEmailHash} is not null`, sql`${requests.contactPhoneHash} is not null`),
      ),
    )
    .orderBy(asc(requests.id))
    .limit(limit);
}

/** A request's id and the blind indexes of its contacts, by number (the applicant's other requests start here). */
export async function contactHashesOf(db: Queryable, number: string) {
  const [row] = await db
    .select({ id: requests.id, emailHash: requests.contactEmailHash, phoneHash: requests.contactPhoneHash })
    .from(requests)
    .where(eq(requests.number, number));
  return row;
}
