// The bot's turn in a chat: an answer from the knowledge base, «it helped» (the request resolved), handing over to
// the operators' queue in their hours or offering to leave a request outside them.
import { eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { recommendNow } from "../../directory/routes-public.ts";
import { directoryOf } from "../../directory/state.ts";
import { searchKnowledge } from "../../knowledge/state.ts";
import { TEXT_MAX } from "../../requests/core/index.ts";
import { requestRowById } from "../../requests/queries.ts";
import { activeIncidents } from "../../routing/incidents.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { BOT_TEXT, botTurn, incidentNotice, linesIntro } from "./bot.ts";
import { type ChatPayload, type ChatState, chatConversations } from "./db-schema.ts";
import { whenText } from "./hours.ts";
import { currentChatHours } from "./hours-setting.ts";
import { type ButtonAction, setRequestStatus } from "./outgoing.ts";
import { chatSettings } from "./settings.ts";
import { announceState, appendMessage, type Conversation, lockConversation } from "./store.ts";

/** The bot's message, with its line in the request's own transcript (the articles it offered spelled out there). */
async function botSays(ctx: AppContext, tx: Tx, conv: Conversation, body: string, payload: ChatPayload = {}) {
  const articles = payload.articles?.map((a) => `— ${a.title}: /help/${a.slug}`).join("\n");
  const line = await ctx.requests.appendMessage(tx, conv.requestId!, {
    author: { type: "bot" },
    visibility: "public",
    body: (articles ? `${body}\n${articles}` : body).slice(0, TEXT_MAX),
    channel: conv.channel,
  });
  await appendMessage(tx, conv.id, { author: "bot", body, payload, messageId: line.messageId });
}

export async function botResponds(ctx: AppContext, conv: Conversation, text: string, action: ButtonAction | undefined) {
  if (action === "operator") return handOver(ctx, conv.id);
  if (action === "leave") return leaveRequest(ctx, conv.id);
  if (action === "helped") return botHelped(ctx, conv.id);
  const turn = botTurn(text, conv.bot, (q) => searchKnowledge(ctx, q, { limit: 5 }));
  if (turn.kind === "handover") return handOver(ctx, conv.id);
  const notice = conv.bot.greeted ? null : incidentNotice(await activeIncidents(ctx), chatSettings(ctx).now());
  await ctx.db.transaction(async (tx) => {
    const locked = await lockConversation(tx, conv.id);
    if (locked.state !== "bot") return;
    const memory = { ...turn.memory, greeted: true };
    await tx.update(chatConversations).set({ bot: memory }).where(eq(chatConversations.id, conv.id));
    const body = notice && !locked.bot.greeted ? `${notice}\n\n${turn.body}` : turn.body;
    await botSays(ctx, tx, locked, body, turn.payload);
  });
}

async function botHelped(ctx: AppContext, id: number) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    await botSays(ctx, tx, conv, BOT_TEXT.helped);
    const next = { state: "closed" as ChatState, result: "bot_helped", closedAt: new Date() };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await setRequestStatus(ctx, tx, conv.requestId!, "resolved", { type: "system" });
    await announceState(tx, { ...conv, ...next });
  });
}

/** To the operators' queue in their hours; outside them the offer to leave a request and the lines open now. */
export async function handOver(ctx: AppContext, id: number) {
  const now = chatSettings(ctx).now();
  const hours = await currentChatHours(ctx, now);
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    if (hours.open) {
      const next = { state: "queued" as ChatState, queuedAt: now };
      await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
      await appendMessage(tx, id, {
        author: "system",
        body: "Подключаем оператора. Он увидит всю переписку — повторять вопрос не нужно.",
      });
      await announceState(tx, { ...conv, ...next });
      return;
    }
    const req = await requestRowById(tx, conv.requestId!);
    const lines = recommendNow(directoryOf(ctx), { topic: req?.category ?? "information" }, now)
      .filter((l) => l.open === true)
      .slice(0, 3)
      .map((l) => ({ number: l.number, title: l.title, hours: l.hours, open: l.open }));
    // A messenger's conversation gets the answer where it is held.
    const where = conv.channel !== "chat" ? "сюда же" : conv.contactEmail ? "на почту" : "по телефону";
    await botSays(
      ctx,
      tx,
      conv,
      `Операторы чата работают ${hours.text}${hours.opensAt ? `; вернутся ${whenText(hours.opensAt, now)}` : ""}. ` +
        `Можно оставить обращение: вся переписка войдёт в него, ответ придёт ${where}.` +
        (lines.length ? ` ${linesIntro(lines.length)}` : ""),
      { buttons: ["leave"], lines },
    );
  });
}

async function leaveRequest(ctx: AppContext, id: number) {
  await ctx.db.transaction(async (tx) => {
    const conv = await lockConversation(tx, id);
    if (conv.state !== "bot") return;
    const req = await requestRowById(tx, conv.requestId!);
    await botSays(
      ctx,
      tx,
      conv,
      `Готово: обращение № ${displayRequestNumber(req!.number)} передано операторам вместе с перепиской. Можно дописать подробности здесь — они добавятся к обращению.`,
    );
    const next = { state: "left" as ChatState };
    await tx.update(chatConversations).set(next).where(eq(chatConversations.id, id));
    await announceState(tx, { ...conv, ...next });
  });
}
