// The chat's per-process state: its hub of connected clients and the settings tests override, a service of the
// context (src/room.ts).
import type { AppContext } from "../../context.ts";
import { ChatHub } from "./hub.ts";
import type { ChatSettings } from "./settings.ts";
import { ChatWriter } from "./writer.ts";

export type ChatService = { hub: ChatHub; writer: ChatWriter | null; overrides: Partial<ChatSettings> };

declare module "../../room.ts" {
  interface Services {
    chat: ChatService;
  }
}

export function openChat(ctx: AppContext) {
  // Group commit for messages on a server only (src/channels/chat/writer.ts says why not on PGlite).
  const writer = ctx.database.engine === "postgres" ? new ChatWriter(ctx) : null;
  ctx.services.provide("chat", { hub: new ChatHub(ctx), writer, overrides: {} });
}

export function hubOf(ctx: AppContext): ChatHub {
  return ctx.services.get("chat").hub;
}

export function closeHub(ctx: AppContext) {
  ctx.services.maybe("chat")?.hub.close();
  ctx.services.forget("chat");
}
