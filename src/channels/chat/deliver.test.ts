// What the chat's adapter takes from the request core: a public message said elsewhere (the request's page, an
// incident's notice), never an answer typed in the chat itself, which is there already — a request has one chat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { isUniqueViolation } from "../../requests/core/index.ts";
import type { Delivery, DeliveryTarget } from "../../requests/core/ports.ts";
import { chatConversations } from "./db-schema.ts";
import { chatChannel } from "./room.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

const target: DeliveryTarget = { id: 1, channel: "chat", hasEmail: false, hasPhone: false };
const answer = (via?: string): Delivery => ({
  kind: "message.public",
  requestId: 1,
  number: "1",
  messageId: 2,
  action: "replied",
  resolves: false,
  ...(via ? { via } : {}),
});

describe("the chat's adapter", () => {
  it("reaches the chat with what was said elsewhere, not with what was typed in the chat", () => {
    const adapter = chatChannel(s.ctx);
    expect(adapter.reaches!(answer(), target)).toBe(true);
    expect(adapter.reaches!(answer("web"), target)).toBe(true);
    expect(adapter.reaches!(answer("chat"), target)).toBe(false);
    expect(
      adapter.reaches!(
        { kind: "status.changed", requestId: 1, number: "1", from: "new", to: "in_progress", historyId: 1 },
        target,
      ),
    ).toBe(false);
  });

  it("a request has one chat at most", async () => {
    const reg = await s.ctx.requests.register({ text: "Не приходит код подтверждения на телефон", channel: "chat" });
    const conversation = (n: number) => ({ tokenHash: `one-chat-${reg.id}-${n}`, requestId: reg.id });
    await s.ctx.db.insert(chatConversations).values(conversation(1));
    const second = await s.ctx.db
      .insert(chatConversations)
      .values(conversation(2))
      .catch((e: unknown) => e);
    expect(isUniqueViolation(second)).toBe(true);
  });
});
