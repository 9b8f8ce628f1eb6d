// The SQL of the on-shift flag: one row per employee who has ever come on or gone off shift.
import { eq } from "drizzle-orm";
import type { Queryable } from "../db/client.ts";
import { staffShifts } from "./sla-schema.ts";

/** Whether the employee is on shift; one who never came on shift is not. */
export async function readShift(db: Queryable, userId: number): Promise<boolean> {
  const [row] = await db
    .select({ onShift: staffShifts.onShift })
    .from(staffShifts)
    .where(eq(staffShifts.userId, userId));
  return row?.onShift ?? false;
}

export async function writeShift(db: Queryable, userId: number, onShift: boolean, now: Date): Promise<void> {
  await db
    .insert(staffShifts)
    .values({ userId, onShift, changedAt: now })
    .onConflictDoUpdate({ target: staffShifts.userId, set: { onShift, changedAt: now } });
}
