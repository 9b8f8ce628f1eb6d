// The webhook mode (OTKLIK_PUBLIC_URL is https): the subscription with its secret is made at start, MAX's posts are
// taken only with the secret header, stored once per update before 200 is answered, and handled by an outbox job.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { type MaxBotApi, startMaxBotApi } from "../../../test/max-bot-api.ts";
import { messages, requests } from "../../requests/schema.ts";
import { newKey, parseDataKeys } from "../../security/keys.ts";
import { configureChat } from "../chat/settings.ts";
import { maxUpdates } from "./db-schema.ts";

const TOKEN = "max-stand-in-token-of-the-webhook-test";
const SECRET = "otklik_max-webhook-secret";
let mx: MaxBotApi;
let s: TestServer;

beforeAll(async () => {
  mx = await startMaxBotApi({ token: TOKEN });
  // An https address is a production one: it takes keys of its own.
  s = await createTestServer({
    maxBotToken: TOKEN,
    maxBotApi: mx.url,
    maxBotSecret: SECRET,
    publicUrl: "https://otklik.example",
    dataKeys: parseDataKeys(`k1:${newKey()}`),
    indexKey: randomBytes(32),
  });
  configureChat(s.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
});
afterAll(async () => {
  await s?.close();
  await mx?.close();
});

async function until<T>(what: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const post = (update: object, secret?: string) =>
  s.app.inject({
    method: "POST",
    url: "/api/v1/max/webhook",
    headers: secret === undefined ? {} : { "x-max-bot-api-secret": secret },
    payload: update,
  });

describe("max: webhook mode", () => {
  it("subscribes the address with the secret and the update types at start, and never polls", async () => {
    expect(mx.subscription()).toEqual({
      url: "https://otklik.example/api/v1/max/webhook",
      secret: SECRET,
      types: ["message_created", "message_edited", "message_callback", "bot_started", "bot_stopped"],
    });
    expect(mx.calls).not.toContain("GET updates");
  });

  it("takes an update only with the secret, stores it once and answers it in the dialog", async () => {
    mx.text(7_700_001, "Не приходит смс с кодом подтверждения на телефон");
    const update = mx.takeUpdate();
    const none = await post(update);
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("max_unauthenticated");
    expect((await post(update, "wrong-secret")).statusCode).toBe(401);
    expect(await s.ctx.db.select().from(maxUpdates)).toHaveLength(0);

    expect((await post(update, SECRET)).statusCode).toBe(200);
    // MAX repeats an update it is not sure was taken: stored once, one line on the request.
    expect((await post(update, SECRET)).statusCode).toBe(200);
    expect(await s.ctx.db.select().from(maxUpdates)).toHaveLength(1);
    const sent = await until(() => mx.sent.find((m) => /зарегистрировано под номером \d/.test(m.text)));
    const number = /номером ([\d ]+)\./.exec(sent.text)![1]!.replaceAll(" ", "");
    const [req] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
    expect(req!.channel).toBe("max");
    const lines = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req!.id));
    expect(lines.filter((l) => l.authorType === "applicant")).toHaveLength(1);
    // Handled, the stored update is emptied: the applicant's words stay only on the request.
    const [row] = await until(async () => {
      const rows = await s.ctx.db.select().from(maxUpdates);
      return rows[0]?.handledAt ? rows : undefined;
    });
    expect(row!.body).toBeNull();
  });

  it("answers 200 to an update type it does not read, and refuses what is not an update", async () => {
    const muted = { update_type: "dialog_muted", timestamp: Date.now(), chat_id: 1, user: { user_id: 1 } };
    expect((await post(muted, SECRET)).statusCode).toBe(200);
    expect((await post({ message: "hi" }, SECRET)).statusCode).toBe(400);
  });
});
