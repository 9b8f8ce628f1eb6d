// Telegram's updates as the messenger flow reads them, and the two ways they arrive: long polling (`getUpdates` with
// an offset kept in the database, one process at a time under an advisory lock) or the webhook (Telegram posts each
// update with the secret token in `X-Telegram-Bot-Api-Secret-Token`). Only private chats are read: a bot added to a
// group says nothing there.
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { AppContext } from "../../context.ts";
import { isDatabaseUnavailable } from "../../db/outage.ts";
import { isAppError } from "../../http/errors.ts";
import { messengerCursors } from "../messenger/db-schema.ts";
import { receive } from "../messenger/inbound.ts";
import { pollUnderLock, type Sleep } from "../messenger/polling.ts";
import type { Inbound } from "../messenger/port.ts";
import type { TelegramApi, TelegramUpdate } from "./api.ts";

type TgMessage = {
  message_id?: unknown;
  chat?: { id?: unknown; type?: unknown; first_name?: unknown; last_name?: unknown };
  text?: unknown;
  caption?: unknown;
  photo?: { file_id?: unknown; file_unique_id?: unknown }[];
  document?: { file_id?: unknown; file_name?: unknown; file_unique_id?: unknown };
};

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const chatIdOf = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? String(v) : undefined);

/** An update as the flow reads it, with the callback to answer; null for what Otklik does not read. */
export function readUpdate(u: TelegramUpdate): { inbound: Inbound; callbackId?: string } | null {
  const eventId = String(u.update_id);
  const cq = u.callback_query as { id?: unknown; data?: unknown; message?: TgMessage } | undefined;
  if (cq) {
    const chat = cq.message?.chat;
    const chatId = chatIdOf(chat?.id);
    const id = str(cq.id);
    if (!chatId || !id || chat?.type !== "private") return null;
    return { inbound: { chatId, eventId, text: "", button: str(cq.data)?.slice(0, 64) ?? "" }, callbackId: id };
  }
  const edited = u.edited_message !== undefined;
  const m = (u.message ?? u.edited_message) as TgMessage | undefined;
  const chatId = chatIdOf(m?.chat?.id);
  if (!m || !chatId || m.chat?.type !== "private") return null;
  const name = [str(m.chat?.first_name), str(m.chat?.last_name)].filter(Boolean).join(" ") || undefined;
  const files: { fileId: string; filename: string }[] = [];
  // A photo comes in several sizes, the largest last.
  const photo = Array.isArray(m.photo) ? m.photo[m.photo.length - 1] : undefined;
  if (photo && str(photo.file_id)) {
    files.push({ fileId: str(photo.file_id)!, filename: `photo-${str(photo.file_unique_id) ?? eventId}.jpg` });
  }
  if (m.document && str(m.document.file_id)) {
    files.push({ fileId: str(m.document.file_id)!, filename: str(m.document.file_name) ?? "document" });
  }
  const text = str(m.text) ?? str(m.caption) ?? "";
  if (!text.trim() && files.length === 0) return null;
  return { inbound: { chatId, name, eventId, text, files, edited } };
}

/** Takes one update: the flow, then the answer to a pressed button. */
export async function handleUpdate(ctx: AppContext, api: TelegramApi, u: TelegramUpdate) {
  const read = readUpdate(u);
  if (!read) return;
  let received: Awaited<ReturnType<typeof receive>>;
  try {
    received = await receive(ctx, api, read.inbound);
  } catch (e) {
    // A refusal of the conversation (a race with the chat closing): the update is passed over, not asked for again.
    if (!isAppError(e) || e.status >= 500) throw e;
    received = { notice: undefined };
  }
  if (read.callbackId) {
    // A button's answer is a courtesy: Telegram forgets the callback after a while, and nothing is lost without it.
    await api.answerCallbackQuery(read.callbackId, received.notice).catch(() => {});
  }
}

/** The secret Telegram sends back with each webhook call: derived from the token, so every process knows it. */
export function webhookSecret(token: string): string {
  return createHmac("sha256", token).update("otklik-telegram-webhook").digest("base64url");
}

export type PollOptions = { timeoutSeconds: number; idleMs: number };

/**
 * Long polling until stopped. The offset lives in the database: a process that takes over reads on from where the
 * last one confirmed. An update whose handling fails for a lost database is read again later; one that fails for
 * anything else is logged and passed over (it would fail again forever).
 */
export function startPolling(ctx: AppContext, api: TelegramApi, log: Logger, o: PollOptions) {
  return pollUnderLock(ctx, {
    name: "telegram",
    idleMs: o.idleMs,
    async takeOver() {
      await api.deleteWebhook().catch(() => {});
    },
    pollOnce: (signal, sleep) => pollOnce(ctx, api, log, o, signal, sleep),
  });
}

async function pollOnce(
  ctx: AppContext,
  api: TelegramApi,
  log: Logger,
  o: PollOptions,
  signal: AbortSignal,
  sleep: Sleep,
) {
  const [cursor] = await ctx.db.select().from(messengerCursors).where(eq(messengerCursors.channel, "telegram"));
  const offset = cursor?.position ?? 0;
  let updates: TelegramUpdate[];
  try {
    updates = await api.getUpdates(offset, o.timeoutSeconds, signal);
  } catch (e) {
    if (signal.aborted) return;
    log.warn({ code: (e as { code?: string }).code ?? "error" }, "Telegram getUpdates failed");
    const wait = (e as { retryAfter?: number }).retryAfter;
    await sleep(wait ? wait * 1000 : o.idleMs);
    return;
  }
  if (updates.length === 0) return;
  // Chats are taken side by side (their registrations share the group commit), each chat's updates in order.
  const byChat = new Map<string, TelegramUpdate[]>();
  for (const u of updates) {
    const key = readUpdate(u)?.inbound.chatId ?? `update:${u.update_id}`;
    byChat.set(key, [...(byChat.get(key) ?? []), u]);
  }
  let again = false;
  const queue = [...byChat.values()];
  const worker = async () => {
    for (let list = queue.shift(); list && !again && !signal.aborted; list = queue.shift()) {
      for (const u of list) {
        try {
          await handleUpdate(ctx, api, u);
        } catch (e) {
          if (isDatabaseUnavailable(e) || (e as { retryable?: boolean }).retryable) {
            again = true;
            return;
          }
          log.error(
            { err: { type: (e as Error).name, code: (e as { code?: string }).code } },
            "Telegram update not taken",
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHATS_AT_ONCE, queue.length) }, worker));
  // The batch is read again after a lost database or provider: what was taken is recognised by its update id.
  if (again || signal.aborted) {
    if (again) await sleep(o.idleMs);
    return;
  }
  const next = updates[updates.length - 1]!.update_id + 1;
  await ctx.db
    .insert(messengerCursors)
    .values({ channel: "telegram", position: next })
    .onConflictDoUpdate({ target: messengerCursors.channel, set: { position: next, updatedAt: new Date() } });
}

/** Chats taken at once from one batch of updates. */
const CHATS_AT_ONCE = 8;
