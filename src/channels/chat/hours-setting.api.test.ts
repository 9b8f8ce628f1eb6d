// The chat's hours are an administrator's setting: the widget's answer and the bot follow it at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { configureChat } from "./settings.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
  // A Saturday noon in Moscow: closed on the default working-day hours.
  configureChat(s.ctx, { now: () => new Date("2026-11-28T12:00:00+03:00") });
});
afterAll(() => s?.close());

const call = (method: "GET" | "PUT", url: string, authorization?: string, payload?: unknown) =>
  s.app.inject({
    method,
    url: `/api/v1${url}`,
    ...(authorization ? { headers: { authorization } } : {}),
    ...(payload ? { payload } : {}),
  });

describe("chat hours as a setting", () => {
  it("starts with working days 9–21 and follows what an administrator sets", async () => {
    const admin = (await s.staff("administrator")).authorization;
    const operator = (await s.staff("operator")).authorization;

    const before = (await call("GET", "/chat/hours")).json();
    expect(before).toMatchObject({
      open: false,
      opensAt: "2026-11-30T09:00:00.000+03:00",
      text: "с 9:00 до 21:00 по московскому времени в рабочие дни",
      back: "30 ноября в 9:00 по московскому времени",
    });
    expect((await call("GET", "/admin/chat/hours", admin)).json()).toEqual({
      days: "working",
      from: "09:00",
      to: "21:00",
      text: "с 9:00 до 21:00 по московскому времени в рабочие дни",
    });

    const everyDay = { days: "all", from: "08:00", to: "22:00" };
    expect((await call("PUT", "/admin/chat/hours", operator, everyDay)).statusCode).toBe(403);
    expect((await call("PUT", "/admin/chat/hours", undefined, everyDay)).statusCode).toBe(401);
    const refused = await call("PUT", "/admin/chat/hours", admin, { days: "all", from: "22:00", to: "08:00" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().detail ?? refused.json().title).toMatch(/позже начала/);
    expect(
      (await call("PUT", "/admin/chat/hours", admin, { days: "all", from: "25:00", to: "26:00" })).statusCode,
    ).toBe(400);
    expect(
      (await call("PUT", "/admin/chat/hours", admin, { days: "sometimes", from: "08:00", to: "09:00" })).statusCode,
    ).toBe(400);

    const set = await call("PUT", "/admin/chat/hours", admin, everyDay);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().text).toBe("с 8:00 до 22:00 по московскому времени ежедневно");
    expect((await call("GET", "/chat/hours")).json()).toMatchObject({
      open: true,
      closesAt: "2026-11-28T22:00:00.000+03:00",
      back: null,
    });
  });
});
