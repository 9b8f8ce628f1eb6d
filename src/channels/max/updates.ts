// MAX's updates as the messenger flow reads them, and the two ways they arrive: long polling (`GET /updates` with a
// marker kept in the database, one process at a time under an advisory lock) or the webhook (MAX posts each update
// with the secret in `X-Max-Bot-Api-Secret`; the route stores it once and an outbox job handles it). Only dialogs
// with the bot are read: a bot added to a group chat says nothing there. `message_callback` is a pressed button
// (answered through `/answers`), `bot_stopped` makes the chat undeliverable as a blocked Telegram chat is, and
// `bot_started` (the user pressed «Начать», for the first time or after stopping the bot) makes it deliverable and
// greets them.
import { createHash, createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { AppContext } from "../../context.ts";
import { isDatabaseUnavailable } from "../../db/outage.ts";
import { emit } from "../../db/outbox.ts";
import { isAppError } from "../../http/errors.ts";
import { messengerCursors } from "../messenger/db-schema.ts";
import { contactOf, markUndeliverable, receive } from "../messenger/inbound.ts";
import { queueText } from "../messenger/outbound.ts";
import { pollUnderLock, type Sleep } from "../messenger/polling.ts";
import type { Inbound } from "../messenger/port.ts";
import { type MaxApi, type MaxUpdate, UPDATE_TYPES } from "./api.ts";
import { maxUpdates } from "./db-schema.ts";

export const MAX_UPDATE_TOPIC = "max.update";

export const MAX_TEXT = {
  greeting:
    "Здравствуйте! Напишите свой вопрос: бот поищет ответ в справочном центре, а если ответа там нет, передаст обращение операторам.",
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const idOf = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? String(v) : undefined);
const nameOf = (user: Obj | undefined) =>
  [str(user?.first_name), str(user?.last_name)].filter(Boolean).join(" ") || str(user?.name) || undefined;

export type MaxRead =
  | { kind: "message"; inbound: Inbound }
  | { kind: "button"; inbound: Inbound; callbackId: string }
  | { kind: "started"; chatId: string; name?: string | undefined; eventId: string }
  | { kind: "stopped"; chatId: string };

/**
 * What identifies an update: MAX gives them no id of their own. A message by its `mid`, an edit by its mid and time,
 * a pressed button by its `callback_id`, the bot started or stopped by the user and the time.
 */
export function updateKeyOf(u: MaxUpdate): string | undefined {
  const m = obj(u.message);
  const mid = str(obj(m?.body)?.mid);
  switch (u.update_type) {
    case "message_created":
      return mid && `created:${mid}`;
    case "message_edited":
      return mid && `edited:${mid}:${String(u.timestamp)}`;
    case "message_callback": {
      const id = str(obj(u.callback)?.callback_id);
      return id && `callback:${id}`;
    }
    case "bot_started":
    case "bot_stopped": {
      const user = idOf(obj(u.user)?.user_id);
      return user && `${u.update_type}:${user}:${String(u.timestamp)}`;
    }
    default:
      return undefined;
  }
}

/** The event id the flow keeps (a short digest: a client id holds 64 characters, a mid can be long). */
const eventIdOf = (key: string) => createHash("sha256").update(key).digest("base64url").slice(0, 24);

function filesOf(attachments: unknown, eventId: string) {
  const files: { fileId: string; filename: string }[] = [];
  if (!Array.isArray(attachments)) return files;
  for (const a of attachments.map(obj)) {
    const p = obj(a?.payload);
    const url = str(p?.url);
    if (!url) continue;
    if (a?.type === "image") {
      // Named by the photo's own number: the name is shown to operators and kept in plain text.
      const id = typeof p?.photo_id === "number" ? p.photo_id : eventId.slice(0, 12);
      files.push({ fileId: url, filename: `photo-${id}.jpg` });
    } else if (a?.type === "file") {
      files.push({ fileId: url, filename: str(a.filename)?.trim() || "document" });
    }
  }
  return files;
}

/** An update as the flow reads it; null for what Otklik does not read. */
export function readUpdate(u: MaxUpdate): MaxRead | null {
  const key = updateKeyOf(u);
  if (!key) return null;
  const eventId = eventIdOf(key);
  switch (u.update_type) {
    case "message_created":
    case "message_edited": {
      const m = obj(u.message);
      const sender = obj(m?.sender);
      const chatId = idOf(sender?.user_id);
      if (!m || !chatId || sender?.is_bot === true || obj(m.recipient)?.chat_type !== "dialog") return null;
      const body = obj(m.body);
      const files = filesOf(body?.attachments, eventId);
      const text = str(body?.text) ?? "";
      if (!text.trim() && files.length === 0) return null;
      const edited = u.update_type === "message_edited";
      return { kind: "message", inbound: { chatId, name: nameOf(sender), eventId, text, files, edited } };
    }
    case "message_callback": {
      const cb = obj(u.callback);
      const chatId = idOf(obj(cb?.user)?.user_id);
      const callbackId = str(cb?.callback_id);
      // The message under which the button was: a button of a group chat's message is not ours to read.
      if (!chatId || !callbackId || obj(obj(u.message)?.recipient)?.chat_type !== "dialog") return null;
      const button = str(cb?.payload)?.slice(0, 64) ?? "";
      return { kind: "button", inbound: { chatId, eventId, text: "", button }, callbackId };
    }
    case "bot_started": {
      const user = obj(u.user);
      const chatId = idOf(user?.user_id);
      return chatId ? { kind: "started", chatId, name: nameOf(user), eventId } : null;
    }
    case "bot_stopped": {
      const chatId = idOf(obj(u.user)?.user_id);
      return chatId ? { kind: "stopped", chatId } : null;
    }
    default:
      return null;
  }
}

/** Takes one update: the flow, then the answer to a pressed button. */
export async function handleUpdate(ctx: AppContext, api: MaxApi, u: MaxUpdate) {
  const read = readUpdate(u);
  if (!read) return;
  if (read.kind === "stopped") {
    await markUndeliverable(ctx, "max", read.chatId, "bot_stopped");
    return;
  }
  if (read.kind === "started") {
    // Starting the bot again undoes its stopping (contactOf makes a known chat deliverable); the greeting goes once.
    const contact = await contactOf(ctx, "max", read.chatId, read.name);
    await queueText(ctx, contact.id, `started:${read.eventId}`, MAX_TEXT.greeting);
    return;
  }
  let received: Awaited<ReturnType<typeof receive>>;
  try {
    received = await receive(ctx, api, read.inbound);
  } catch (e) {
    // A refusal of the conversation (a race with the chat closing): the update is passed over, not asked for again.
    if (!isAppError(e) || e.status >= 500) throw e;
    received = { notice: undefined };
  }
  if (read.kind === "button") {
    // A button's answer is a courtesy: nothing is lost without it.
    await api.answerCallback(read.callbackId, received.notice).catch(() => {});
  }
}

/** The webhook's secret when OTKLIK_MAX_SECRET is not set: derived from the token, so every process knows it. */
export function webhookSecret(config: AppContext["config"]): string {
  return (
    config.maxBotSecret ??
    createHmac("sha256", config.maxBotToken ?? "")
      .update("otklik-max-webhook")
      .digest("base64url")
  );
}

/** The webhook route's part: the update stored once per its key, with its job, in one transaction. */
export async function storeUpdate(ctx: AppContext, u: MaxUpdate) {
  const key = updateKeyOf(u);
  if (!key || !UPDATE_TYPES.includes(u.update_type)) return;
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(maxUpdates)
      .values({ updateKey: key, type: u.update_type, body: JSON.stringify(u) })
      .onConflictDoNothing({ target: maxUpdates.updateKey })
      .returning({ id: maxUpdates.id });
    if (row) await emit(tx, MAX_UPDATE_TOPIC, { id: row.id });
  });
}

/** The outbox job: one stored update handled, then marked so and emptied. */
export async function handleStored(ctx: AppContext, api: MaxApi | undefined, id: number) {
  const [row] = await ctx.db.select().from(maxUpdates).where(eq(maxUpdates.id, id));
  if (!row || row.handledAt) return;
  // MAX turned off since: the update waits for it to be on again (the outbox comes back).
  if (!api) throw new Error("max is not configured");
  let u: MaxUpdate | null = null;
  try {
    u = JSON.parse(row.body ?? "null") as MaxUpdate | null;
  } catch {
    u = null;
  }
  if (u && typeof u.update_type === "string") await handleUpdate(ctx, api, u);
  await ctx.db.update(maxUpdates).set({ handledAt: new Date(), body: null }).where(eq(maxUpdates.id, id));
}

export type PollOptions = { timeoutSeconds: number; idleMs: number };

/**
 * Long polling until stopped. The marker lives in the database: a process that takes over reads on from where the
 * last one confirmed. A batch whose handling fails for a lost database or provider is read again (by the same marker);
 * an update that fails for anything else is logged and passed over (it would fail again forever).
 */
export function startPolling(ctx: AppContext, api: MaxApi, log: Logger, o: PollOptions) {
  return pollUnderLock(ctx, {
    name: "max",
    idleMs: o.idleMs,
    // MAX gives no updates by polling while a webhook is subscribed: a bot moved back to polling drops it.
    async takeOver() {
      const subs = await api.subscriptions().catch(() => ({ subscriptions: [] }));
      for (const s of subs.subscriptions ?? []) await api.unsubscribe(s.url).catch(() => {});
    },
    pollOnce: (signal, sleep) => pollOnce(ctx, api, log, o, signal, sleep),
  });
}

async function pollOnce(ctx: AppContext, api: MaxApi, log: Logger, o: PollOptions, signal: AbortSignal, sleep: Sleep) {
  const [cursor] = await ctx.db.select().from(messengerCursors).where(eq(messengerCursors.channel, "max"));
  let batch: Awaited<ReturnType<MaxApi["getUpdates"]>>;
  try {
    batch = await api.getUpdates(cursor?.position, o.timeoutSeconds, signal);
  } catch (e) {
    if (signal.aborted) return;
    log.warn({ code: (e as { code?: string }).code ?? "error" }, "MAX getUpdates failed");
    const wait = (e as { retryAfter?: number }).retryAfter;
    await sleep(wait ? wait * 1000 : o.idleMs);
    return;
  }
  const updates = batch.updates ?? [];
  // Chats are taken side by side (their registrations share the group commit), each chat's updates in order.
  const byChat = new Map<string, MaxUpdate[]>();
  for (const [i, u] of updates.entries()) {
    const read = readUpdate(u);
    const key = read ? ("inbound" in read ? read.inbound.chatId : read.chatId) : `update:${i}`;
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
          log.error({ err: { type: (e as Error).name, code: (e as { code?: string }).code } }, "MAX update not taken");
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHATS_AT_ONCE, queue.length) }, worker));
  // The batch is read again after a lost database or provider: what was taken is recognised by its event id.
  if (again || signal.aborted) {
    if (again) await sleep(o.idleMs);
    return;
  }
  const next = batch.marker;
  if (typeof next !== "number" || !Number.isSafeInteger(next) || next === cursor?.position) return;
  await ctx.db
    .insert(messengerCursors)
    .values({ channel: "max", position: next })
    .onConflictDoUpdate({ target: messengerCursors.channel, set: { position: next, updatedAt: new Date() } });
}

/** Chats taken at once from one batch of updates. */
const CHATS_AT_ONCE = 8;
