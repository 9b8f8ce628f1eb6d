// The notification policy: what news of a request reaches the applicant's contacts, whatever channel the request came
// by. Pure rules; the channels' adapters (e-mail, SMS, messengers) ask `newsOf` what a delivery means and `decide` whether it
// goes, and the gate (gate.ts) supplies the facts: an opt-out, the count of the last hour. docs/NOTIFICATIONS.md
// holds the same table in prose.
import type { Delivery } from "../requests/core/index.ts";

export type Medium = "email" | "sms" | "messenger";

/** The news an applicant hears of, one kind per line of the policy table. */
export type NewsKind =
  | "registered"
  | "reply"
  | "asked"
  | "escalated"
  | "incident"
  | "incident_resolved"
  | "resolved"
  | "merged";

/**
 * The policy table. `essential`: goes whatever the hourly limit and an unsubscribe say (the number and the link,
 * the outcome with the invitation to rate). `sms`: worth a text (a transfer between departments is not).
 * `messenger`: goes to the applicant's messenger chat (Telegram), where the conversation itself is held.
 */
export const POLICY: Record<NewsKind, { essential: boolean; email: boolean; sms: boolean; messenger: boolean }> = {
  registered: { essential: true, email: true, sms: true, messenger: true },
  reply: { essential: false, email: true, sms: true, messenger: true },
  asked: { essential: false, email: true, sms: true, messenger: true },
  escalated: { essential: false, email: true, sms: false, messenger: true },
  incident: { essential: false, email: true, sms: false, messenger: true },
  incident_resolved: { essential: false, email: true, sms: true, messenger: true },
  resolved: { essential: true, email: true, sms: true, messenger: true },
  // The number the applicant holds stops being the one to follow: they must hear which one is.
  merged: { essential: true, email: true, sms: true, messenger: true },
};

/**
 * In a messenger the service's words are the conversation the applicant is holding there, not a notice about it:
 * an answer or a question goes whatever the hourly limit (the applicant stops it by leaving the chat).
 */
export const CONVERSATION: ReadonlySet<NewsKind> = new Set(["reply", "asked"]);

/**
 * An answer typed in the applicant's chat (a web chat, or a messenger's conversation in the chat inbox): they have it
 * there, so no letter or SMS repeats it, even once the chat is closed; the e-mail and SMS adapters skip it before
 * reading anything. The messengers deliver it as any answer: their chat is where it must go.
 */
export function saidInChat(d: Delivery): boolean {
  return d.kind === "message.public" && d.via === "chat";
}

/**
 * What a delivery of the core means for the applicant, or null when it is no news to them. `chatOpen`: the
 * applicant's chat on the request is open, so what is said on the request reaches them there, live; a letter or an
 * SMS for each line would repeat the conversation.
 */
export function newsOf(d: Delivery, opts: { chatOpen?: boolean } = {}): NewsKind | null {
  switch (d.kind) {
    case "registered":
      return "registered";
    case "resolved":
      return "resolved";
    case "merged":
      return "merged";
    case "status.changed":
      return d.to === "escalated" ? "escalated" : null;
    case "message.public":
      // A message that resolves the request travels inside the resolution notice: one notice, not two.
      if (d.resolves) return null;
      if (opts.chatOpen) return null;
      if (d.action === "asked") return "asked";
      if (d.action === "incident_resolved") return "incident_resolved";
      if (d.action.startsWith("incident_")) return "incident";
      return "reply";
  }
}

/** Where a notification comes from, so that it is sent once however often the delivery repeats. */
export function sourceOf(d: Delivery): string {
  switch (d.kind) {
    case "registered":
      return `registered:${d.requestId}`;
    case "message.public":
      return `message:${d.messageId}`;
    case "status.changed":
    case "resolved":
    case "merged":
      return d.historyId === null ? `${d.kind}:${d.requestId}` : `history:${d.historyId}`;
  }
}

export type Verdict = "send" | "unsubscribed" | "rate_limited";

export type Facts = {
  /** The contact asked for essential notifications only. */
  optedOut: boolean;
  /** Notifications queued for this contact in the last hour. */
  sentLastHour: number;
  /** At most this many per contact per hour, essential ones aside (they go, and count). */
  hourlyLimit: number;
  /** The contact is a messenger chat where the request's conversation is held. */
  inConversation?: boolean;
};

export function decide(news: NewsKind, facts: Facts): Verdict {
  if (POLICY[news].essential) return "send";
  if (facts.inConversation && CONVERSATION.has(news)) return "send";
  if (facts.optedOut) return "unsubscribed";
  if (facts.sentLastHour >= facts.hourlyLimit) return "rate_limited";
  return "send";
}
