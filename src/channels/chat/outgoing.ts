// What every side of the chat shares: the buttons, an outgoing message and its checks, a conversation found or not.

import { eq } from "drizzle-orm";
import type { AppContext } from "../../context.ts";
import type { Tx } from "../../db/client.ts";
import { errors } from "../../http/errors.ts";
import type { Actor } from "../../requests/core/index.ts";
import type { StoredFile } from "../../requests/files.ts";
import type { Status } from "../../requests/status.ts";
import { count, WORDS } from "../../text/plural.ts";
import { type ChatAttachment, chatConversations } from "./db-schema.ts";

export const BUTTONS = { helped: "Это помогло", operator: "Позвать оператора", leave: "Оставить обращение" } as const;
export type ButtonAction = keyof typeof BUTTONS;
export const CLIENT_ID = /^[A-Za-z0-9_-]{6,64}$/;
const MESSAGE_MAX = 4000;

export type Outgoing = {
  clientId: string;
  text: string;
  files?: string[] | undefined;
  action?: ButtonAction | undefined;
};
export type Sent = { seq: number; duplicate: boolean };

export function checkOutgoing(m: Outgoing): string {
  if (!CLIENT_ID.test(m.clientId)) throw errors.validation("Неверный идентификатор сообщения.", { field: "id" });
  const text = (m.action ? BUTTONS[m.action] : m.text).trim();
  if (!text && !m.files?.length) throw errors.validation("Пустое сообщение.", { field: "text" });
  if (text.length > MESSAGE_MAX) {
    throw errors.validation(`Сообщение длиннее ${count(MESSAGE_MAX, ...WORDS.characterGenitive)}: разделите его.`, {
      field: "text",
    });
  }
  return text || "Файл";
}

export function attachmentsOf(files: StoredFile[]): ChatAttachment[] {
  return files.map((f) => ({ id: f.id, filename: f.filename, contentType: f.contentType, size: f.size }));
}

export async function loadConversation(ctx: AppContext, id: number) {
  const [row] = await ctx.db.select().from(chatConversations).where(eq(chatConversations.id, id));
  if (!row) throw errors.notFound("chat");
  return row;
}

export async function setRequestStatus(ctx: AppContext, tx: Tx, requestId: number, to: Status, actor: Actor) {
  await ctx.requests.transition(tx, requestId, to, actor, { channel: "chat", ifNeeded: true });
}
