// Registering a request, from any channel: one transaction writes the request, its first message, its
// attachments, its history and the outbox event that announces it.
import { createHash, createHmac } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import { driverQuery, type Tx } from "../db/client.ts";
import { GroupCommit } from "../db/group-commit.ts";
import { emitMany, rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { isAudience, isCategoryCode } from "../routing/categories.ts";
import { DEFAULT_ROUTE } from "../routing/departments.ts";
import { routeNewRequests } from "../routing/intake.ts";
import { slaDueAt } from "../routing/sla-service.ts";
import { blindIndex } from "../security/sealed.ts";
import { departments } from "../staff/schema.ts";
import { randomToken, sha256 } from "../staff/tokens.ts";
import { type Contact, normalizeContact } from "./contact.ts";
import type { StoredFile } from "./files.ts";
import { formatRequestNumber } from "./number.ts";
import { attachments, messages, requestHistory, requests } from "./schema.ts";

export const CHANNELS = ["web", "email", "chat", "phone"] as const;
export type Channel = (typeof CHANNELS)[number];

export type NewRequest = {
  text: string;
  subject?: string | undefined;
  category?: string | undefined;
  audience?: string | undefined;
  region?: string | undefined;
  contact?: Contact | undefined;
  channel: Channel;
  priority?: "low" | "normal" | "high" | "urgent";
  files?: StoredFile[];
  idempotencyKey?: string | undefined;
  /**
   * Runs inside the registration's transaction, after the request is written: a channel records its own
   * side of the registration (and composes what needs the tracking token, which exists only here).
   */
  inTransaction?: (tx: Tx, registered: Registered & { messageId: number }) => Promise<void>;
};

export type Registered = {
  id: number;
  number: string;
  trackingToken: string;
  status: string;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  replayed: boolean;
};

export const TEXT_MAX = 20_000;

export async function registerRequest(ctx: AppContext, input: NewRequest, now = new Date()): Promise<Registered> {
  const prepared = prepare(ctx, input, now);
  // A retried submission (same Idempotency-Key and the same content) answers with the request it made.
  if (input.idempotencyKey) {
    const replay = await findReplay(ctx, input.idempotencyKey, prepared.idempotencyHash!);
    if (replay) return replay;
  }
  try {
    return await intakeOf(ctx).submit(prepared);
  } catch (e) {
    // Two copies of one submission raced: the loser answers with the winner's request.
    if (input.idempotencyKey && isUniqueViolation(e)) {
      const replay = await findReplay(ctx, input.idempotencyKey, prepared.idempotencyHash!);
      if (replay) return replay;
    }
    throw e;
  }
}

/** A submission checked and classified, ready to be written. Everything here is decided before the transaction. */
type Prepared = {
  input: NewRequest;
  text: string;
  subject: string;
  contact: Contact;
  idempotencyHash: string | undefined;
  trackingToken: string;
  guess: ReturnType<AppContext["classifier"]> | null;
  category: string | null;
  categorySource: string | null;
  audience: string;
  priority: NonNullable<NewRequest["priority"]>;
  due: ReturnType<typeof slaDueAt>;
  now: Date;
};

function prepare(ctx: AppContext, input: NewRequest, now: Date): Prepared {
  const text = input.text.trim();
  if (!text) throw errors.validation("Опишите вопрос: поле «Текст обращения» пустое.", { field: "text" });
  if (text.length > TEXT_MAX) {
    throw errors.validation(`Текст обращения длиннее ${TEXT_MAX} символов: сократите его или приложите файлом.`, {
      field: "text",
    });
  }
  if (input.category && !isCategoryCode(input.category)) {
    throw errors.validation(`Неизвестная категория «${input.category}».`, { field: "category" });
  }
  if (input.audience && !isAudience(input.audience)) {
    throw errors.validation(`Неизвестный тип заявителя «${input.audience}».`, { field: "audience" });
  }
  const contact = normalizeContact(input.contact);
  const idempotencyHash = input.idempotencyKey ? fingerprint(input, contact) : undefined;
  const trackingToken = input.idempotencyKey
    ? createHmac("sha256", ctx.secret).update(`${input.idempotencyKey}\n${idempotencyHash}`).digest("base64url")
    : randomToken(32);

  const guess = input.category ? null : ctx.classifier(`${input.subject ?? ""}\n${text}`);
  // Below the classifier's threshold the request waits, uncategorised, in the triage queue for a person.
  const confident = guess && !guess.needsTriage ? guess : null;
  const category = input.category ?? confident?.category ?? null;
  const priority = input.priority ?? "normal";
  return {
    input,
    text,
    subject: input.subject?.trim().slice(0, 300) || text.split("\n")[0]!.slice(0, 120),
    contact,
    idempotencyHash,
    trackingToken,
    guess,
    category,
    categorySource: input.category ? input.channel : confident ? "classifier" : null,
    audience: input.audience ?? guess?.audience ?? "citizen",
    priority,
    due: slaDueAt(ctx, { channel: input.channel, category, priority }, now),
    now,
  };
}

/**
 * Registrations go by group commit: submissions that arrive while a registration transaction is running are written
 * together in the next one — a few statements for the whole group instead of about ten per request, and one commit.
 * A group that fails is written again one submission at a time, so one bad submission (a raced idempotency key, a
 * channel's refusal) does not fail the others.
 */
const batchers = new WeakMap<AppContext, GroupCommit<Prepared, Registered>>();

function intakeOf(ctx: AppContext): GroupCommit<Prepared, Registered> {
  let b = batchers.get(ctx);
  if (!b) {
    b = new GroupCommit((group) => ctx.db.transaction((tx) => writeRequests(ctx, tx, group)), {
      // PGlite is one connection: one group at a time. A server pool takes a few groups side by side.
      parallel: ctx.database.engine === "pglite" ? 1 : 3,
    });
    batchers.set(ctx, b);
  }
  return b;
}

/** Writes a group of requests in the caller's transaction: each statement covers the whole group. */
async function writeRequests(ctx: AppContext, tx: Tx, group: Prepared[]): Promise<Registered[]> {
  const codes = [
    ...new Set(group.flatMap((p) => (p.category && isCategoryCode(p.category) ? [DEFAULT_ROUTE[p.category]] : []))),
  ];
  const departmentIds = new Map<string, number>();
  if (codes.length > 0) {
    const found = await tx
      .select({ id: departments.id, code: departments.code })
      .from(departments)
      .where(inArray(departments.code, codes));
    for (const d of found) departmentIds.set(d.code, d.id);
  }
  const departmentOf = (p: Prepared) =>
    p.category && isCategoryCode(p.category) ? (departmentIds.get(DEFAULT_ROUTE[p.category]) ?? null) : null;

  const seq = await tx.execute<{ n: string }>(
    sql`select nextval('request_number_seq')::text as n from generate_series(1, ${group.length}::int)`,
  );
  const numbers = rowsOf<{ n: string }>(seq).map((r) => formatRequestNumber(BigInt(r.n)));
  const inserted = await insertRequestRows(
    tx,
    group.map((p, i) => {
      const { input, contact, due, now } = p;
      return {
        number: numbers[i]!,
        trackingTokenHash: sha256(p.trackingToken),
        idempotencyKey: input.idempotencyKey ?? null,
        idempotencyHash: p.idempotencyHash ?? null,
        subject: p.subject,
        category: p.category,
        categoryConfidence: input.category ? 1 : (p.guess?.confidence ?? null),
        categorySource: p.categorySource,
        audience: p.audience,
        region: input.region?.trim() || null,
        channel: input.channel,
        priority: p.priority,
        departmentId: departmentOf(p),
        contactName: contact.name ?? null,
        contactEmail: contact.email ?? null,
        contactEmailHash: blindIndex("email", contact.email),
        contactPhone: contact.phone ?? null,
        contactPhoneHash: blindIndex("phone", contact.phone),
        firstResponseDueAt: due.firstResponseDueAt,
        resolutionDueAt: due.resolutionDueAt,
        firstResponseBasis: due.firstResponseBasis,
        resolutionBasis: due.resolutionBasis,
        createdAt: now,
        updatedAt: now,
        searchText: `${p.subject}\n${p.text}`,
      };
    }),
  );
  const byNumber = new Map(inserted.map((r) => [r.number, r]));
  const rows = numbers.map((n) => byNumber.get(n)!);

  const firstMessages = await tx
    .insert(messages)
    .values(
      group.map((p, i) => ({
        requestId: rows[i]!.id,
        visibility: "public",
        authorType: "applicant",
        body: p.text,
        channel: p.input.channel,
        createdAt: p.now,
      })),
    )
    .returning({ id: messages.id, requestId: messages.requestId });
  const messageOf = new Map(firstMessages.map((m) => [m.requestId, m.id]));
  const files = group.flatMap((p, i) =>
    (p.input.files ?? []).map((f) => ({ file: f, requestId: rows[i]!.id, messageId: messageOf.get(rows[i]!.id)! })),
  );
  if (files.length > 0)
    await tx.insert(attachments).values(files.map((f) => attachmentRow(f.requestId, f.messageId, f.file)));
  await tx.insert(requestHistory).values(
    group.map((p, i) => ({
      requestId: rows[i]!.id,
      actorType: "applicant",
      action: "created",
      changes: {
        channel: p.input.channel,
        category: p.category,
        categorySource: p.categorySource,
        ...(p.guess?.needsTriage ? { suggested: p.guess.category, confidence: p.guess.confidence } : {}),
      },
      createdAt: p.now,
    })),
  );
  await emitMany(
    tx,
    group.map((p, i) => ({
      topic: "request.created",
      data: { requestId: rows[i]!.id, number: numbers[i]!, departmentId: departmentOf(p), channel: p.input.channel },
    })),
  );
  await routeNewRequests(
    ctx,
    tx,
    group.map((p, i) => ({ id: rows[i]!.id, number: numbers[i]!, departmentId: departmentOf(p), now: p.now })),
  );
  const registered: Registered[] = [];
  for (const [i, p] of group.entries()) {
    const r: Registered = {
      id: rows[i]!.id,
      number: numbers[i]!,
      trackingToken: p.trackingToken,
      status: rows[i]!.status,
      firstResponseDueAt: p.due.firstResponseDueAt,
      resolutionDueAt: p.due.resolutionDueAt,
      replayed: false,
    };
    await p.input.inTransaction?.(tx, { ...r, messageId: messageOf.get(r.id)! });
    registered.push(r);
  }
  return registered;
}

const REQUEST_FIELDS = [
  "number",
  "trackingTokenHash",
  "idempotencyKey",
  "idempotencyHash",
  "subject",
  "category",
  "categoryConfidence",
  "categorySource",
  "audience",
  "region",
  "channel",
  "priority",
  "departmentId",
  "contactName",
  "contactEmail",
  "contactEmailHash",
  "contactPhone",
  "contactPhoneHash",
  "firstResponseDueAt",
  "resolutionDueAt",
  "firstResponseBasis",
  "resolutionBasis",
  "createdAt",
  "updatedAt",
] as const;

type RequestRow = { [K in (typeof REQUEST_FIELDS)[number]]: (typeof requests.$inferInsert)[K] } & {
  searchText: string;
};

/**
 * The group's requests in one multi-row insert, written as text with parameters rather than through the query
 * builder, which spent more time assembling this statement (thirty columns for each of up to 64 rows) than the
 * database spent running it. Each value still goes through its column's own mapping (dates, encrypted contacts).
 */
async function insertRequestRows(
  tx: Tx,
  rows: RequestRow[],
): Promise<{ id: number; number: string; status: string }[]> {
  const columns = REQUEST_FIELDS.map((f) => requests[f]);
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const slots = REQUEST_FIELDS.map((f, i) => {
      const value = row[f];
      params.push(value === null || value === undefined ? null : columns[i]!.mapToDriverValue(value));
      return `$${params.length}`;
    });
    params.push(row.searchText);
    slots.push(`to_tsvector('russian', $${params.length})`);
    return `(${slots.join(", ")})`;
  });
  const names = [...columns.map((c) => `"${c.name}"`), '"search"'].join(", ");
  const result = await driverQuery<{ id: string; number: string; status: string }>(
    tx,
    `insert into requests (${names}) values ${tuples.join(", ")} returning id::text as id, number, status`,
    params,
  );
  return result.map((r) => ({ id: Number(r.id), number: r.number, status: r.status }));
}

export async function attachFiles(tx: Tx, requestId: number, messageId: number, files: StoredFile[]) {
  if (files.length === 0) return;
  await tx.insert(attachments).values(files.map((f) => attachmentRow(requestId, messageId, f)));
}

function attachmentRow(requestId: number, messageId: number, f: StoredFile) {
  return {
    id: f.id,
    requestId,
    messageId,
    filename: f.filename,
    contentType: f.contentType,
    size: f.size,
    sha256: f.sha256,
  };
}

function fingerprint(input: NewRequest, contact: Contact): string {
  const files = (input.files ?? []).map((f) => f.sha256).sort();
  const canonical = JSON.stringify([
    input.text.trim(),
    input.subject ?? "",
    input.category ?? "",
    input.audience ?? "",
    input.region ?? "",
    contact,
    input.channel,
    files,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

async function findReplay(ctx: AppContext, key: string, hash: string): Promise<Registered | null> {
  const [row] = await ctx.db.select().from(requests).where(eq(requests.idempotencyKey, key));
  if (!row) return null;
  if (row.idempotencyHash !== hash) {
    throw errors.conflict(
      "idempotency_key_reused",
      "Этот ключ повторной отправки уже использован для другого обращения. Обновите страницу и отправьте форму заново.",
    );
  }
  const trackingToken = createHmac("sha256", ctx.secret).update(`${key}\n${hash}`).digest("base64url");
  return {
    id: row.id,
    number: row.number,
    trackingToken,
    status: row.status,
    firstResponseDueAt: row.firstResponseDueAt!,
    resolutionDueAt: row.resolutionDueAt!,
    replayed: true,
  };
}

export function isUniqueViolation(e: unknown): boolean {
  for (let cur = e as { code?: string; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) {
    if (cur.code === "23505") return true;
  }
  return false;
}
