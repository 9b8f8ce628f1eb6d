// Registering a request, from any channel: one transaction writes the request, its first message, its
// attachments, its history and the outbox event that announces it.

import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../db/client.ts";
import { driverQuery, driverValue } from "../../db/driver.ts";
import { GroupCommit } from "../../db/group-commit.ts";
import { EVENTS_CHANNEL_SQL } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import { derivedTrackingToken } from "../../security/keys.ts";
import { blindIndex, keyring } from "../../security/sealed.ts";
import { randomToken, sha256 } from "../../security/tokens.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { count, WORDS } from "../../text/plural.ts";
import { isAudience, isCategoryCode } from "../categories.ts";
import { type Contact, normalizeContact } from "../contact.ts";
import type { StoredFile } from "../files.ts";
import { attachments, requestColumns, requests } from "../schema.ts";
import { attachmentRow, isBlank, TEXT_MAX } from "./messages.ts";
import type { Classification, Due, RegistrationSql, RequestRules } from "./ports.ts";

export const CHANNELS = ["web", "email", "chat", "phone", "telegram", "vk", "max"] as const;
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

export type IntakeDeps = {
  db: Db;
  engine: "pglite" | "postgres";
  rules: () => RequestRules;
};

/**
 * Registration groups written side by side. PGlite is one connection: one group at a time. A server pool takes two:
 * with three, on a 2-core machine where the server shares the cores, the groups were smaller and the intake slower
 * (web-form intake over HTTP, 10,000 submissions at C = 32, two rounds: 1,524 and 1,589 req/s with three against 1,823
 * and 1,728 with two; one at a time 1,714 and 1,313). Groups grow with the load, so two do not cap it.
 */
export const REGISTRATION_GROUPS = { pglite: 1, postgres: 2 } as const;

/**
 * Registration. Submissions go by group commit: those that arrive while a registration transaction is running are
 * written together in the next one — a few statements for the whole group instead of about ten per request, and one
 * commit. A group that fails is written again one submission at a time, so one bad submission (a raced idempotency
 * key, a channel's refusal) does not fail the others.
 */
export class Intake {
  private readonly batcher: GroupCommit<Prepared, Registered>;
  private statement: { text: string; name: string } | undefined;

  constructor(private readonly deps: IntakeDeps) {
    this.batcher = new GroupCommit((group) => deps.db.transaction((tx) => this.write(tx, group)), {
      parallel: REGISTRATION_GROUPS[deps.engine],
    });
  }

  async register(input: NewRequest, now = new Date()): Promise<Registered> {
    const prepared = prepare(this.deps, input, now);
    // A retried submission (same Idempotency-Key and the same content) answers with the request it made.
    if (input.idempotencyKey) {
      const replay = await this.findReplay(input.idempotencyKey, prepared.idempotencyHash!);
      if (replay) return replay;
    }
    try {
      return await this.batcher.submit(prepared);
    } catch (e) {
      // Two copies of one submission raced: the loser answers with the winner's request.
      if (input.idempotencyKey && isUniqueViolation(e)) {
        const replay = await this.findReplay(input.idempotencyKey, prepared.idempotencyHash!);
        if (replay) return replay;
      }
      throw e;
    }
  }

  /** The group statement, built once from the rules' SQL (named by its text's hash: a server parses it once). */
  private writeGroup() {
    if (!this.statement) {
      const text = writeGroupSql(this.deps.rules().registration);
      this.statement = {
        text,
        name: `otklik_intake_write_${createHash("sha256").update(text).digest("hex").slice(0, 12)}`,
      };
    }
    return this.statement;
  }

  private write(tx: Tx, group: Prepared[]) {
    return writeRequests(tx, group, this.deps.rules(), this.writeGroup());
  }

  private async findReplay(key: string, hash: string): Promise<Registered | null> {
    const [row] = await this.deps.db.select(requestColumns).from(requests).where(eq(requests.idempotencyKey, key));
    if (!row) return null;
    if (row.idempotencyHash !== hash) {
      throw errors.conflict(
        "idempotency_key_reused",
        "Этот ключ повторной отправки уже использован для другого обращения. Обновите страницу и отправьте форму заново.",
      );
    }
    const trackingToken = replayToken(key, hash);
    // Made under another key (OTKLIK_INDEX_KEY changed, or before tracking keys came from the environment): the link
    // cannot be given again, and one that does not open would be worse than none.
    if (sha256(trackingToken) !== row.trackingTokenHash) {
      throw errors.conflict(
        "idempotency_link_unavailable",
        `Обращение по этой отправке уже зарегистрировано под номером ${displayRequestNumber(row.number)}. Ссылку для отслеживания повторно выдать нельзя: воспользуйтесь ссылкой из первого ответа или письма.`,
        { number: row.number },
      );
    }
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
}

/** The tracking token of a submission with an Idempotency-Key: keyed from the environment, the same on a retry. */
const replayToken = (idempotencyKey: string, hash: string) =>
  derivedTrackingToken(keyring().trackingKey, idempotencyKey, hash);

/** A submission checked and classified, ready to be written. Everything here is decided before the transaction. */
type Prepared = {
  input: NewRequest;
  text: string;
  subject: string;
  contact: Contact;
  idempotencyHash: string | undefined;
  trackingToken: string;
  guess: Classification | null;
  category: string | null;
  categorySource: string | null;
  audience: string;
  priority: NonNullable<NewRequest["priority"]>;
  due: Due;
  now: Date;
};

/** Characters as a person counts them, and as the routes' schemas do: an emoji is one, not two UTF-16 units. */
function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function prepare(deps: IntakeDeps, input: NewRequest, now: Date): Prepared {
  const text = input.text.trim();
  if (isBlank(text)) throw errors.validation("Опишите вопрос: поле «Текст обращения» пустое.", { field: "text" });
  if (text.length > TEXT_MAX && characters(text) > TEXT_MAX) {
    throw errors.validation(
      `Текст обращения длиннее ${count(TEXT_MAX, ...WORDS.characterGenitive)}: сократите его или приложите файлом.`,
      {
        field: "text",
      },
    );
  }
  if (input.category && !isCategoryCode(input.category)) {
    throw errors.validation(`Неизвестная категория «${input.category}».`, { field: "category" });
  }
  if (input.audience && !isAudience(input.audience)) {
    throw errors.validation(`Неизвестный тип заявителя «${input.audience}».`, { field: "audience" });
  }
  const rules = deps.rules();
  const contact = normalizeContact(input.contact);
  const idempotencyHash = input.idempotencyKey ? fingerprint(input, contact) : undefined;
  const trackingToken = input.idempotencyKey ? replayToken(input.idempotencyKey, idempotencyHash!) : randomToken(32);

  const guess = input.category ? null : rules.classify(`${input.subject ?? ""}\n${text}`);
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
    due: rules.dueAt({ channel: input.channel, category, priority }, now),
    now,
  };
}

/**
 * Writes a group of requests in the caller's transaction: one statement for the whole group, whatever its size
 * (`writeGroupSql`: the numbers and the departments' ids are found by the statement itself, so between its BEGIN and
 * COMMIT the transaction sends that statement and the setting of its plan). Statements that depend on what was found follow only
 * when needed: attachments, assignment, incident messages, a channel's own rows.
 */
async function writeRequests(
  tx: Tx,
  group: Prepared[],
  rules: RequestRules,
  statement: { text: string; name: string },
): Promise<Registered[]> {
  const columns: unknown[][] = WRITE_COLUMNS.map(() => new Array(group.length));
  for (const [i, p] of group.entries()) {
    const { input, contact, due } = p;
    const now = p.now.toISOString();
    const values = [
      sha256(p.trackingToken),
      driverValue(requests.trackingSealed, p.trackingToken),
      input.idempotencyKey ?? null,
      p.idempotencyHash ?? null,
      p.subject,
      p.category,
      input.category ? 1 : (p.guess?.confidence ?? null),
      p.categorySource,
      p.audience,
      input.region?.trim() || null,
      input.channel,
      p.priority,
      p.category ? rules.departmentFor(p.category) : null,
      driverValue(requests.contactName, contact.name),
      blindIndex("name", contact.name),
      driverValue(requests.contactEmail, contact.email),
      blindIndex("email", contact.email),
      driverValue(requests.contactPhone, contact.phone),
      blindIndex("phone", contact.phone),
      due.firstResponseDueAt.toISOString(),
      due.resolutionDueAt.toISOString(),
      due.firstResponseBasis,
      due.resolutionBasis,
      now,
      `${p.subject}\n${p.text}`,
      p.text,
      JSON.stringify({
        channel: input.channel,
        category: p.category,
        categorySource: p.categorySource,
        ...(p.guess?.needsTriage ? { suggested: p.guess.category, confidence: p.guess.confidence } : {}),
      }),
    ];
    for (let c = 0; c < values.length; c++) columns[c]![i] = values[c];
  }
  const linkedAt = group.at(-1)!.now.toISOString();
  // The statement's generic plan, always. Left to choose (`plan_cache_mode = auto`), the engine plans it anew for every
  // run while its groups are small, since one row's custom plan is estimated cheaper than the generic plan's default
  // guess for an array; planning this statement costs more than running it. Measured on a 2-core machine, one
  // submission at a time: 3.5 ms per registration on PGlite re-planned against 1.3–1.5 ms generic (2.9 against 1.7–2.2
  // ms on PostgreSQL); groups of 32 run no slower (docs/PERFORMANCE.md, «8 December 2026»). `set local` ends with the
  // transaction.
  await driverQuery(tx, "set local plan_cache_mode = force_generic_plan", []);
  // In the group's order: the statement numbers the requests as it writes them, in that order.
  const rows = await driverQuery<{
    id: string;
    number: string;
    status: string;
    message_id: string;
    department_id: number | null;
    staffed: boolean;
    incidents: number[];
  }>(tx, statement.text, [...columns, linkedAt], statement.name);
  if (rows.length !== group.length) throw new Error(`registration wrote ${rows.length} of ${group.length} requests`);
  const departmentOf = (i: number) => (rows[i]!.department_id === null ? null : Number(rows[i]!.department_id));

  const files = group.flatMap((p, i) =>
    (p.input.files ?? []).map((f) => ({
      file: f,
      requestId: Number(rows[i]!.id),
      messageId: Number(rows[i]!.message_id),
    })),
  );
  if (files.length > 0)
    await tx.insert(attachments).values(files.map((f) => attachmentRow(f.requestId, f.messageId, f.file)));
  await rules.onRegistered(
    tx,
    group.map((p, i) => ({
      id: Number(rows[i]!.id),
      number: rows[i]!.number,
      departmentId: departmentOf(i),
      now: p.now,
      staffed: rows[i]!.staffed,
      incidents: rows[i]!.incidents,
    })),
  );
  const registered: Registered[] = [];
  for (const [i, p] of group.entries()) {
    const r: Registered = {
      id: Number(rows[i]!.id),
      number: rows[i]!.number,
      trackingToken: p.trackingToken,
      status: rows[i]!.status,
      firstResponseDueAt: p.due.firstResponseDueAt,
      resolutionDueAt: p.due.resolutionDueAt,
      replayed: false,
    };
    await p.input.inTransaction?.(tx, { ...r, messageId: Number(rows[i]!.message_id) });
    registered.push(r);
  }
  return registered;
}

/** The columns of one submission as the group statement takes them: one array parameter each, in this order. */
export const WRITE_COLUMNS = [
  "tracking_token_hash",
  "tracking_sealed",
  "idempotency_key",
  "idempotency_hash",
  "subject",
  "category",
  "category_confidence::real",
  "category_source",
  "audience",
  "region",
  "channel",
  "priority",
  /** The code of the department the category routes to; the statement finds its id. */
  "department",
  "contact_name",
  "contact_name_hash",
  "contact_email",
  "contact_email_hash",
  "contact_phone",
  "contact_phone_hash",
  "first_response_due_at::timestamptz",
  "resolution_due_at::timestamptz",
  "first_response_basis",
  "resolution_basis",
  "created_at::timestamptz",
  "search_text",
  "body",
  "changes::jsonb",
] as const;

const column = (c: string) => c.split("::")[0]!;
const typed = (c: string) => (c.includes("::") ? `${column(c)}${c.slice(c.indexOf("::"))}` : column(c));
/**
 * The requests table's own columns: the number and the department's id the statement finds, and the entries up to
 * `created_at` but the department's code (the rest feed the message and the history).
 */
const REQUEST_COLUMNS = [
  "number",
  "department_id",
  ...WRITE_COLUMNS.slice(0, WRITE_COLUMNS.indexOf("created_at::timestamptz") + 1)
    .map(column)
    .filter((c) => c !== "department"),
];

/**
 * Everything a group's registration writes, in one statement (a text that never changes, so a server parses it
 * once per connection): the requests, numbered from the sequence in the group's order (`request_number_of` adds the
 * check digit, migration 0039) and routed to their departments' ids by code, with their search vectors, their first
 * messages, their history, the outbox events and their NOTIFY (delivered on commit), the links to active incidents
 * they match; and, for what must follow, which of their departments have someone on shift. Rows are inserted in the group's order, so ids, events
 * and notifications follow it, as they did statement by statement. Parameters: one text array per entry of
 * `WRITE_COLUMNS`, then the time of the links.
 */
export const writeGroupSql = (seams: RegistrationSql) => `with input as (
    select ${WRITE_COLUMNS.map(typed).join(", ")}, ord
    from unnest(${WRITE_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(", ")})
      with ordinality as t(${WRITE_COLUMNS.map(column).join(", ")}, ord)
  ),
  numbered as (
    select i.*, request_number_of(nextval('request_number_seq')) as number,
      (select d.id from departments d where d.code = i.department) as department_id
    from (select * from input order by ord) i
  ),
  r as (
    insert into requests (${REQUEST_COLUMNS.join(", ")}, updated_at, search)
    select ${REQUEST_COLUMNS.join(", ")}, created_at, to_tsvector('russian', search_text) from numbered order by ord
    returning id, number, status, category, department_id, channel, created_at, search, contact_email_hash, contact_phone_hash
  ),
  g as (select r.*, numbered.ord, numbered.body, numbered.changes from r join numbered using (number)),
  m as (
    insert into messages (request_id, visibility, author_type, body, channel, created_at)
    select id, 'public', 'applicant', body, channel, created_at from g order by ord
    returning id, request_id
  ),
  h as (
    insert into request_history (request_id, actor_type, action, changes, created_at)
    select id, 'applicant', 'created', changes, created_at from g order by ord
  ),
  e as (
    insert into events (topic, payload)
    select 'request.created',
      jsonb_build_object('requestId', id, 'number', number, 'departmentId', department_id, 'channel', channel,
        'hasEmail', contact_email_hash is not null, 'hasPhone', contact_phone_hash is not null)
    from g order by ord
    returning id, topic, payload
  ),
  notified as (
    select count(pg_notify(${EVENTS_CHANNEL_SQL}, json_build_object('id', id, 'topic', topic, 'data', payload)::text))
    from (select * from e order by id) e
  ),
  staffed as (${seams.staffedDepartments("select department_id from r")}),
  links as (
    insert into incident_requests (incident_id, request_id, linked_at)
    select i.id, r.id, $${WRITE_COLUMNS.length + 1}::timestamptz
    from incidents i join r on ${seams.incidentMatch}
    where i.status = 'active'
    order by r.id
    on conflict do nothing
    returning incident_id, request_id
  )
  select g.id::text as id, g.number, g.status, m.id::text as message_id, g.department_id,
    coalesce(g.department_id in (select department_id from staffed), false) as staffed,
    array(select incident_id from links where links.request_id = g.id) as incidents
  from g join m on m.request_id = g.id, notified
  order by g.ord`;

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

export function isUniqueViolation(e: unknown): boolean {
  for (let cur = e as { code?: string; cause?: unknown } | undefined; cur; cur = cur.cause as typeof cur) {
    if (cur.code === "23505") return true;
  }
  return false;
}
