// The chat's limits with real sockets: messages count per conversation however many sockets carry them, and a
// session keeps a few sockets at most (the oldest is closed with 4409 and a Russian reason).
import { randomUUID } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ChatClient, type Frame } from "../../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { chatMessages } from "./db-schema.ts";
import { APPLICANT_MESSAGES_PER_WINDOW, MAX_SOCKETS_PER_SESSION, SESSION_SOCKETS_CLOSE } from "./limits.ts";
import { hubOf } from "./state.ts";

let s: TestServer;
let wsUrl: string;

beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1", publicRateLimit: 0 });
  wsUrl = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
});
afterAll(() => s?.close());

async function session() {
  const r = await s.app.inject({
    method: "POST",
    url: "/api/v1/chat/sessions",
    payload: { contact: { name: "Анна", email: "anna.limits@example.ru" } },
  });
  expect(r.statusCode).toBe(201);
  return r.json() as { token: string; conversationId: number };
}

type Watched = { client: ChatClient; closed: Promise<{ code: number; reason: string }>; code?: number };

async function open(token: string): Promise<Watched> {
  const client = await ChatClient.open(`${wsUrl}?token=${token}`);
  const w: Watched = {
    client,
    closed: new Promise((resolve) =>
      client.socket.once("close", (code, reason) => {
        w.code = code;
        resolve({ code, reason: reason.toString() });
      }),
    ),
  };
  return w;
}

const answered = (c: ChatClient, ids: string[]) =>
  Promise.all(ids.map((id) => c.waitFor((f) => (f.t === "ack" || f.t === "error") && f.id === id, 30_000)));

const applicantLines = async (conversationId: number) =>
  (
    await s.ctx.db
      .select({ n: count() })
      .from(chatMessages)
      .where(and(eq(chatMessages.conversationId, conversationId), eq(chatMessages.author, "applicant")))
  )[0]!.n;

function expectRateLimited(refused: Frame[]) {
  for (const f of refused) {
    expect(f).toMatchObject({ t: "error", code: "rate_limited", retry: true });
    expect(f.message).toMatch(/^Слишком много сообщений за короткое время\. /);
  }
}

it("ten sockets of one session sending twenty messages each at once store twenty in all; seven sockets are closed", async () => {
  const { token, conversationId } = await session();
  const sockets = await Promise.all(Array.from({ length: 10 }, () => open(token)));
  const sent = sockets.map((w) => {
    const ids = Array.from({ length: 20 }, () => randomUUID());
    for (const id of ids) w.client.send({ t: "msg", id, text: `Вопрос ${id.slice(0, 8)}` });
    return ids;
  });
  await expect.poll(() => sockets.filter((w) => w.code !== undefined).length, { timeout: 15_000 }).toBe(7);
  for (const w of sockets.filter((x) => x.code !== undefined)) {
    expect(await w.closed).toEqual({ code: SESSION_SOCKETS_CLOSE.code, reason: SESSION_SOCKETS_CLOSE.reason });
  }
  const open3 = sockets.map((w, i) => ({ w, ids: sent[i]! })).filter(({ w }) => w.code === undefined);
  expect(open3).toHaveLength(MAX_SOCKETS_PER_SESSION);
  expect(hubOf(s.ctx).sessionSockets(conversationId)).toBe(MAX_SOCKETS_PER_SESSION);
  const replies = (await Promise.all(open3.map(({ w, ids }) => answered(w.client, ids)))).flat();
  expectRateLimited(replies.filter((f) => f.t === "error"));
  expect(replies.filter((f) => f.t === "ack").length).toBeLessThanOrEqual(APPLICANT_MESSAGES_PER_WINDOW);
  expect(await applicantLines(conversationId)).toBeLessThanOrEqual(APPLICANT_MESSAGES_PER_WINDOW);
  expect(await applicantLines(conversationId)).toBeGreaterThan(0);
  for (const { w } of open3) w.client.close();
});

it("a new socket on the session has no new allowance; the oldest of one socket too many is closed, the rest go on", async () => {
  const { token, conversationId } = await session();
  const first = await open(token);
  await first.client.waitFor((f) => f.t === "ready");
  const ids = Array.from({ length: APPLICANT_MESSAGES_PER_WINDOW }, () => randomUUID());
  for (const id of ids) first.client.send({ t: "msg", id, text: `Сообщение ${id.slice(0, 8)}` });
  expect((await answered(first.client, ids)).every((f) => f.t === "ack")).toBe(true);

  const more = [];
  for (let i = 0; i < MAX_SOCKETS_PER_SESSION; i++) {
    const w = await open(token);
    await w.client.waitFor((f) => f.t === "ready");
    more.push(w);
  }
  // The fourth socket put out the oldest, with a reason a person can read.
  expect(await first.closed).toEqual({ code: 4409, reason: "Чат открыт в слишком многих окнах: это окно отключено." });
  expect(more.every((w) => w.code === undefined)).toBe(true);
  expect(hubOf(s.ctx).sessionSockets(conversationId)).toBe(MAX_SOCKETS_PER_SESSION);

  // The conversation's window is spent, whichever socket asks.
  const late = randomUUID();
  more[2]!.client.send({ t: "msg", id: late, text: "Ещё одно" });
  expectRateLimited(await answered(more[2]!.client, [late]));
  expect(await applicantLines(conversationId)).toBe(APPLICANT_MESSAGES_PER_WINDOW);

  // Another conversation is not affected.
  const other = await open((await session()).token);
  await other.client.waitFor((f) => f.t === "ready");
  const mine = randomUUID();
  other.client.send({ t: "msg", id: mine, text: "Мой вопрос" });
  expect((await answered(other.client, [mine]))[0]!.t).toBe("ack");
  for (const w of [...more, other]) w.client.close();
});
