import { describe, expect, it } from "vitest";
import { makeMessageId, replyHeaders, requestNumberFromMessageIds } from "./threading.ts";

describe("threading through our Message-IDs", () => {
  it("makes unique ids in our domain, with the request number when given", () => {
    const a = makeMessageId("support.example.ru");
    const b = makeMessageId("support.example.ru");
    expect(a).toMatch(/^<[0-9a-f]{32}@support\.example\.ru>$/);
    expect(a).not.toBe(b);
    expect(makeMessageId("support.example.ru", "12345674")).toMatch(/^<r12345674\.[0-9a-f]{32}@support\.example\.ru>$/);
    expect(() => makeMessageId("bad domain>")).toThrow(RangeError);
  });

  it("finds the request in the newest of our own ids only", () => {
    const ours = makeMessageId("support.example.ru", "12345674");
    const newer = makeMessageId("support.example.ru", "22222224");
    const foreign = "<r99999994.abcdef@evil.example>";
    expect(requestNumberFromMessageIds([ours, foreign], "support.example.ru")).toBe("12345674");
    expect(requestNumberFromMessageIds([ours, newer], "Support.Example.ru")).toBe("22222224");
    expect(requestNumberFromMessageIds([foreign], "support.example.ru")).toBeUndefined();
    expect(requestNumberFromMessageIds([ours], "support.example.ru", () => false)).toBeUndefined();
  });

  it("builds In-Reply-To and References for an answer", () => {
    expect(replyHeaders({ messageId: "<c@x>", references: ["<a@x>", "<b@x>"] })).toEqual({
      inReplyTo: "<c@x>",
      references: ["<a@x>", "<b@x>", "<c@x>"],
    });
  });
});
