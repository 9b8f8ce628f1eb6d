import { describe, expect, it } from "vitest";
import type { Delivery } from "../requests/core/index.ts";
import { decide, newsOf, POLICY, saidInChat, sourceOf } from "./policy.ts";

const base = { requestId: 7, number: "1000015" };
const message = (action: string, resolves = false): Delivery => ({
  kind: "message.public",
  ...base,
  messageId: 41,
  action,
  resolves,
});

describe("what a delivery means for the applicant", () => {
  it("names each kind of news", () => {
    expect(newsOf({ kind: "registered", ...base })).toBe("registered");
    expect(newsOf(message("replied"))).toBe("reply");
    expect(newsOf(message("asked"))).toBe("asked");
    expect(newsOf(message("incident_linked"))).toBe("incident");
    expect(newsOf(message("incident_updated"))).toBe("incident");
    expect(newsOf(message("incident_resolved"))).toBe("incident_resolved");
    expect(newsOf({ kind: "resolved", ...base, historyId: 3 })).toBe("resolved");
    expect(newsOf({ kind: "status.changed", ...base, from: "new", to: "escalated", historyId: 3 })).toBe("escalated");
    expect(newsOf({ kind: "merged", ...base, historyId: 4 })).toBe("merged");
    // The number the applicant holds no longer leads anywhere by itself: they hear of it whatever they unsubscribed.
    expect(POLICY.merged.essential).toBe(true);
  });

  it("leaves out what is no news: other status changes, a message that resolves (the resolution carries it), a chat line", () => {
    expect(newsOf({ kind: "status.changed", ...base, from: "new", to: "in_progress", historyId: 3 })).toBeNull();
    expect(newsOf({ kind: "status.changed", ...base, from: "in_progress", to: "resolved", historyId: 3 })).toBeNull();
    expect(newsOf(message("incident_resolved", true))).toBeNull();
    expect(newsOf(message("replied"), { chatOpen: true })).toBeNull();
    expect(newsOf(message("replied"), { chatOpen: false })).toBe("reply");
    // An answer typed in the chat was seen there (the letter and the SMS skip it), whether or not the chat is still
    // open when the delivery runs; a messenger's chat still hears it as a reply.
    expect(saidInChat({ ...message("replied"), via: "chat" } as Delivery)).toBe(true);
    expect(saidInChat(message("replied"))).toBe(false);
    expect(saidInChat({ kind: "resolved", ...base, historyId: 3 })).toBe(false);
    expect(newsOf({ ...message("replied"), via: "chat" } as Delivery)).toBe("reply");
    expect(newsOf({ kind: "resolved", ...base, historyId: 3 }, { chatOpen: true })).toBe("resolved");
  });

  it("keys each notification by what it announces", () => {
    expect(sourceOf({ kind: "registered", ...base })).toBe("registered:7");
    expect(sourceOf(message("replied"))).toBe("message:41");
    expect(sourceOf({ kind: "resolved", ...base, historyId: 9 })).toBe("history:9");
    expect(sourceOf({ kind: "resolved", ...base, historyId: null })).toBe("resolved:7");
    expect(sourceOf({ kind: "merged", ...base, historyId: 11 })).toBe("history:11");
  });
});

describe("the decision", () => {
  const facts = { optedOut: false, sentLastHour: 0, hourlyLimit: 3 };

  it("lets the acknowledgement and the resolution through whatever the limit and an unsubscribe say", () => {
    for (const news of ["registered", "resolved"] as const) {
      expect(POLICY[news].essential).toBe(true);
      expect(decide(news, { optedOut: true, sentLastHour: 99, hourlyLimit: 3 })).toBe("send");
    }
  });

  it("holds back what is not essential for an unsubscribed contact, then past the hourly limit", () => {
    for (const news of ["reply", "asked", "escalated", "incident", "incident_resolved"] as const) {
      expect(decide(news, facts)).toBe("send");
      expect(decide(news, { ...facts, sentLastHour: 2 })).toBe("send");
      expect(decide(news, { ...facts, sentLastHour: 3 })).toBe("rate_limited");
      expect(decide(news, { ...facts, optedOut: true })).toBe("unsubscribed");
    }
  });

  it("in a messenger chat, answers and questions are the conversation itself: no hourly limit holds them back", () => {
    const busy = { ...facts, sentLastHour: 50, inConversation: true };
    expect(decide("reply", busy)).toBe("send");
    expect(decide("asked", busy)).toBe("send");
    expect(decide("escalated", busy)).toBe("rate_limited");
    expect(decide("reply", { ...facts, sentLastHour: 50 })).toBe("rate_limited");
    for (const news of Object.keys(POLICY) as (keyof typeof POLICY)[]) expect(POLICY[news].messenger).toBe(true);
  });

  it("texts only what is worth a text", () => {
    expect(POLICY.escalated.sms).toBe(false);
    expect(POLICY.incident.sms).toBe(false);
    expect(POLICY.reply.sms && POLICY.asked.sms && POLICY.resolved.sms && POLICY.registered.sms).toBe(true);
  });
});
