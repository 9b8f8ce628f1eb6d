// Call events from the PBX (the Generic CTI convention: newCall, answer, hangup). Events may arrive twice or
// out of order; each (callId, event) is applied once, and the call's state only moves forward:
// ringing → answered → ended, or ringing → abandoned when the caller hangs up before anyone answers.
import { and, desc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { emit } from "../../db/outbox.ts";
import { directoryOf } from "../../directory/room.ts";
import { errors } from "../../http/errors.ts";
import { SYSTEM } from "../../requests/core/index.ts";
import { latestOpenRequestByPhone } from "../../requests/queries.ts";
import { blindIndex } from "../../security/sealed.ts";
import { departments, users } from "../../staff/schema.ts";
import { phoneCallEvents, phoneCalls, phoneLineSettings } from "./db-schema.ts";
import { lineForNumber, normalizeCallerNumber } from "./numbers.ts";

export const CALL_EVENTS = ["newCall", "answer", "hangup"] as const;
export type CallEventName = (typeof CALL_EVENTS)[number];
export const PHONE_TOPIC = "phone.call";
const _OPEN = ["resolved", "closed"];

export type CallEventInput = {
  event: string;
  callId: string;
  from?: string | undefined;
  to?: string | undefined;
  direction?: string | undefined;
  user?: string | string[] | undefined;
  queue?: string | undefined;
  answeringNumber?: string | undefined;
  cause?: string | undefined;
};

export type CallEventResult = { callId: number; state: string; duplicate: boolean; applied: boolean };

type CallRow = typeof phoneCalls.$inferSelect;

/** Reads an event the way PBXs post it: JSON or form fields, `user` or `user[]`, any letter case of event. */
export function readEventBody(body: Record<string, unknown>): CallEventInput {
  const str = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
  const raw = str(body.event) ?? "";
  const event = CALL_EVENTS.find((e) => e.toLowerCase() === raw.toLowerCase().replace(/[_-]/g, ""));
  if (!event) {
    throw errors.badInput(
      "phone_event_unknown",
      `Неизвестное событие звонка «${raw}»: ожидается newCall, answer или hangup.`,
    );
  }
  const callId = str(body.callId) ?? str(body.call_id);
  if (!callId || callId.length > 200) {
    throw errors.badInput("phone_call_id_missing", "В событии нет идентификатора звонка (callId).");
  }
  const user = body.user ?? body["user[]"];
  const direction = str(body.direction);
  if (direction && direction !== "in" && direction !== "out") {
    throw errors.badInput("phone_direction_invalid", "Направление звонка (direction) — in или out.");
  }
  return {
    event,
    callId,
    from: str(body.from),
    to: str(body.to),
    direction,
    user: Array.isArray(user) ? user.map(String) : str(user),
    queue: str(body.queue),
    answeringNumber: str(body.answeringNumber),
    cause: str(body.cause),
  };
}

export async function applyCallEvent(
  ctx: AppContext,
  input: CallEventInput,
  now = new Date(),
): Promise<CallEventResult> {
  const out = await ctx.db.transaction(async (tx) => {
    // The first copy of an event wins; a repeat answers what the call is now and changes nothing.
    const inserted = await tx
      .insert(phoneCallEvents)
      .values({ externalId: input.callId, event: input.event, applied: true, receivedAt: now })
      .onConflictDoNothing()
      .returning({ id: phoneCallEvents.id });
    await tx.insert(phoneCalls).values({ externalId: input.callId, startedAt: now }).onConflictDoNothing();
    const [call] = await tx.select().from(phoneCalls).where(eq(phoneCalls.externalId, input.callId)).for("update");
    if (inserted.length === 0) return { call: call!, duplicate: true, applied: false };
    const applied = await apply(ctx, tx, call!, input, now);
    if (!applied) {
      await tx.update(phoneCallEvents).set({ applied: false }).where(eq(phoneCallEvents.id, inserted[0]!.id));
    }
    const [after] = await tx.select().from(phoneCalls).where(eq(phoneCalls.id, call!.id));
    if (applied) {
      await emit(tx, PHONE_TOPIC, {
        callId: after!.id,
        event: input.event,
        state: after!.state,
        queue: after!.queue,
        userId: after!.userId,
      });
    }
    return { call: after!, duplicate: false, applied };
  });
  let call = out.call;
  // An answered call with nothing to attach it to becomes a request of its own (after commit: registration
  // runs its own transaction). A repeated answer retries a registration that failed the first time.
  if (input.event === "answer" && call.state === "answered" && !call.requestId && call.direction === "in") {
    call = await registerForCall(ctx, call, now);
  }
  return { callId: call.id, state: call.state, duplicate: out.duplicate, applied: out.applied };
}

async function apply(ctx: AppContext, tx: Tx, call: CallRow, input: CallEventInput, now: Date): Promise<boolean> {
  const patch: Partial<CallRow> = {};
  const finished = call.state === "ended" || call.state === "abandoned";
  // Details fill in from whichever event brings them first; later events never erase them.
  const from = normalizeCallerNumber(input.from);
  const to = normalizeCallerNumber(input.to) ?? input.to?.trim() ?? null;
  if (input.direction && !call.fromNumber && !call.toNumber) patch.direction = input.direction;
  if (from && !call.fromNumber) Object.assign(patch, { fromNumber: from, fromHash: blindIndex("phone", from) });
  if (to && !call.toNumber) Object.assign(patch, { toNumber: to, toHash: blindIndex("phone", to) });
  const direction = patch.direction ?? call.direction;
  const dialled = direction === "in" ? (patch.toNumber ?? call.toNumber) : (patch.fromNumber ?? call.fromNumber);
  if (!call.lineId && dialled) patch.lineId = lineForNumber(directoryOf(ctx).lines, dialled)?.id ?? null;
  if (!call.queue) {
    // A call no queue was named for rings the first line, as the IVR would route it.
    const queue = input.queue?.trim() || (await queueOfLine(tx, patch.lineId ?? call.lineId)) || "first_line";
    if (queue) patch.queue = queue.slice(0, 100);
  }
  let applied = true;
  if (input.event === "newCall") {
    // A newCall after the hangup only fills the details in; the start time is the earlier of the two.
    if (call.startedAt > now) patch.startedAt = now;
  } else if (input.event === "answer") {
    if (finished || call.state === "answered") applied = false;
    else {
      patch.state = "answered";
      patch.answeredAt = now;
      patch.userId = await userOf(tx, input.user);
      if (input.answeringNumber) patch.answeringNumber = input.answeringNumber.slice(0, 40);
    }
  } else if (input.event === "hangup") {
    if (finished) applied = false;
    else {
      patch.state = call.state === "answered" ? "ended" : "abandoned";
      patch.endedAt = now;
      patch.cause = input.cause?.slice(0, 60) ?? null;
      if (!call.userId && input.user) patch.userId = await userOf(tx, input.user);
    }
  }
  const callerNumber = direction === "in" ? (patch.fromNumber ?? call.fromNumber) : (patch.toNumber ?? call.toNumber);
  if (!call.requestId && callerNumber) Object.assign(patch, await requestFor(ctx, tx, call.id, callerNumber, now));
  if (Object.keys(patch).length > 0) await tx.update(phoneCalls).set(patch).where(eq(phoneCalls.id, call.id));
  // The answer came first and registered a request before the caller's number was known: it is known now.
  if (call.requestId && callerNumber && !(call.direction === "in" ? call.fromNumber : call.toNumber)) {
    await ctx.requests.fillPhone(tx, call.requestId, callerNumber);
  }
  const requestId = patch.requestId ?? call.requestId;
  if (applied && input.event === "hangup" && requestId) {
    // The call log on the request: one history row per finished call.
    const answeredAt = call.answeredAt;
    await ctx.requests.log(tx, requestId, SYSTEM, "phone_call", {
      callId: call.id,
      direction,
      outcome: patch.state,
      seconds: answeredAt ? Math.round((now.getTime() - answeredAt.getTime()) / 1000) : 0,
      continued: patch.continued ?? call.continued,
    });
  }
  return applied;
}

/**
 * The request a call belongs to: the request of the caller's call that dropped within the window (the caller
 * continues it), otherwise the caller's latest open request.
 */
async function requestFor(ctx: AppContext, tx: Tx, callId: number, phone: string, now: Date) {
  const windowStart = new Date(now.getTime() - ctx.config.callbackWindowMinutes * 60_000);
  const [dropped] = await tx
    .select({ requestId: phoneCalls.requestId })
    .from(phoneCalls)
    .where(
      and(
        eq(phoneCalls.fromHash, blindIndex("phone", phone)!),
        sql`${phoneCalls.id} <> ${callId}`,
        inArray(phoneCalls.state, ["ended", "abandoned"]),
        gt(phoneCalls.endedAt, windowStart),
        isNotNull(phoneCalls.requestId),
        sql`exists (select 1 from requests r where r.id = ${phoneCalls.requestId} and r.status not in ('resolved', 'closed'))`,
      ),
    )
    .orderBy(desc(phoneCalls.endedAt))
    .limit(1);
  if (dropped?.requestId) return { requestId: dropped.requestId, continued: true };
  const open = await latestOpenRequestByPhone(tx, phone);
  return open ? { requestId: open } : {};
}

async function registerForCall(ctx: AppContext, call: CallRow, now: Date): Promise<CallRow> {
  const line = directoryOf(ctx).lines.find((l) => l.id === call.lineId);
  const topic = line && line.topics.length === 1 ? line.topics[0] : undefined;
  const audience = line && line.audience.length === 1 ? line.audience[0] : undefined;
  await ctx.requests.register(
    {
      text: line ? `Телефонный звонок на линию «${line.title}».` : "Телефонный звонок.",
      subject: "Телефонный звонок",
      category: topic,
      audience,
      channel: "phone",
      contact: call.fromNumber ? { phone: call.fromNumber } : undefined,
      inTransaction: async (tx, r) => {
        await tx
          .update(phoneCalls)
          .set({ requestId: r.id })
          .where(and(eq(phoneCalls.id, call.id), sql`${phoneCalls.requestId} is null`));
      },
    },
    now,
  );
  const [after] = await ctx.db.select().from(phoneCalls).where(eq(phoneCalls.id, call.id));
  return after!;
}

async function queueOfLine(tx: Tx, lineId: string | null | undefined): Promise<string | null> {
  if (!lineId) return null;
  const [s] = await tx
    .select({ queue: phoneLineSettings.queue })
    .from(phoneLineSettings)
    .where(eq(phoneLineSettings.lineId, lineId));
  return s?.queue ?? null;
}

/**
 * The operator named by the PBX: by e-mail (the login) or name, the first of several when a group answered.
 * One query for all the names (the schema bounds how many there are).
 */
async function userOf(tx: Tx, user: string | string[] | undefined): Promise<number | null> {
  const names = [
    ...new Set((Array.isArray(user) ? user : user ? [user] : []).map((u) => u.trim().toLowerCase()).filter(Boolean)),
  ];
  if (names.length === 0) return null;
  const found = await tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(or(inArray(sql`lower(${users.email})`, names), inArray(sql`lower(${users.name})`, names)))
    .orderBy(users.id);
  for (const name of names) {
    const u = found.find((f) => f.email.toLowerCase() === name || f.name.toLowerCase() === name);
    if (u) return u.id;
  }
  return null;
}

const QUEUE_CACHE_MS = 60_000;
// Per database (two servers in one test keep apart), per queue name.
const queueDepartments = new WeakMap<object, Map<string, { id: number | null; at: number }>>();

/**
 * The department whose operators a queue rings: a queue named by a department code, else the first line.
 * Cached for a minute: every open console asks it for every call event.
 */
export async function departmentOfQueue(db: Tx | AppContext["db"], queue: string | null): Promise<number | null> {
  const key = queue ?? "first_line";
  let cache = queueDepartments.get(db);
  if (!cache) {
    cache = new Map();
    queueDepartments.set(db, cache);
  }
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < QUEUE_CACHE_MS) return hit.id;
  const id = await lookupDepartment(db, key);
  cache.set(key, { id, at: Date.now() });
  return id;
}

async function lookupDepartment(db: Tx | AppContext["db"], code: string): Promise<number | null> {
  const [d] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, code));
  if (d) return d.id;
  const [first] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, "first_line"));
  return first?.id ?? null;
}
