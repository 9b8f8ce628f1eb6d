// Staff notifications: a row per employee and an event that the console's badge listens for.
// Titles name the request by number only: contacts stay on the request's own page.
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Queryable, Tx } from "../db/client.ts";
import { emit } from "../db/outbox.ts";
import { users } from "../staff/schema.ts";
import { staffNotifications } from "./sla-schema.ts";

export const NOTIFICATION_TOPIC = "staff.notification";

export async function notifyStaff(
  tx: Tx,
  userIds: readonly number[],
  n: { requestId: number | null; kind: string; title: string },
): Promise<number[]> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return [];
  const rows = await tx
    .insert(staffNotifications)
    .values(unique.map((userId) => ({ userId, requestId: n.requestId, kind: n.kind, title: n.title })))
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
