// The webhook mode (OTKLIK_PUBLIC_URL is https): the bot's address and secret are set at start, Telegram's posts are
// taken only with the secret token header; and the long poll is one process's work.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { startTelegramBotApi, type TelegramBotApi } from "../../../test/telegram-bot-api.ts";
import { requests } from "../../requests/schema.ts";
import { newKey, parseDataKeys } from "../../security/keys.ts";
import { configureChat } from "../chat/settings.ts";
import { webhookSecret } from "./updates.ts";

const TOKEN = "987654321:AAwebhook-mode-token-of-the-stand-in";
let tg: TelegramBotApi;
let s: TestServer;

beforeAll(async () => {
  tg = await startTelegramBotApi({ token: TOKEN });
  // An https address is a production one: it takes keys of its own.
  s = await createTestServer({
    telegramToken: TOKEN,
    telegramApi: tg.url,
    publicUrl: "https://otklik.example",
    dataKeys: parseDataKeys(`k1:${newKey()}`),
    indexKey: randomBytes(32),
  });
  configureChat(s.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
});
afterAll(async () => {
  await s?.close();
  await tg?.close();
});

const post = (update: object, secret?: string) =>
  s.app.inject({
    method: "POST",
    url: "/api/v1/telegram/webhook",
    headers: secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret },
    payload: update,
  });

describe("telegram: webhook mode", () => {
  it("sets the webhook with a secret token at start and never polls", async () => {
    expect(tg.webhook()).toEqual({
      url: "https://otklik.example/api/v1/telegram/webhook",
      secret: webhookSecret(TOKEN),
    });
    expect(tg.calls).not.toContain("getUpdates");
  });

  it("takes an update only with the secret token, and answers it in the chat", async () => {
    tg.text(7_700_001, "Не приходит смс с кодом подтверждения на телефон");
    const update = tg.takeUpdate();
    const none = await post(update);
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("telegram_unauthenticated");
    expect((await post(update, "wrong-secret")).statusCode).toBe(401);
    const ok = await post(update, tg.webhook()!.secret);
    expect(ok.statusCode).toBe(200);
    const sent = await waitFor(() => tg.sent.find((m) => /зарегистрировано под номером \d/.test(m.text)));
    const number = /номером ([\d ]+)\./.exec(sent.text)![1]!.replaceAll(" ", "");
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(req!.channel).toBe("telegram");
    // Telegram repeats an update it got no answer to: the same update is one message on the request.
    expect((await post(update, tg.webhook()!.secret)).statusCode).toBe(200);
    const detail = await s.ctx.db.select().from(requests).where(eq(requests.channel, "telegram"));
    expect(detail).toHaveLength(1);
  });

  it("refuses what is not an update", async () => {
    const bad = await post({ message: "hi" }, webhookSecret(TOKEN));
    expect(bad.statusCode).toBe(400);
  });
});

describe("the long poll is one process's work", () => {
  it("grants the polling lock to one holder at a time on PostgreSQL (on the embedded database there is one process)", async () => {
    const first = await s.ctx.database.holdLock("telegram-test");
    expect(first).not.toBeNull();
    const second = await s.ctx.database.holdLock("telegram-test");
    if (s.ctx.database.engine === "postgres") {
      expect(second).toBeNull();
      await first!.release();
      const third = await s.ctx.database.holdLock("telegram-test");
      expect(third).not.toBeNull();
      await third!.release();
    } else {
      expect(second).not.toBeNull();
      await first!.release();
      await second!.release();
    }
  });
});

async function waitFor<T>(what: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
