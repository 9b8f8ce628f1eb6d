import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer({ maxAttachments: 3, maxAttachmentBytes: 2 * 1024 * 1024, chatMaxFileMb: 5 });
});
afterAll(() => s?.close());

describe("GET /api/v1/limits", () => {
  it("tells any site the configured file limits; the chat's never exceeds the attachment limit", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/limits" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    expect(res.json()).toEqual({
      attachments: { maxFiles: 3, maxFileBytes: 2 * 1024 * 1024 },
      chat: { maxFileBytes: 2 * 1024 * 1024 },
    });
  });
});
