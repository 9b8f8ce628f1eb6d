// The operator inbox's answers. GET /api/v1/chat/inbox and GET /api/v1/chat/conversations/{id} leave their items
// open in their response schemas, so these are the fields the inbox reads until the routes declare them.
import { formatTime } from "../format.ts";
import type { Contact } from "./ChatContact.tsx";

export type InboxItem = {
  id: number;
  number: string;
  subject: string;
  contactName: string | null;
  department: string;
  queuedAt: string | null;
  lastSeq: number;
};
export type Inbox = { queue: InboxItem[]; mine: InboxItem[]; limit: number };
export type ConversationDetail = {
  id: number;
  state: string;
  request: { number: string; status: string; subject: string; category?: string | null };
  /** E-mail and phone masked; the full values come from …/reveal, with a reason that goes to the audit log. */
  contact: Contact;
  previous: { number: string; subject: string; status: string; channel: string; createdAt: string }[];
  answers: { slug: string; title: string; snippet: string }[];
};

export const time = (iso: string) => formatTime(iso);
