// Staff notifications: a row per employee and an event that the console's badge listens for.
// Titles name the request by number only: contacts stay on the request's own page.
import { and, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { users } from "../staff/schema.ts";
import { staffNotificationSettings, staffNotifications } from "./sla-schema.ts";

export const NOTIFICATION_TOPIC = "staff.notification";

/** The kinds of notices; an employee may turn any of them off (staff_notification_settings). */
export const NOTICE_KIND_LIST = [
  "assigned",
  "escalated",
  "followed",
  "sla",
  "recheck",
  "incident",
  "webhook_disabled",
] as const;
export type NoticeKind = (typeof NOTICE_KIND_LIST)[number];

/** Each kind as the settings list names it. */
export const NOTICE_KINDS: Record<NoticeKind, string> = {
  assigned: "Мне назначили обращение",
  escalated: "Обращение передали в моё подразделение",
  followed: "Новое в обращениях, за которыми я слежу",
  sla: "Сроки SLA: просрочки и эскалации",
  recheck: "Настали даты повторной проверки",
  incident: "Объявлен или устранён инцидент",
  webhook_disabled: "Вебхук отключён после отказов",
};
export const isNoticeKind = (k: string): k is NoticeKind => Object.hasOwn(NOTICE_KINDS, k);

/**
 * Writes a notice to each of `userIds` who has not turned its kind off. One notice per person per event: `key`
 * names the event (`sla:<request>:<target>:<due>`), `historyId` the change of a request; a second notice about the
 * same event — another step of a ladder reaching the same person, a job run twice — writes nothing.
 */
export async function notifyStaff(
  tx: Tx,
  userIds: readonly number[],
  n: { requestId: number | null; kind: NoticeKind; title: string; historyId?: number; key?: string },
): Promise<number[]> {
  let unique = [...new Set(userIds)];
  if (unique.length === 0) return [];
  const muted = await tx
    .select({ userId: staffNotificationSettings.userId })
    .from(staffNotificationSettings)
    .where(
      and(inArray(staffNotificationSettings.userId, unique), sql`${n.kind} = any(${staffNotificationSettings.muted})`),
    );
  if (muted.length) {
    const off = new Set(muted.map((m) => m.userId));
    unique = unique.filter((id) => !off.has(id));
    if (unique.length === 0) return [];
  }
  const rows = await tx
    .insert(staffNotifications)
    .values(
      unique.map((userId) => ({
        userId,
        requestId: n.requestId,
        kind: n.kind,
        title: n.title,
        historyId: n.historyId ?? null,
        eventKey: n.key ?? (n.historyId !== undefined ? `history:${n.historyId}` : null),
      })),
    )
    // Either unique index (user and history row, user and event) turns the second notice away.
    .onConflictDoNothing()
    .returning({ id: staffNotifications.id, userId: staffNotifications.userId });
  for (const r of rows) {
    await emit(tx, NOTIFICATION_TOPIC, { userId: r.userId, notificationId: r.id, requestId: n.requestId });
  }
  return rows.map((r) => r.userId);
}

/** Supervisors of a department, and those with no department (they watch the whole service). */
export async function supervisorsOf(db: Queryable, departmentId: number | null): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.role, "supervisor"),
        eq(users.active, true),
        departmentId === null ? undefined : or(eq(users.departmentId, departmentId), isNull(users.departmentId)),
      ),
    );
  return rows.map((r) => r.id);
}

export async function unreadCount(db: Queryable, userId: number): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(staffNotifications)
    .where(and(eq(staffNotifications.userId, userId), isNull(staffNotifications.readAt)));
  return Number(row?.n ?? 0);
}

export async function markRead(db: Queryable, userId: number, ids: number[] | "all") {
  await db
    .update(staffNotifications)
    .set({ readAt: new Date() })
    .where(
      and(
        eq(staffNotifications.userId, userId),
        isNull(staffNotifications.readAt),
        ids === "all" ? undefined : inArray(staffNotifications.id, ids),
      ),
    );
}

/** The employee's latest notifications (100), newest first; only the unread ones if asked. */
export async function recentNotifications(db: Queryable, userId: number, unreadOnly: boolean) {
  return db
    .select()
    .from(staffNotifications)
    .where(and(eq(staffNotifications.userId, userId), unreadOnly ? isNull(staffNotifications.readAt) : undefined))
    .orderBy(desc(staffNotifications.id))
    .limit(100);
}

/** The kinds an employee turned off. */
export async function mutedKinds(db: Queryable, userId: number): Promise<string[]> {
  const [row] = await db
    .select({ muted: staffNotificationSettings.muted })
    .from(staffNotificationSettings)
    .where(eq(staffNotificationSettings.userId, userId));
  return row?.muted ?? [];
}

export async function setMutedKinds(db: Queryable, userId: number, muted: readonly NoticeKind[]) {
  const value = [...new Set(muted)].sort();
  await db
    .insert(staffNotificationSettings)
    .values({ userId, muted: value })
    .onConflictDoUpdate({ target: staffNotificationSettings.userId, set: { muted: value, updatedAt: new Date() } });
}
