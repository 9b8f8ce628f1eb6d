// The core's private primitives: the request's row lock, the history row with the event that announces it, and the
// status patch. Nothing outside src/requests/core/ uses them (test/request-core.boundary.test.ts): every change of a
// request goes through one of the core's commands, which call these in the same order every time.
import { eq, type SQL } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { driverColumns, driverQuery } from "../../db/driver.ts";
import { emit } from "../../db/outbox.ts";
import { errors } from "../../http/errors.ts";
import type { StaffUser } from "../../staff/service.ts";
import { requestColumns, requestHistory, requests } from "../schema.ts";
import { canTransition, STATUS_TITLES, type Status } from "../status.ts";
import type { RequestRow, RequestRules } from "./ports.ts";

/** Who made a change: an employee, the applicant (through any channel), or Otklik itself (a rule, a sweep). */
export type Actor = { type: "staff"; user: StaffUser } | { type: "applicant" } | { type: "system" };

export const SYSTEM: Actor = { type: "system" };
export const APPLICANT: Actor = { type: "applicant" };
export const staffActor = (user: StaffUser): Actor => ({ type: "staff", user });

/**
 * Takes the request's row lock for the rest of the transaction, so that two people acting at once cannot overwrite
 * each other's change, and answers the row as it is now. «No key update», not «update»: a transaction that is
 * inserting a letter, a history row or a notice for this request holds a key-share lock on it, which a plain «for
 * update» waits for (and a «skip locked» sweep skips the request); the request's id never changes.
 */
export async function lockRequest(tx: Tx, id: number): Promise<RequestRow> {
  const [row] = await driverQuery<Record<string, unknown>>(tx, LOCK_REQUEST, [id], "otklik_lock_request");
  if (!row) throw errors.notFound("request");
  return requestRow.map(row);
}

/**
 * The lock's statement, its text written once (the hottest read of every command; see src/db/driver.ts). Exported
 * for the benchmarks' raw sides, which send it straight to the driver.
 */
const requestRow = driverColumns<RequestRow>(requestColumns);
export const LOCK_REQUEST = `select ${requestRow.list} from requests where id = $1::bigint for no key update`;

/**
 * Writes the patch (if any) and returns the row as it now is. `computed` holds columns set by an SQL expression
 * (the search vector), which the returned row does not show.
 */
export async function applyPatch(
  tx: Tx,
  row: RequestRow,
  patch: Partial<RequestRow>,
  computed: { search?: SQL } = {},
): Promise<RequestRow> {
  if (Object.keys(patch).length === 0 && !computed.search) return row;
  await tx
    .update(requests)
    .set({ ...patch, ...computed } as Partial<RequestRow>)
    .where(eq(requests.id, row.id));
  return { ...row, ...patch };
}

/**
 * The history row of a change and its outbox event `request.<action>`, in the caller's transaction. The event
 * carries ids and what the channels and live feeds need to decide (never personal data): the status change, the
 * message and whether it is public.
 */
export async function writeHistory(
  tx: Tx,
  row: RequestRow,
  actor: Actor,
  action: string,
  changes: Record<string, unknown>,
  now?: Date,
  more: Record<string, unknown> = {},
): Promise<number> {
  const [h] = await tx
    .insert(requestHistory)
    .values({
      requestId: row.id,
      actorType: actor.type,
      actorId: actor.type === "staff" ? actor.user.id : null,
      action,
      changes,
      ...(now ? { createdAt: now } : {}),
    })
    .returning({ id: requestHistory.id });
  const status = changes.status as [string, string] | undefined;
  await emit(tx, `request.${action}`, {
    ...eventFacts(row),
    historyId: h!.id,
    ...(status && status[0] !== status[1] ? { status } : {}),
    ...(changes.messageId !== undefined ? { messageId: changes.messageId, visibility: changes.visibility } : {}),
    ...more,
  });
  return h!.id;
}

/**
 * What every event of a request carries: its ids, and what the channels decide deliveries by (its channel, whether it
 * has an e-mail address or a phone on file — never the contacts themselves), so that a job needs no read of the row.
 */
export function eventFacts(row: RequestRow) {
  return {
    requestId: row.id,
    number: row.number,
    departmentId: row.departmentId,
    assigneeId: row.assigneeId,
    channel: row.channel,
    hasEmail: row.contactEmailHash !== null,
    hasPhone: row.contactPhoneHash !== null,
  };
}

/**
 * The columns that change when a request enters `to`: the status, its dates, and the SLA clock (it stops on entering
 * «waiting» and resumes, the pause added, on leaving it). Refuses a transition the status machine does not allow.
 */
export function statusPatch(rules: RequestRules, row: RequestRow, to: Status, now: Date): Partial<RequestRow> {
  const from = row.status as Status;
  if (!canTransition(from, to)) {
    throw errors.conflict(
      "illegal_transition",
      `Нельзя перевести обращение из статуса «${STATUS_TITLES[from]}» в «${STATUS_TITLES[to]}».`,
      { from, to },
    );
  }
  const patch: Partial<RequestRow> = { status: to, updatedAt: now };
  if (to === "resolved") patch.resolvedAt = now;
  if (to === "closed") patch.closedAt = now;
  if (to === "in_progress" && from === "resolved") patch.resolvedAt = null;
  return { ...patch, ...rules.clockOn(row, to, now) };
}
