// What the applicant's browser keeps of a chat: the session (so a reload continues it) and the messages not yet
// acknowledged (so a reload sends them again).
import type { ChatMessage } from "./connection.ts";

export type Stored = { token: string; conversationId: number };
export type Line = ChatMessage & { pending?: boolean };

const STORE = "otklik-chat";
const PENDING = "otklik-chat-pending";

export function storedChat(): Stored | null {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "null") as Stored | null;
  } catch {
    return null;
  }
}

export function storeChat(s: Stored) {
  localStorage.setItem(STORE, JSON.stringify(s));
}

export function forgetChat() {
  localStorage.removeItem(STORE);
  localStorage.removeItem(PENDING);
}

export function storedPending(): Line[] {
  try {
    return JSON.parse(localStorage.getItem(PENDING) ?? "[]") as Line[];
  } catch {
    // Nothing saved, or unreadable: nothing to resend.
    return [];
  }
}

export function storePending(lines: Line[]) {
  localStorage.setItem(PENDING, JSON.stringify(lines));
}
