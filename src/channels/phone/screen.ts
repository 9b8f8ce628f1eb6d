// The operator's call screen: who is calling, their open requests and recent calls, the line and topic dialled,
// the verification checklist and what was verified. Seeing it is a view of personal data: it is audited.
import { and, desc, eq, or, sql } from "drizzle-orm";
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import { directoryOf } from "../../directory/room.ts";
import { errors } from "../../http/errors.ts";
import {
  latestNameByPhone,
  openRequestsByPhone,
  requestRowById,
  requestsByContactHashes,
} from "../../requests/queries.ts";
import { blindIndex } from "../../security/sealed.ts";
import { users } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { checklistFor } from "./checklist.ts";
import { phoneCalls, phoneVerifications } from "./db-schema.ts";
import { departmentOfQueue } from "./events.ts";

type CallRow = typeof phoneCalls.$inferSelect;

/** Operators and specialists see the calls of their queue and their own; supervisors and administrators all. */
export async function visibleCall(ctx: AppContext, user: StaffUser, callId: number): Promise<CallRow> {
  const [call] = await ctx.db.select().from(phoneCalls).where(eq(phoneCalls.id, callId));
  if (!call) throw errors.notFound("call");
  if (user.role === "supervisor" || user.role === "administrator") return call;
  if (call.userId === user.id || user.departmentId === null) return call;
  if ((await departmentOfQueue(ctx.db, call.queue)) === user.departmentId) return call;
  throw errors.notFound("call");
}

export function callerNumberOf(call: CallRow) {
  return call.direction === "out" ? call.toNumber : call.fromNumber;
}

export async function callScreen(ctx: AppContext, user: StaffUser, callId: number) {
  const call = await visibleCall(ctx, user, callId);
  const phone = callerNumberOf(call);
  // Numbers are encrypted: the caller's requests and calls are found by the blind index of the number.
  const phoneHash = blindIndex("phone", phone) ?? "";
  const line = directoryOf(ctx).lines.find((l) => l.id === call.lineId);
  const open = phone ? await openRequestsByPhone(ctx.db, phone, 10) : [];
  const linked = call.requestId ? await requestRowById(ctx.db, call.requestId) : undefined;
  const recent = phone
    ? await ctx.db
        .select({
          id: phoneCalls.id,
          startedAt: phoneCalls.startedAt,
          answeredAt: phoneCalls.answeredAt,
          endedAt: phoneCalls.endedAt,
          state: phoneCalls.state,
          direction: phoneCalls.direction,
          requestNumber: sql<string | null>`(select r.number from requests r where r.id = ${phoneCalls.requestId})`,
        })
        .from(phoneCalls)
        .where(
          and(
            or(eq(phoneCalls.fromHash, phoneHash), eq(phoneCalls.toHash, phoneHash)),
            sql`${phoneCalls.id} <> ${call.id}`,
          ),
        )
        .orderBy(desc(phoneCalls.startedAt))
        .limit(10)
    : [];
  const named = phone ? await latestNameByPhone(ctx.db, phone) : undefined;
  // The same person's requests from other channels: the applicant record joins this number to their e-mails.
  const person = phone
    ? ((await ctx.services.maybe("applicants")?.person(ctx.db, { emailHash: null, phoneHash })) ?? {
        email: [],
        phone: [phoneHash],
      })
    : { email: [], phone: [] };
  const elsewhere = await requestsByContactHashes(ctx.db, user, person, {
    except: open.map((r) => r.id),
    limit: 10,
  });
  const lineTopic = line && line.topics.length === 1 ? line.topics[0]! : null;
  const topic = lineTopic ?? linked?.category ?? null;
  const audience = linked?.audience ?? (line && line.audience.length === 1 ? line.audience[0]! : "citizen");
  const [verification] = await ctx.db
    .select({
      passed: phoneVerifications.passed,
      items: phoneVerifications.items,
      createdAt: phoneVerifications.createdAt,
      userName: users.name,
      audience: phoneVerifications.audience,
      topic: phoneVerifications.topic,
      accountId: phoneVerifications.accountId,
    })
    .from(phoneVerifications)
    .innerJoin(users, eq(users.id, phoneVerifications.userId))
    .where(eq(phoneVerifications.callId, call.id))
    .orderBy(desc(phoneVerifications.id))
    .limit(1);
  await ctx.db.transaction((tx) =>
    audit(tx, {
      actorId: user.id,
      action: "phone.call_screen.view",
      subjectType: "phone_call",
      subjectId: String(call.id),
    }),
  );
  return {
    call: {
      id: call.id,
      state: call.state,
      direction: call.direction,
      queue: call.queue,
      startedAt: call.startedAt.toISOString(),
      answeredAt: call.answeredAt?.toISOString() ?? null,
      endedAt: call.endedAt?.toISOString() ?? null,
      answeredBy: call.userId,
      continued: call.continued,
    },
    caller: { phone, name: linked?.contactName ?? named?.name ?? null },
    line: line
      ? { id: line.id, title: line.title, number: line.number, purpose: line.purpose, topics: line.topics }
      : null,
    topic,
    audience,
    request: linked ? { number: linked.number, subject: linked.subject, status: linked.status } : null,
    openRequests: open.map((r) => ({
      number: r.number,
      subject: r.subject,
      status: r.status,
      category: r.category,
      createdAt: r.createdAt.toISOString(),
    })),
    applicantRequests: elsewhere.map((r) => ({
      number: r.number,
      subject: r.subject,
      status: r.status,
      channel: r.channel,
      createdAt: r.createdAt.toISOString(),
    })),
    recentCalls: recent.map((c) => ({
      id: c.id,
      startedAt: c.startedAt.toISOString(),
      state: c.state,
      direction: c.direction,
      seconds: c.answeredAt && c.endedAt ? Math.round((c.endedAt.getTime() - c.answeredAt.getTime()) / 1000) : 0,
      requestNumber: c.requestNumber,
    })),
    checklist: checklistFor(audience, topic),
    verification: verification
      ? {
          passed: verification.passed,
          items: verification.items,
          at: verification.createdAt.toISOString(),
          by: verification.userName,
          audience: verification.audience,
          topic: verification.topic,
          accountId: verification.accountId,
        }
      : null,
  };
}
