// Registering a request, from any channel: one transaction writes the request, its first message, its
// attachments, its history and the outbox event that announces it.
import { createHash, createHmac } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/client.ts";
import { emit, rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { isAudience, isCategoryCode } from "../routing/categories.ts";
import { DEFAULT_ROUTE } from "../routing/departments.ts";
import { routeNewRequest } from "../routing/intake.ts";
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

  // A retried submission (same Idempotency-Key and the same content) answers with the request it made.
  let idempotencyHash: string | undefined;
  if (input.idempotencyKey) {
    idempotencyHash = fingerprint(input, contact);
    const replay = await findReplay(ctx, input.idempotencyKey, idempotencyHash);
    if (replay) return replay;
  }
  const trackingToken = input.idempotencyKey
    ? createHmac("sha256", ctx.secret).update(`${input.idempotencyKey}\n${idempotencyHash}`).digest("base64url")
    : randomToken(32);

  const guess = input.category ? null : ctx.classifier(`${input.subject ?? ""}\n${text}`);
  // Below the classifier's threshold the request waits, uncategorised, in the triage queue for a person.
  const confident = guess && !guess.needsTriage ? guess : null;
  const category = input.category ?? confident?.category ?? null;
  const audience = input.audience ?? guess?.audience ?? "citizen";
  const categorySource = input.category ? input.channel : confident ? "classifier" : null;
  const priority = input.priority ?? "normal";
  const due = slaDueAt(ctx, { channel: input.channel, category, priority }, now);

  try {
    return await ctx.db.transaction(async (tx) => {
      const departmentId =
        category && isCategoryCode(category) ? await departmentIdFor(tx, DEFAULT_ROUTE[category]) : null;
      const seq = await tx.execute<{ n: string }>(sql`select nextval('request_number_seq')::text as n`);
      const number = formatRequestNumber(BigInt(rowsOf<{ n: string }>(seq)[0]!.n));
      const subject = input.subject?.trim().slice(0, 300) || text.split("\n")[0]!.slice(0, 120);
      const [row] = await tx
        .insert(requests)
        .values({
          number,
          trackingTokenHash: sha256(trackingToken),
          idempotencyKey: input.idempotencyKey ?? null,
          idempotencyHash: idempotencyHash ?? null,
          subject,
          category,
          categoryConfidence: input.category ? 1 : (guess?.confidence ?? null),
          categorySource,
          audience,
          region: input.region?.trim() || null,
          channel: input.channel,
          priority,
          departmentId,
          contactName: contact.name ?? null,
          contactEmail: contact.email ?? null,
          contactEmailHash: blindIndex("email", contact.email),
          contactPhone: contact.phone ?? null,
          contactPhoneHash: blindIndex("phone", contact.phone),
          firstResponseDueAt: due.firstResponseDueAt,
          resolutionDueAt: due.resolutionDueAt,
          firstResponseBasis: due.firstResponseBasis,
          resolutionBasis: due.resolutionBasis,
          search: sql`to_tsvector('russian', ${`${subject}\n${text}`})`,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: requests.id, status: requests.status });
      const [msg] = await tx
        .insert(messages)
        .values({
          requestId: row!.id,
          visibility: "public",
          authorType: "applicant",
          body: text,
          channel: input.channel,
          createdAt: now,
        })
        .returning({ id: messages.id });
      await attachFiles(tx, row!.id, msg!.id, input.files ?? []);
      await tx.insert(requestHistory).values({
        requestId: row!.id,
        actorType: "applicant",
        action: "created",
        changes: {
          channel: input.channel,
          category,
          categorySource,
          ...(guess && !confident ? { suggested: guess.category, confidence: guess.confidence } : {}),
        },
        createdAt: now,
      });
      await emit(tx, "request.created", { requestId: row!.id, number, departmentId, channel: input.channel });
      await routeNewRequest(ctx, tx, { id: row!.id, number, departmentId }, now);
      const registered: Registered = {
        id: row!.id,
        number,
        trackingToken,
        status: row!.status,
        firstResponseDueAt: due.firstResponseDueAt,
        resolutionDueAt: due.resolutionDueAt,
        replayed: false,
      };
      await input.inTransaction?.(tx, { ...registered, messageId: msg!.id });
      return registered;
    });
  } catch (e) {
    // Two copies of one submission raced: the loser answers with the winner's request.
    if (input.idempotencyKey && isUniqueViolation(e)) {
      const replay = await findReplay(ctx, input.idempotencyKey, idempotencyHash!);
      if (replay) return replay;
    }
    throw e;
  }
}

export async function attachFiles(tx: Tx, requestId: number, messageId: number, files: StoredFile[]) {
  if (files.length === 0) return;
  await tx.insert(attachments).values(
    files.map((f) => ({
      id: f.id,
      requestId,
      messageId,
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      sha256: f.sha256,
    })),
  );
}

async function departmentIdFor(tx: Tx, code: string): Promise<number | null> {
  const [d] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.code, code));
  return d?.id ?? null;
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
