// Known incidents: a supervisor declares an outage; requests about it are linked as they arrive and their
// applicants are told the expected recovery at once; resolving the incident answers every linked request.
import { and, desc, eq, sql } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Queryable, Tx } from "../db/client.ts";
import { emit, rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { isCategoryCode } from "../requests/categories.ts";
import type { StaffUser } from "../staff/service.ts";
import { MOSCOW_LABEL, moscowDateTime } from "../text/display.ts";
import { incidents } from "./sla-schema.ts";

type Incident = typeof incidents.$inferSelect;

export type IncidentInput = {
  title: string;
  description?: string | undefined;
  publicMessage?: string | undefined;
  since?: Date | undefined;
  expectedRecoveryAt?: Date | null | undefined;
  keywords?: string[] | undefined;
  categories?: string[] | undefined;
};

const moscow = (d: Date) => `${moscowDateTime(d)} ${MOSCOW_LABEL}`;

/** What the applicant reads on their request when it is linked. */
export function linkedMessage(i: Pick<Incident, "title" | "publicMessage" | "expectedRecoveryAt">): string {
  const recovery = i.expectedRecoveryAt
    ? `Ожидаемое время восстановления: ${moscow(i.expectedRecoveryAt)}.`
    : "Время восстановления пока неизвестно: мы сообщим здесь, как только работа будет восстановлена.";
  return `${i.publicMessage}\n\n${recovery}`;
}

function cleanList(xs: string[] | undefined) {
  return [...new Set((xs ?? []).map((x) => x.trim()).filter(Boolean))];
}

export async function declareIncident(ctx: AppContext, user: StaffUser, input: IncidentInput, now = new Date()) {
  const title = input.title.trim();
  if (!title) throw errors.validation("Опишите, что не работает.", { field: "title" });
  const keywords = cleanList(input.keywords);
  const categories = cleanList(input.categories);
  for (const c of categories) {
    if (!isCategoryCode(c)) throw errors.validation(`Неизвестная категория «${c}».`, { field: "categories" });
  }
  if (keywords.length === 0 && categories.length === 0) {
    throw errors.validation("Укажите слова или категории, по которым узнавать обращения об этом сбое.", {
      field: "keywords",
    });
  }
  checkRecovery(input.since ?? now, input.expectedRecoveryAt);
  const publicMessage =
    input.publicMessage?.trim() ||
    `Мы знаем о проблеме: ${title}. Специалисты уже устраняют её, повторно обращаться не нужно.`;
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(incidents)
      .values({
        title,
        description: input.description?.trim() ?? "",
        publicMessage,
        since: input.since ?? now,
        expectedRecoveryAt: input.expectedRecoveryAt ?? null,
        keywords,
        categories,
        createdBy: user.id,
        createdAt: now,
      })
      .returning();
    await emit(tx, "incident.declared", { incidentId: row!.id });
    // Requests already open about it since it began are linked too.
    const linked = await linkMatching(ctx, tx, { incidentId: row!.id }, now);
    return { incident: row!, linked: linked.length };
  });
}

/**
 * When an open request `r` is about an active incident `i`: a listed category, and (when keywords are given) one of
 * the keywords in the request's words, by Russian morphology. `r` needs `created_at`, `status`, `category` and
 * `search`: a row of the requests table, or of the rows a registration has just inserted (src/requests/core/register.ts).
 */
export const INCIDENT_MATCH = `r.created_at >= i.since
      and r.status not in ('resolved', 'closed')
      and (cardinality(i.categories) = 0 or r.category = any(i.categories))
      and (cardinality(i.keywords) = 0
        or exists (select 1 from unnest(i.keywords) k where r.search @@ plainto_tsquery('russian', k)))`;

/**
 * Links open requests to active incidents they match (`INCIDENT_MATCH`). Each new link posts the incident's message
 * publicly.
 */
export async function linkMatching(
  ctx: AppContext,
  tx: Tx,
  scope: { incidentId?: number; requestId?: number; requestIds?: number[] },
  now = new Date(),
): Promise<{ incidentId: number; requestId: number }[]> {
  const result = await tx.execute<{ incident_id: number; request_id: number }>(sql`
    insert into incident_requests (incident_id, request_id, linked_at)
    select i.id, r.id, ${now.toISOString()}::timestamptz
    from incidents i join requests r
      on ${sql.raw(INCIDENT_MATCH)}
    where i.status = 'active'
      ${scope.incidentId !== undefined ? sql`and i.id = ${scope.incidentId}` : sql``}
      ${scope.requestId !== undefined ? sql`and r.id = ${scope.requestId}` : sql``}
      ${
        scope.requestIds !== undefined
          ? sql`and r.id in (${sql.join(
              scope.requestIds.map((id) => sql`${id}`),
              sql`, `,
            )})`
          : sql``
      }
    order by r.id
    on conflict do nothing
    returning incident_id, request_id`);
  const links = rowsOf<{ incident_id: number; request_id: number }>(result).map((r) => ({
    incidentId: Number(r.incident_id),
    requestId: Number(r.request_id),
  }));
  await announceLinks(ctx, tx, links, now);
  return links;
}

/** What follows new links, in their order: the incident's notice on each request, with its history row. */
export async function announceLinks(
  ctx: AppContext,
  tx: Tx,
  links: { incidentId: number; requestId: number }[],
  now: Date,
) {
  const byId = new Map<number, Incident>();
  for (const link of links) {
    let incident = byId.get(link.incidentId);
    if (!incident) {
      [incident] = await tx.select().from(incidents).where(eq(incidents.id, link.incidentId));
      byId.set(link.incidentId, incident!);
    }
    await ctx.requests.link(
      tx,
      link.requestId,
      { incidentId: link.incidentId, body: linkedMessage(incident!), action: "incident_linked" },
      now,
    );
  }
}

/** An outage cannot be expected to end before it began: the public pages and the letters would promise the past. */
function checkRecovery(since: Date, recovery: Date | null | undefined) {
  if (recovery && recovery.getTime() <= since.getTime()) {
    throw errors.validation("Ожидаемое время восстановления должно быть позже начала сбоя.", {
      field: "expectedRecoveryAt",
    });
  }
}

export async function updateIncident(ctx: AppContext, id: number, input: Partial<IncidentInput>) {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for("update");
    if (!row) throw errors.notFound("incident");
    if (row.status !== "active") throw errors.conflict("incident_resolved", "Инцидент уже устранён.");
    const patch: Partial<Incident> = {};
    if (input.title?.trim()) patch.title = input.title.trim();
    if (input.description !== undefined) patch.description = input.description.trim();
    if (input.publicMessage?.trim()) patch.publicMessage = input.publicMessage.trim();
    if (input.expectedRecoveryAt !== undefined) {
      checkRecovery(row.since, input.expectedRecoveryAt);
      patch.expectedRecoveryAt = input.expectedRecoveryAt;
    }
    if (input.keywords !== undefined) patch.keywords = cleanList(input.keywords);
    await tx.update(incidents).set(patch).where(eq(incidents.id, id));
    await emit(tx, "incident.updated", { incidentId: id });
    // A new expected recovery time is news for everyone waiting on the incident.
    const moved =
      patch.expectedRecoveryAt !== undefined && +(patch.expectedRecoveryAt ?? 0) !== +(row.expectedRecoveryAt ?? 0);
    if (moved) {
      const now = new Date();
      const open = rowsOf<{ request_id: number }>(
        await tx.execute(sql`
          select l.request_id from incident_requests l join requests r on r.id = l.request_id
          where l.incident_id = ${id} and r.status not in ('resolved', 'closed') order by l.request_id`),
      );
      const text = patch.expectedRecoveryAt
        ? `Ожидаемое время восстановления изменилось: ${moscow(patch.expectedRecoveryAt)}.`
        : "Ожидаемое время восстановления уточняется: мы сообщим здесь, как только работа будет восстановлена.";
      for (const o of open) {
        await ctx.requests.link(
          tx,
          Number(o.request_id),
          { incidentId: id, body: text, action: "incident_updated" },
          now,
        );
      }
    }
  });
}

/**
 * Resolves an incident: every linked open request gets the resolution message; those that hold nothing else
 * (the applicant wrote once, nobody answered in person, no other active incident) are resolved too.
 */
export async function resolveIncident(
  ctx: AppContext,
  user: StaffUser,
  id: number,
  message?: string,
  now = new Date(),
) {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for("update");
    if (!row) throw errors.notFound("incident");
    if (row.status !== "active") throw errors.conflict("incident_resolved", "Инцидент уже устранён.");
    const text =
      message?.trim() ||
      `Работа восстановлена: ${row.title}. Попробуйте ещё раз. Если проблема осталась, ответьте на это сообщение.`;
    await tx
      .update(incidents)
      .set({ status: "resolved", resolvedAt: now, resolutionMessage: text })
      .where(eq(incidents.id, id));
    const linked = await tx.execute<{ id: number; simple: boolean }>(sql`
      select r.id,
        (r.status in ('new', 'in_progress', 'waiting')
          and (select count(*) from messages m where m.request_id = r.id and m.author_type = 'applicant') = 1
          and not exists (select 1 from messages m where m.request_id = r.id and m.author_type = 'staff'
            and m.author_id is not null and m.visibility = 'public')
          and not exists (select 1 from incident_requests o join incidents oi on oi.id = o.incident_id
            where o.request_id = r.id and oi.status = 'active')) as simple
      from incident_requests l join requests r on r.id = l.request_id
      where l.incident_id = ${id} and r.status not in ('resolved', 'closed')
      order by r.id
      for update of r`);
    let resolved = 0;
    const rows = rowsOf<{ id: number; simple: boolean }>(linked);
    for (const r of rows) {
      // A request that holds nothing else is resolved by the notice; the channel's status letter (with the invitation
      // to rate) follows from the core's event.
      await ctx.requests.link(
        tx,
        Number(r.id),
        { incidentId: id, body: text, action: "incident_resolved", resolve: r.simple, changes: { by: user.id } },
        now,
      );
      if (r.simple) resolved++;
    }
    await emit(tx, "incident.resolved", { incidentId: id });
    return { answered: rows.length, resolved };
  });
}

/** What the public may read of an incident going on now: nothing of its description, words or categories. */
export type PublicIncident = {
  id: number;
  title: string;
  publicMessage: string;
  since: Date;
  expectedRecoveryAt: Date | null;
};

const PUBLIC_COLUMNS = {
  id: incidents.id,
  title: incidents.title,
  publicMessage: incidents.publicMessage,
  since: incidents.since,
  expectedRecoveryAt: incidents.expectedRecoveryAt,
};

/** The outages going on now, for the public pages, the chat and the chatbot. */
export async function activeIncidents(ctx: AppContext | { db: Queryable }): Promise<PublicIncident[]> {
  return ctx.db
    .select(PUBLIC_COLUMNS)
    .from(incidents)
    .where(eq(incidents.status, "active"))
    .orderBy(desc(incidents.since));
}

/**
 * The active incidents a request with this text would be linked to if it were registered now: the same condition
 * (`INCIDENT_MATCH`) over the same words (subject and text, Russian full-text), so the form can say so before it is
 * sent. `category` is the one the applicant chose or the classifier is sure of; without one, only incidents
 * recognised by their words alone match.
 */
export async function matchingIncidents(
  db: Queryable,
  input: { text: string; subject?: string | undefined; category: string | null },
  now = new Date(),
): Promise<PublicIncident[]> {
  const text = input.text.trim();
  const subject = input.subject?.trim().slice(0, 300) || text.split("\n")[0]!.slice(0, 120);
  const rows = rowsOf<{
    id: number;
    title: string;
    public_message: string;
    since: string | Date;
    expected_recovery_at: string | Date | null;
  }>(
    await db.execute(sql`
      select i.id, i.title, i.public_message, i.since, i.expected_recovery_at
      from incidents i, (select ${now.toISOString()}::timestamptz as created_at, 'new'::text as status,
        ${input.category}::text as category, to_tsvector('russian', ${`${subject}\n${text}`}) as search) r
      where i.status = 'active' and ${sql.raw(INCIDENT_MATCH)}
      order by i.since desc`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    title: r.title,
    publicMessage: r.public_message,
    since: new Date(r.since),
    expectedRecoveryAt: r.expected_recovery_at === null ? null : new Date(r.expected_recovery_at),
  }));
}

/**
 * The incidents that concern a phone line: those limited to categories among the line's topics, and those
 * recognised by words alone (no categories), which may concern any line. `all` for a number outside the directory.
 */
export async function incidentsForTopics(
  db: Queryable,
  topics: readonly string[],
  all = false,
): Promise<PublicIncident[]> {
  const list = sql`array[${sql.join(
    topics.map((t) => sql`${t}`),
    sql`, `,
  )}]::text[]`;
  const concerns = all
    ? undefined
    : topics.length
      ? sql`(cardinality(${incidents.categories}) = 0 or ${incidents.categories} && ${list})`
      : sql`cardinality(${incidents.categories}) = 0`;
  return db
    .select(PUBLIC_COLUMNS)
    .from(incidents)
    .where(and(eq(incidents.status, "active"), concerns))
    .orderBy(desc(incidents.since));
}

export async function listIncidents(db: Queryable, status?: "active" | "resolved") {
  const rows = await db
    .select({
      incident: incidents,
      linked: sql<number>`(select count(*)::int from incident_requests l where l.incident_id = ${incidents.id})`,
    })
    .from(incidents)
    .where(status ? eq(incidents.status, status) : undefined)
    .orderBy(desc(incidents.createdAt))
    .limit(200);
  return rows.map((r) => ({ ...r.incident, linked: Number(r.linked) }));
}

export async function getIncident(db: Queryable, id: number) {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw errors.notFound("incident");
  const linked = rowsOf<{ number: string; status: string; linked_at: string | Date }>(
    await db.execute(sql`
      select r.number, r.status, l.linked_at from incident_requests l join requests r on r.id = l.request_id
      where l.incident_id = ${id} order by l.linked_at limit 1000`),
  ).map((r) => ({ number: r.number, status: r.status, linkedAt: new Date(r.linked_at) }));
  return { ...row, requests: linked };
}
