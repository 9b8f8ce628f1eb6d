// Notices to the people a change of a request concerns, from the outbox after commit: the department a request was
// escalated to hears of it at once (its active members and its supervisors), and the employees who follow the request
// (src/requests/core/watchers.ts) hear of its changes — except whoever made the change. One notice per person per
// change: the history row keys it, so a job run twice writes nothing twice.
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { AppContext } from "../context.ts";
import type { Queryable } from "../db/client.ts";
import { type EventMessage, type JobHandler, jobFor } from "../db/outbox.ts";
import { followersOf, historyEntry } from "../requests/queries.ts";
import { departments, users } from "../staff/schema.ts";
import { displayRequestNumber } from "../text/display.ts";
import { notifyStaff } from "./notify.ts";
import { incidents } from "./sla-schema.ts";

/** What followers hear about, by history action, as the end of a sentence after «Обращение N». */
const FOLLOWED: Record<string, string> = {
  escalated: "передано в другое подразделение",
  returned: "возвращено на первую линию",
  status_changed: "сменило статус",
  applicant_replied: "заявитель прислал новое сообщение",
  replied: "отправлен ответ заявителю",
  noted: "добавлена внутренняя заметка",
};

async function departmentMembers(db: Queryable, departmentId: number): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.active, true),
        or(
          eq(users.departmentId, departmentId),
          // Supervisors without a department watch the whole service.
          and(eq(users.role, "supervisor"), isNull(users.departmentId)),
        ),
        inArray(users.role, ["operator", "specialist", "supervisor"]),
      ),
    );
  return rows.map((r) => r.id);
}

/** The employee a change gave the request to, when it gave it to someone. */
function newAssignee(changes: unknown): number | null {
  const a = (changes as { assigneeId?: unknown } | null)?.assigneeId;
  return Array.isArray(a) && typeof a[1] === "number" && a[1] !== a[0] ? a[1] : null;
}

/**
 * The changes that may give a request to someone. Only a colleague's choice is news: the rules' own pick (a new
 * request to whoever is on shift) shows in the queue as it happens.
 */
const ASSIGNING = new Set(["request.updated"]);

export function followJobs(ctx: AppContext): Record<string, JobHandler> {
  // A line of a conversation nobody follows (most of them) is not even claimed.
  const wants = (e: EventMessage) =>
    typeof e.data.historyId === "number" &&
    (e.topic === "request.escalated" ||
      (ASSIGNING.has(e.topic) && typeof e.data.assigneeId === "number") ||
      e.data.followed !== false);
  const job = jobFor(wants, async (e) => {
    const historyId = typeof e.data.historyId === "number" ? e.data.historyId : null;
    if (historyId === null) return;
    // Most requests have no followers (every line of a chat passes here): the event or one look-up settles those, unless the
    // change is an escalation, which the receiving department hears of anyway, or gives the request to someone.
    const requestId = Number(e.data.requestId);
    const assigning = ASSIGNING.has(e.topic) && typeof e.data.assigneeId === "number";
    if (e.topic !== "request.escalated" && !assigning) {
      // A conversation's line says in its event whether anyone followed the request when it was written.
      if (e.data.followed === false) return;
      if (e.data.followed !== true && (await followersOf(ctx.db, requestId)).length === 0) return;
    }
    const h = await historyEntry(ctx.db, historyId);
    if (!h) return;
    const actor = h.actorId;
    const others = (ids: number[]) => ids.filter((id) => id !== actor);
    await ctx.db.transaction(async (tx) => {
      // Given to someone by a colleague (not taken by oneself).
      const assignee = ASSIGNING.has(`request.${h.action}`) && h.actorType === "staff" ? newAssignee(h.changes) : null;
      if (assignee !== null) {
        await notifyStaff(tx, others([assignee]), {
          requestId: h.requestId,
          kind: "assigned",
          title: `Вам назначено обращение ${displayRequestNumber(h.number)}.`,
          historyId,
        });
      }
      // An employee's escalation; the SLA ladder's own (actor: system) notifies as it climbs (escalation.ts).
      if (h.action === "escalated" && h.actorType === "staff" && h.departmentId !== null) {
        const [dept] = await tx
          .select({ name: departments.name })
          .from(departments)
          .where(eq(departments.id, h.departmentId));
        await notifyStaff(tx, others(await departmentMembers(tx, h.departmentId)), {
          requestId: h.requestId,
          kind: "escalated",
          title: `Обращение ${displayRequestNumber(h.number)} передано в подразделение «${dept?.name ?? "—"}».`,
          historyId,
        });
      }
      const said = FOLLOWED[h.action];
      if (!said) return;
      // Whoever already has a notice of this change (the new assignee, the receiving department) gets no second one:
      // the history row keys them all.
      await notifyStaff(tx, others(await followersOf(tx, h.requestId)), {
        requestId: h.requestId,
        kind: "followed",
        title: `Обращение ${displayRequestNumber(h.number)}: ${said}.`,
        historyId,
      });
    });
  });
  const topics = new Set([...Object.keys(FOLLOWED).map((action) => `request.${action}`), ...ASSIGNING]);
  return {
    ...Object.fromEntries([...topics].map((topic) => [topic, job])),
    "incident.declared": incidentJob(ctx),
    "incident.resolved": incidentJob(ctx),
  };
}

/** An incident declared or resolved: everyone who answers applicants hears of it once (not whoever declared it). */
function incidentJob(ctx: AppContext): JobHandler {
  return async (e) => {
    const id = Number(e.data.incidentId);
    const [row] = await ctx.db.select().from(incidents).where(eq(incidents.id, id));
    if (!row) return;
    const declared = e.topic === "incident.declared";
    const staff = await ctx.db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.active, true), inArray(users.role, ["operator", "specialist", "supervisor"])));
    await ctx.db.transaction((tx) =>
      notifyStaff(
        tx,
        staff.map((u) => u.id).filter((u) => u !== row.createdBy),
        {
          requestId: null,
          kind: "incident",
          title: `${declared ? "Объявлен инцидент" : "Инцидент устранён"}: ${row.title.replace(/[.!…]+$/u, "")}.`,
          key: `incident:${id}:${declared ? "declared" : "resolved"}`,
        },
      ),
    );
  };
}
