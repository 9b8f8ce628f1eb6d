// Coming on shift and going off it. Whoever comes on shift takes their department's queue: the requests that
// arrived while nobody was there are handed out at once by the usual rule (assign.ts).
import type { AppContext } from "../context.ts";
import type { StaffUser } from "../staff/service.ts";
import { distributeQueue } from "./assign.ts";
import { readShift, writeShift } from "./shift-store.ts";

export function isOnShift(ctx: AppContext, userId: number): Promise<boolean> {
  return readShift(ctx.db, userId);
}

/** Sets the flag; returns how many queued requests the employee's department handed out as a result. */
export async function setShift(ctx: AppContext, user: StaffUser, onShift: boolean, now = new Date()): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    await writeShift(tx, user.id, onShift, now);
    return onShift && user.departmentId !== null ? distributeQueue(ctx, tx, user.departmentId, now) : 0;
  });
}
