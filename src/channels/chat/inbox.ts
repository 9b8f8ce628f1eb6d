// What the console's chat inbox reads: the queue the employee may take, their own chats, and one chat with the
// applicant's earlier requests and knowledge-base answers beside it. The applicant's contacts follow the rules of a
// request: masked, revealed with a reason, every opening and reveal audited, earlier requests within scope.
import { and, eq, isNotNull, or } from "drizzle-orm";
import { audit } from "../../audit/audit.ts";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/errors.ts";
import { searchKnowledge } from "../../knowledge/state.ts";
import { maskEmail, maskPhone } from "../../requests/contact.ts";
import { requestBriefs, requestRowById, requestsByContactHashes } from "../../requests/queries.ts";
import { blindIndex } from "../../security/sealed.ts";
import { departments } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { chatConversations } from "./db-schema.ts";
import { messageView } from "./hub.ts";
import { canHandle } from "./operator.ts";
import { chatSettings } from "./settings.ts";
import { type Conversation, conversationById, messagesSince } from "./store.ts";

export async function firstLineIdOf(ctx: AppContext): Promise<number | null> {
  const [d] = await ctx.db.select({ id: departments.id }).from(departments).where(eq(departments.code, "first_line"));
  return d?.id ?? null;
}

const itemColumns = {
  id: chatConversations.id,
  state: chatConversations.state,
  departmentId: chatConversations.departmentId,
  operatorId: chatConversations.operatorId,
  queuedAt: chatConversations.queuedAt,
  acceptedAt: chatConversations.acceptedAt,
  lastSeq: chatConversations.lastSeq,
  requestId: chatConversations.requestId,
  contactName: chatConversations.contactName,
  department: departments.name,
};

export async function inbox(ctx: AppContext, user: StaffUser, firstLineId: number | null) {
  const rows = await ctx.db
    .select(itemColumns)
    .from(chatConversations)
    .leftJoin(departments, eq(departments.id, chatConversations.departmentId))
    .where(
      and(
        isNotNull(chatConversations.requestId),
        or(
          eq(chatConversations.state, "queued"),
          and(eq(chatConversations.state, "operator"), eq(chatConversations.operatorId, user.id)),
        ),
      ),
    )
    .orderBy(chatConversations.queuedAt)
    .limit(500);
  const visible = rows.filter((r) => canHandle(user, r, firstLineId));
  const briefs = await requestBriefs(
    ctx.db,
    visible.map((r) => r.requestId!),
  );
  const view = ({ requestId, ...r }: (typeof rows)[number]) => {
    const brief = briefs.get(requestId!);
    return {
      ...r,
      number: brief?.number ?? "",
      subject: brief?.subject ?? "",
      category: brief?.category ?? null,
      queuedAt: r.queuedAt?.toISOString() ?? null,
      acceptedAt: r.acceptedAt?.toISOString() ?? null,
      department: r.department ?? "Первая линия",
    };
  };
  return {
    queue: visible.filter((r) => r.state === "queued").map(view),
    mine: visible.filter((r) => r.state === "operator").map(view),
    limit: chatSettings(ctx).maxChatsPerOperator,
  };
}

/** The conversation if the employee may handle it (and its request is registered); «not found» otherwise. */
async function handledConversation(ctx: AppContext, user: StaffUser, id: number, firstLineId: number | null) {
  const conv = await conversationById(ctx.db, id);
  if (!conv?.requestId || !canHandle(user, conv, firstLineId)) throw errors.notFound("chat");
  return conv as Conversation & { requestId: number };
}

async function requestNumberOf(ctx: AppContext, requestId: number) {
  return (await requestRowById(ctx.db, requestId))!.number;
}

/** The applicant's contacts in full, for an employee who may handle the chat and gives a reason (audited). */
export async function revealContact(
  ctx: AppContext,
  user: StaffUser,
  id: number,
  reason: string,
  firstLineId: number | null,
) {
  if (reason.trim().length < 3) {
    throw errors.validation("Укажите, зачем нужны контакты: причина записывается в журнал доступа.", {
      field: "reason",
    });
  }
  const conv = await handledConversation(ctx, user, id, firstLineId);
  const request = await requestNumberOf(ctx, conv.requestId);
  await ctx.db.transaction((tx) =>
    audit(tx, {
      actorId: user.id,
      action: "contact.reveal",
      subjectType: "chat",
      subjectId: String(conv.id),
      reason: reason.trim(),
      details: { request },
    }),
  );
  return { name: conv.contactName, email: conv.contactEmail, phone: conv.contactPhone };
}

export async function conversationDetail(ctx: AppContext, user: StaffUser, id: number, firstLineId: number | null) {
  const conv = await handledConversation(ctx, user, id, firstLineId);
  const req = (await requestBriefs(ctx.db, [conv.requestId])).get(conv.requestId);
  const transcript = await messagesSince(ctx.db, id, 0, 2000);
  // The same person's requests from every channel (the applicant record joins their contacts); only those the
  // employee may open: one outside their scope is not listed at all.
  const start = {
    emailHash: blindIndex("email", conv.contactEmail),
    phoneHash: blindIndex("phone", conv.contactPhone),
  };
  const person = (await ctx.services.maybe("applicants")?.person(ctx.db, start)) ?? {
    email: start.emailHash ? [start.emailHash] : [],
    phone: start.phoneHash ? [start.phoneHash] : [],
  };
  const previous = (await requestsByContactHashes(ctx.db, user, person, { except: [conv.requestId], limit: 10 })).map(
    ({ id: _id, ...r }) => r,
  );
  const said = transcript
    .filter((m) => m.author === "applicant" && !m.payload.action)
    .map((m) => m.body)
    .join("\n");
  const answers = said
    ? searchKnowledge(ctx, said, { limit: 5, includeInternal: true }).map((h) => ({
        slug: h.slug,
        title: h.title,
        snippet: h.snippet,
      }))
    : [];
  // Opening a chat shows the applicant's words, as opening a request does: recorded.
  await ctx.db.transaction((tx) =>
    audit(tx, {
      actorId: user.id,
      action: "chat.view",
      subjectType: "chat",
      subjectId: String(conv.id),
      details: { request: req!.number },
    }),
  );
  return {
    id: conv.id,
    state: conv.state,
    operatorId: conv.operatorId,
    result: conv.result,
    request: { number: req!.number, status: req!.status, subject: req!.subject, category: req!.category },
    // Masked until revealed with a reason (POST …/reveal).
    contact: { name: conv.contactName, email: maskEmail(conv.contactEmail), phone: maskPhone(conv.contactPhone) },
    messages: transcript.map(messageView),
    previous: previous.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    answers,
  };
}
