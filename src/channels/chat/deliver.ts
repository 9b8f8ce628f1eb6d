// The chat's side of the request core's deliveries: an answer written on the request's page (or an incident's notice)
// reaches the applicant in the chat they are still in. An answer typed in the chat itself is already there: the room's
// `reaches` skips it from the event alone (a request has one chat at most), and for the rest the chat's message points
// at the request's message, the pointer that makes a repeated delivery do nothing.
import { and, eq, ne, notExists, sql } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Queryable } from "../../db/client.ts";
import type { Delivery } from "../../requests/core/index.ts";
import { publicMessage } from "../../requests/queries.ts";
import { chatConversations, chatMessages } from "./db-schema.ts";
import { appendMessage, lockConversation, showsMessage } from "./store.ts";

/**
 * The applicant's chat still open on the request, if any: what is said on the request reaches them there, live (the
 * notification policy sends no letter or SMS for it meanwhile).
 */
export async function openChatOf(db: Queryable, requestId: number): Promise<number | undefined> {
  const [conv] = await db
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(and(eq(chatConversations.requestId, requestId), ne(chatConversations.state, "closed")))
    .limit(1);
  return conv?.id;
}

/** The open chat on the request that does not show the message yet, if any. */
async function chatMissing(db: Queryable, requestId: number, messageId: number): Promise<number | undefined> {
  const [conv] = await db
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(
      and(
        eq(chatConversations.requestId, requestId),
        ne(chatConversations.state, "closed"),
        notExists(
          db
            .select({ one: sql`1` })
            .from(chatMessages)
            .where(and(eq(chatMessages.conversationId, chatConversations.id), eq(chatMessages.messageId, messageId))),
        ),
      ),
    )
    .limit(1);
  return conv?.id;
}

export async function deliverToChat(ctx: AppContext, d: Delivery) {
  if (d.kind !== "message.public") return;
  const convId = await chatMissing(ctx.db, d.requestId, d.messageId);
  if (!convId) return;
  const conv = { id: convId };
  const message = await publicMessage(ctx.db, d.messageId);
  if (!message) return;
  await ctx.db.transaction(async (tx) => {
    const locked = await lockConversation(tx, conv.id);
    if (locked.state === "closed" || (await showsMessage(tx, conv.id, message.id))) return;
    await appendMessage(tx, conv.id, {
      author: message.authorId !== null ? "operator" : "system",
      authorId: message.authorId,
      body: message.body,
      messageId: message.id,
    });
  });
}
