// Known incidents: a supervisor declares an outage; requests about it are linked as they arrive and their
// applicants are told the expected recovery at once; resolving the incident answers every linked request.
import { desc, eq, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import type { Queryable, Tx } from "../db/client.ts";
import { emit, rowsOf } from "../db/outbox.ts";
import { errors } from "../http/errors.ts";
import { isCategoryCode } from "../requests/categories.ts";
import type { StaffUser } from "../staff/service.ts";
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

const moscow = (d: Date) =>
  DateTime.fromJSDate(d, { zone: "Europe/Moscow" }).setLocale("ru").toFormat("d MMMM yyyy, HH:mm");

/** What the applicant reads on their request when it is linked. */
export function linkedMessage(i: Pick<Incident, "title" | "publicMessage" | "expectedRecoveryAt">): string {
  const recovery = i.expectedRecoveryAt
    ? `Ожидаемое время восстановления: ${moscow(i.expectedRecoveryAt)} (московское время).`
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

export async function updateIncident(ctx: AppContext, id: number, input: Partial<IncidentInput>) {
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(incidents).where(eq(incidents.id, id)).for("update");
    if (!row) throw errors.notFound("Инцидент");
    if (row.status !== "active") throw errors.conflict("incident_resolved", "Инцидент уже устранён.");
    const patch: Partial<Incident> = {};
    if (input.title?.trim()) patch.title = input.title.trim();
    if (input.description !== undefined) patch.description = input.description.trim();
    if (input.publicMessage?.trim()) patch.publicMessage = input.publicMessage.trim();
    if (input.expectedRecoveryAt !== undefined) patch.expectedRecoveryAt = input.expectedRecoveryAt;
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
        ? `Ожидаемое время восстановления изменилось: ${moscow(patch.expectedRecoveryAt)} (московское время).`
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
    if (!row) throw errors.notFound("Инцидент");
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

export type ActiveIncident = {
  id: number;
  title: string;
  publicMessage: string;
  since: Date;
  expectedRecoveryAt: Date | null;
  categories: string[];
};

/** The outages going on now, for the help centre, the IVR and the chatbot: what the public may read. */
export async function activeIncidents(ctx: AppContext | { db: Queryable }): Promise<ActiveIncident[]> {
  return ctx.db
    .select({
      id: incidents.id,
      title: incidents.title,
      publicMessage: incidents.publicMessage,
      since: incidents.since,
      expectedRecoveryAt: incidents.expectedRecoveryAt,
      categories: incidents.categories,
    })
    .from(incidents)
    .where(eq(incidents.status, "active"))
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
  if (!row) throw errors.notFound("Инцидент");
  const linked = rowsOf<{ number: string; status: string; linked_at: string | Date }>(
    await db.execute(sql`
      select r.number, r.status, l.linked_at from incident_requests l join requests r on r.id = l.request_id
      where l.incident_id = ${id} order by l.linked_at limit 1000`),
  ).map((r) => ({ number: r.number, status: r.status, linkedAt: new Date(r.linked_at) }));
  return { ...row, requests: linked };
}
