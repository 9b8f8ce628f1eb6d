// A message on a request, from anyone and any channel: the applicant's words (a web reply, a letter, a chat line), an
// employee's answer or internal note, a notice of the service (an incident), the chatbot's line in a chat transcript.
// What a message does to the request follows from who wrote it, the same whichever channel it came through.

import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { driverQuery } from "../../db/driver.ts";
import { EVENTS_CHANNEL_SQL } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import type { StaffUser } from "../../staff/service.ts";
import { count, WORDS } from "../../text/plural.ts";
import type { StoredFile } from "../files.ts";
import { attachments, messages, requests } from "../schema.ts";
import { type Status, statusAfterApplicantMessage } from "../status.ts";
import type { RequestRow, RequestRules } from "./ports.ts";
import { type Actor, applyPatch, eventFacts, lockRequest, statusPatch, writeHistory } from "./row.ts";

/** The longest text of one message. */
export const TEXT_MAX = 20_000;

export type Author =
  /** `trusted: false`: a letter that cannot be taken as the applicant's word (another sender, a machine). */
  | { type: "applicant"; trusted?: boolean }
  | { type: "staff"; user: StaffUser }
  /** The service itself, no person behind it (an incident notice). */
  | { type: "service" }
  /** The chatbot's line in a chat's transcript. */
  | { type: "bot" };

export type NewMessage = {
  author: Author;
  /** public: the applicant sees it; note: staff only. An applicant's untrusted message is always a note. */
  visibility: "public" | "note";
  body: string;
  /** The channel it came through or goes out by; an employee's message goes by the request's own channel. */
  channel?: string | undefined;
  files?: StoredFile[] | undefined;
  /**
   * An employee's public message takes a new request into work; `status` names another status to move to (a question
   * to the applicant: «waiting»; a notice that an incident is over: «resolved»).
   */
  status?: Status | undefined;
  /** The history row's action and extra changes, when the message is part of a larger act (a question, a link). */
  record?: { action: string; changes?: Record<string, unknown> } | undefined;
  now?: Date | undefined;
};

export type Appended = { messageId: number; row: RequestRow };

const AUTHOR_TYPE = { applicant: "applicant", staff: "staff", service: "staff", bot: "bot" } as const;

/**
 * A text with nothing to read: spaces, line breaks and invisible format characters only (zero-width spaces and
 * joiners, direction marks), which `trim` leaves in place.
 */
export const isBlank = (text: string): boolean => /^[\s\p{Cf}]*$/u.test(text);

function checkBody(m: NewMessage): string {
  const body = m.body.trim();
  const field = m.author.type === "applicant" ? "text" : "body";
  if (isBlank(body)) {
    throw errors.validation(
      m.author.type === "applicant" ? "Напишите текст сообщения." : "Пустое сообщение: напишите текст ответа.",
      { field },
    );
  }
  if (body.length > TEXT_MAX)
    throw errors.validation(`Сообщение длиннее ${count(TEXT_MAX, ...WORDS.characterGenitive)}.`, { field });
  return body;
}

export async function appendMessage(rules: RequestRules, tx: Tx, requestId: number, m: NewMessage): Promise<Appended> {
  const body = checkBody(m);
  const row = await lockRequest(tx, requestId);
  if (row.status === "closed" && (m.author.type === "applicant" || m.author.type === "staff")) {
    throw m.author.type === "applicant"
      ? errors.conflict("request_closed", "Обращение закрыто. Если вопрос остался, создайте новое обращение.")
      : errors.conflict("request_closed", "Обращение закрыто: ответ в нём невозможен.");
  }
  const now = m.now ?? new Date();
  const trusted = m.author.type !== "applicant" || m.author.trusted !== false;
  const visibility = trusted ? m.visibility : "note";
  const channel = m.channel ?? row.channel;

  // What the message does to the request follows from who wrote it.
  const patch: Partial<RequestRow> = { updatedAt: now };
  let searchable = false;
  const changes: Record<string, unknown> = { visibility };
  let action: string | null = null;
  let actor: Actor = { type: "system" };
  if (m.author.type === "applicant") {
    actor = { type: "applicant" };
    action = "applicant_replied";
    const next = trusted ? statusAfterApplicantMessage(row.status as Status) : null;
    if (next) Object.assign(patch, statusPatch(rules, row, next, now));
    searchable = trusted;
    if (m.channel && m.channel !== "web") changes.channel = m.channel;
    if (!trusted) changes.unverified = true;
  } else if (m.author.type === "staff") {
    const user = m.author.user;
    actor = { type: "staff", user };
    action = visibility === "public" ? "replied" : "noted";
    if (visibility === "public") {
      if (!row.firstRespondedAt) patch.firstRespondedAt = now;
      // Answering takes the request into work and, unless someone has it, gives it to the one who answered.
      const to = m.status ?? (row.status === "new" ? "in_progress" : null);
      if (to && to !== row.status) Object.assign(patch, statusPatch(rules, row, to, now));
      if (row.assigneeId === null) patch.assigneeId = user.id;
    }
  } else if (m.author.type === "service") {
    action = "replied";
    if (m.status && m.status !== row.status) Object.assign(patch, statusPatch(rules, row, m.status, now));
  }
  if (patch.status) changes.status = [row.status, patch.status];
  if (m.record) {
    action = m.record.action;
    Object.assign(changes, m.record.changes ?? {});
  }
  const message = {
    requestId,
    visibility,
    authorType: AUTHOR_TYPE[m.author.type],
    authorId: m.author.type === "staff" ? m.author.user.id : null,
    body,
    channel,
    createdAt: now,
  };

  // The common case — a line of a conversation that changes nothing but the request's time — in one statement.
  if (action && !m.files?.length && Object.keys(patch).length === 1) {
    const messageId = await appendPlainLine(tx, row, message, { actor, action, changes, searchable, via: m.channel });
    return { messageId, row: { ...row, updatedAt: now } };
  }

  const [msg] = await tx.insert(messages).values(message).returning({ id: messages.id });
  const messageId = msg!.id;
  await attachFiles(tx, requestId, messageId, m.files ?? []);
  changes.messageId = messageId;
  const search = searchable
    ? sql`coalesce(${requests.search}, ''::tsvector) || to_tsvector('russian', ${body})`
    : undefined;
  const after = await applyPatch(tx, row, patch, search ? { search } : {});
  // The chatbot's transcript lines are the chat's own record: they change nothing and announce nothing.
  if (action) await writeHistory(tx, after, actor, action, changes, now, m.channel ? { via: m.channel } : {});
  return { messageId, row: after };
}

/**
 * The message, the request's time (and search words), the history row and the event with its NOTIFY, in one
 * statement: the same rows `writeHistory` writes, for the line of a conversation that changes nothing else.
 */
async function appendPlainLine(
  tx: Tx,
  row: RequestRow,
  m: {
    visibility: string;
    authorType: string;
    authorId: number | null;
    body: string;
    channel: string;
    createdAt: Date;
  },
  h: { actor: Actor; action: string; changes: Record<string, unknown>; searchable: boolean; via: string | undefined },
): Promise<number> {
  // `via`: the channel the message was written in, when the writer named one (an employee's answer from the console
  // goes by the request's channel but was not said in it).
  const event = { ...eventFacts(row), visibility: m.visibility, ...(h.via ? { via: h.via } : {}) };
  const [r] = await driverQuery<{ message_id: string }>(
    tx,
    APPEND_PLAIN_LINE,
    [
      row.id,
      m.visibility,
      m.authorType,
      m.authorId,
      m.body,
      m.channel,
      m.createdAt.toISOString(),
      h.searchable,
      h.actor.type,
      h.actor.type === "staff" ? h.actor.user.id : null,
      h.action,
      JSON.stringify(h.changes),
      JSON.stringify(event),
    ],
    "otklik_append_line",
  );
  return Number(r!.message_id);
}

/** The plain line's statement (exported for the chat benchmark's raw side, which sends it straight to the driver). */
export const APPEND_PLAIN_LINE = `with m as (
    insert into messages (request_id, visibility, author_type, author_id, body, channel, created_at)
    values ($1::bigint, $2, $3, $4::int, $5, $6, $7::timestamptz)
    returning id
  ),
  u as (
    update requests set updated_at = $7::timestamptz,
      search = case when $8::boolean then coalesce(search, ''::tsvector) || to_tsvector('russian', $5) else search end
    where id = $1::bigint
  ),
  h as (
    insert into request_history (request_id, actor_type, actor_id, action, changes, created_at)
    select $1::bigint, $9, $10::int, $11, $12::jsonb || jsonb_build_object('messageId', m.id), $7::timestamptz from m
    returning id
  ),
  e as (
    insert into events (topic, payload)
    select 'request.' || $11, $13::jsonb || jsonb_build_object('historyId', h.id, 'messageId', m.id,
      'followed', exists (select 1 from request_watchers w where w.request_id = $1::bigint))
    from h, m
    returning id, topic, payload
  )
  select m.id::text as message_id,
    pg_notify(${EVENTS_CHANNEL_SQL}, json_build_object('id', e.id, 'topic', e.topic, 'data', e.payload)::text) as notified
  from m, e`;

export async function attachFiles(tx: Tx, requestId: number, messageId: number, files: StoredFile[]) {
  if (files.length === 0) return;
  await tx.insert(attachments).values(files.map((f) => attachmentRow(requestId, messageId, f)));
}

export function attachmentRow(requestId: number, messageId: number, f: StoredFile) {
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
