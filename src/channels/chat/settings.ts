// The chat's settings: from the configuration (src/config.ts), with per-server overrides for tests, kept in the
// chat's service on the context (state.ts).
import type { AppContext } from "../../context.ts";

export type ChatSettings = {
  /** Chats one operator holds at once (OTKLIK_CHAT_MAX_PER_OPERATOR). */
  maxChatsPerOperator: number;
  /** Largest image or PDF sent in a chat, in bytes (OTKLIK_CHAT_MAX_FILE_MB; never above the request limit). */
  maxFileBytes: number;
  /** Server ping interval; a connection silent for two intervals is dropped. */
  heartbeatMs: number;
  /** The clock for operators' hours (tests move it). */
  now: () => Date;
};

export function chatSettings(ctx: AppContext): ChatSettings {
  const own = ctx.services.maybe("chat")?.overrides ?? {};
  return {
    maxChatsPerOperator: own.maxChatsPerOperator ?? ctx.config.chatMaxPerOperator,
    maxFileBytes: Math.min(own.maxFileBytes ?? ctx.config.chatMaxFileMb * 1024 * 1024, ctx.config.maxAttachmentBytes),
    heartbeatMs: own.heartbeatMs ?? 25_000,
    now: own.now ?? (() => new Date()),
  };
}

export function configureChat(ctx: AppContext, settings: Partial<ChatSettings>) {
  const chat = ctx.services.get("chat");
  chat.overrides = { ...chat.overrides, ...settings };
}
