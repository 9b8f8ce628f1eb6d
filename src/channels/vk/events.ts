// VK's Callback API events as the messenger flow reads them. The route stores an event (once per its event_id) and
// answers «ok» at once; the outbox job takes it from there: `message_new` and `message_edit` are the applicant's
// words (a text button's payload is a press), `message_event` is a callback button pressed (answered with
// messages.sendMessageEventAnswer), `message_deny` makes the chat undeliverable as a blocked Telegram chat is, and
// `message_allow` makes it deliverable again. Only private chats are read: a community's chat with several people
// (peer ids from 2,000,000,000) is passed over.
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import { contactHashOf } from "../../notifications/gate.ts";
import { messengerContacts } from "../messenger/db-schema.ts";
import { markDeliverable, markUndeliverable, receive } from "../messenger/inbound.ts";
import type { Inbound } from "../messenger/port.ts";
import type { VkApi } from "./api.ts";
import { vkEvents } from "./db-schema.ts";

export const VK_EVENT_TOPIC = "vk.event";
/** The events Otklik reads; anything else VK sends is answered «ok» and dropped. */
export const VK_EVENT_TYPES = ["message_new", "message_edit", "message_event", "message_deny", "message_allow"];
const GROUP_CHATS = 2_000_000_000;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const userIdOf = (v: unknown) =>
  typeof v === "number" && Number.isSafeInteger(v) && v > 0 && v < GROUP_CHATS ? String(v) : undefined;

export type VkRead =
  | { kind: "message"; inbound: Inbound }
  | { kind: "button"; inbound: Inbound; answer: { eventId: string; userId: string } }
  | { kind: "deny"; chatId: string }
  | { kind: "allow"; chatId: string };

/** A button's payload as Otklik sends it (`{"b": "<data>"}`), as an object or the JSON text of one. */
function buttonOf(payload: unknown): string | undefined {
  let p = payload;
  if (typeof p === "string") {
    try {
      p = JSON.parse(p);
    } catch {
      return undefined;
    }
  }
  return str(obj(p)?.b)?.slice(0, 64);
}

/** The largest of a photo's sizes. */
function largest(sizes: unknown): string | undefined {
  if (!Array.isArray(sizes)) return undefined;
  let best: { url: string; area: number } | undefined;
  for (const s of sizes.map(obj)) {
    const url = str(s?.url);
    const area = Number(s?.width) * Number(s?.height);
    if (url && (!best || area > best.area)) best = { url, area: Number.isFinite(area) ? area : 0 };
  }
  return best?.url;
}

function filesOf(attachments: unknown, eventId: string) {
  const files: { fileId: string; filename: string }[] = [];
  if (!Array.isArray(attachments)) return files;
  for (const a of attachments.map(obj)) {
    if (a?.type === "photo") {
      const p = obj(a.photo);
      const url = largest(p?.sizes) ?? str(obj(p?.orig_photo)?.url);
      // Named by the photo's own number, not its owner's: the name is shown to operators and kept in plain text.
      const id = typeof p?.id === "number" ? p.id : eventId.slice(0, 16);
      if (url) files.push({ fileId: url, filename: `photo-${id}.jpg` });
    } else if (a?.type === "doc") {
      const d = obj(a.doc);
      const url = str(d?.url);
      if (!url) continue;
      const title = str(d?.title)?.trim() || "document";
      const ext = str(d?.ext);
      files.push({
        fileId: url,
        filename: ext && !title.toLowerCase().endsWith(`.${ext}`) ? `${title}.${ext}` : title,
      });
    }
  }
  return files;
}

/** An event as the flow reads it; null for what Otklik does not read. */
export function readEvent(type: string, eventId: string, object: unknown): VkRead | null {
  const o = obj(object);
  if (!o) return null;
  switch (type) {
    case "message_new":
    case "message_edit": {
      // message_new wraps the message (with the client's abilities beside it); message_edit is the message itself.
      const m = type === "message_new" ? obj(o.message) : o;
      const chatId = userIdOf(m?.peer_id);
      if (!m || !chatId || String(m.from_id) !== chatId || m.out === 1) return null;
      const button = buttonOf(m.payload);
      if (button && type === "message_new") {
        return { kind: "message", inbound: { chatId, eventId, text: "", button } };
      }
      const files = filesOf(m.attachments, eventId);
      const text = str(m.text) ?? "";
      if (!text.trim() && files.length === 0) return null;
      return { kind: "message", inbound: { chatId, eventId, text, files, edited: type === "message_edit" } };
    }
    case "message_event": {
      const chatId = userIdOf(o.peer_id);
      const userId = userIdOf(o.user_id);
      const answerId = str(o.event_id);
      const button = buttonOf(o.payload);
      if (!chatId || chatId !== userId || !answerId || button === undefined) return null;
      return { kind: "button", inbound: { chatId, eventId, text: "", button }, answer: { eventId: answerId, userId } };
    }
    case "message_deny":
    case "message_allow": {
      const chatId = userIdOf(o.user_id);
      if (!chatId) return null;
      return type === "message_deny" ? { kind: "deny", chatId } : { kind: "allow", chatId };
    }
    default:
      return null;
  }
}

/** The outbox job: one stored event handled, then marked so and emptied. */
export async function handleStored(ctx: AppContext, api: VkApi | undefined, id: number) {
  const [row] = await ctx.db.select().from(vkEvents).where(eq(vkEvents.id, id));
  if (!row || row.handledAt) return;
  // VK turned off since: the event waits for it to be on again (the outbox comes back).
  if (!api) throw new Error("vk is not configured");
  let object: unknown = null;
  try {
    object = JSON.parse(row.body ?? "null");
  } catch {
    object = null;
  }
  const read = readEvent(row.type, row.eventId, object);
  if (read) await handleRead(ctx, api, read);
  await ctx.db.update(vkEvents).set({ handledAt: new Date(), body: null }).where(eq(vkEvents.id, id));
}

async function handleRead(ctx: AppContext, api: VkApi, read: VkRead) {
  if (read.kind === "deny") {
    await markUndeliverable(ctx, "vk", read.chatId, "message_deny");
    return;
  }
  if (read.kind === "allow") {
    await markDeliverable(ctx, "vk", read.chatId);
    return;
  }
  const inbound = read.inbound;
  if (read.kind === "message" && !(await known(ctx, inbound.chatId))) {
    // The Callback API names nobody: the name comes from users.get, once, for a new chat (a courtesy).
    inbound.name = await api.userName(inbound.chatId).catch(() => undefined);
  }
  const received = await receive(ctx, api, inbound);
  if (read.kind === "button") {
    // A spinner stays on the button until it is answered; a failed answer loses nothing else.
    await api.answerEvent(read.answer.eventId, read.answer.userId, inbound.chatId, received.notice).catch(() => {});
  }
}

const hashOf = (chatId: string) => contactHashOf("messenger", `vk:${chatId}`);

async function known(ctx: AppContext, chatId: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ id: messengerContacts.id })
    .from(messengerContacts)
    .where(and(eq(messengerContacts.channel, "vk"), eq(messengerContacts.chatHash, hashOf(chatId))));
  return Boolean(row);
}
