// The chat's side of the request core's deliveries: an answer written on the request's page (or an incident's notice)
// reaches the applicant in the chat they are still in. An answer typed in the chat itself is already there: the chat's
// message points at the request's message, and that pointer is what makes a repeated delivery do nothing.
import { and, eq, ne } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Delivery } from "../../requests/core/index.ts";
import { publicMessage } from "../../requests/queries.ts";
import { chatConversations } from "./db-schema.ts";
import { appendMessage, lockConversation, showsMessage } from "./store.ts";

export async function deliverToChat(ctx: AppContext, d: Delivery) {
  if (d.kind !== "message.public") return;
  const [conv] = await ctx.db
    .select({ id: chatConversations.id })
    .from(chatConversations)
    .where(and(eq(chatConversations.requestId, d.requestId), ne(chatConversations.state, "closed")))
    .limit(1);
  if (!conv) return;
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
