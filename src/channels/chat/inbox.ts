// What the console's chat inbox reads: the queue the employee may take, their own chats, and one chat with the
// applicant's earlier requests and knowledge-base answers beside it.
import { and, desc, eq, ne, or } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/errors.ts";
import { searchKnowledge } from "../../knowledge/state.ts";
import { requests } from "../../requests/schema.ts";
import { blindIndex } from "../../security/sealed.ts";
import { departments } from "../../staff/schema.ts";
import type { StaffUser } from "../../staff/service.ts";
import { chatConversations } from "./db-schema.ts";
import { messageView } from "./hub.ts";
import { canHandle } from "./service.ts";
import { chatSettings } from "./settings.ts";
import { conversationById, messagesSince } from "./store.ts";

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
  number: requests.number,
  subject: requests.subject,
  category: requests.category,
  contactName: chatConversations.contactName,
  department: departments.name,
};

export async function inbox(ctx: AppContext, user: StaffUser, firstLineId: number | null) {
  const rows = await ctx.db
    .select(itemColumns)
    .from(chatConversations)
    .innerJoin(requests, eq(requests.id, chatConversations.requestId))
    .leftJoin(departments, eq(departments.id, chatConversations.departmentId))
    .where(
      or(
        eq(chatConversations.state, "queued"),
        and(eq(chatConversations.state, "operator"), eq(chatConversations.operatorId, user.id)),
      ),
    )
    .orderBy(chatConversations.queuedAt)
    .limit(500);
  const visible = rows.filter((r) => canHandle(user, r as never, firstLineId));
  const view = (r: (typeof rows)[number]) => ({
    ...r,
    queuedAt: r.queuedAt?.toISOString() ?? null,
    acceptedAt: r.acceptedAt?.toISOString() ?? null,
    department: r.department ?? "Первая линия",
  });
  return {
    queue: visible.filter((r) => r.state === "queued").map(view),
    mine: visible.filter((r) => r.state === "operator").map(view),
    limit: chatSettings(ctx).maxChatsPerOperator,
  };
}

export async function conversationDetail(ctx: AppContext, user: StaffUser, id: number, firstLineId: number | null) {
  const conv = await conversationById(ctx.db, id);
  if (!conv?.requestId || !canHandle(user, conv, firstLineId)) throw errors.notFound("Чат");
  const [req] = await ctx.db
    .select({
      number: requests.number,
      status: requests.status,
      subject: requests.subject,
      category: requests.category,
    })
    .from(requests)
    .where(eq(requests.id, conv.requestId));
  const transcript = await messagesSince(ctx.db, id, 0, 2000);
  const contactMatch = [
    // Contacts are encrypted: the applicant's earlier requests are found by their blind indexes.
    conv.contactEmail ? eq(requests.contactEmailHash, blindIndex("email", conv.contactEmail)!) : undefined,
    conv.contactPhone ? eq(requests.contactPhoneHash, blindIndex("phone", conv.contactPhone)!) : undefined,
  ].filter(Boolean);
  const previous = contactMatch.length
    ? await ctx.db
        .select({
          number: requests.number,
          subject: requests.subject,
          status: requests.status,
          channel: requests.channel,
          createdAt: requests.createdAt,
        })
        .from(requests)
        .where(and(or(...contactMatch), ne(requests.id, conv.requestId)))
        .orderBy(desc(requests.createdAt))
        .limit(10)
    : [];
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
  return {
    id: conv.id,
    state: conv.state,
    operatorId: conv.operatorId,
    result: conv.result,
    request: req!,
    contact: { name: conv.contactName, email: conv.contactEmail, phone: conv.contactPhone },
    messages: transcript.map(messageView),
    previous: previous.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    answers,
  };
}
