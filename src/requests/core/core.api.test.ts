// The request core seen through its channels: an act has the same effect whichever channel it comes through, and
// what the applicant should hear reaches them where they are, once.
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { chatMessages } from "../../channels/chat/db-schema.ts";
import { configureChat } from "../../channels/chat/settings.ts";
import type { EventMessage } from "../../db/outbox.ts";
import { requestHistory, requests } from "../schema.ts";
import { seenByApplicant } from "../sse.ts";

let s: TestServer;
let wsUrl: string;

beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1" });
  configureChat(s.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
  wsUrl = `${s.url.replace("http", "ws")}/api/v1/chat/ws`;
});
afterAll(() => s?.close());

const api = (authorization: string, method: "GET" | "POST", url: string, payload?: unknown) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });

/** An applicant in the chat, handed over to an operator who accepted; the request's number. */
async function chatWithOperator() {
  const op = await s.staff("operator");
  const started = await s.app.inject({
    method: "POST",
    url: "/api/v1/chat/sessions",
    payload: { contact: { name: "Ольга", email: "olga@example.ru" } },
  });
  const { token, conversationId } = started.json() as { token: string; conversationId: number };
  const applicant = await ChatClient.open(`${wsUrl}?token=${token}`);
  await applicant.waitFor((f) => f.t === "ready");
  // Asking for a person hands the chat over at once.
  applicant.send({ t: "msg", id: randomUUID(), text: "Нужен оператор, не могу войти" });
  await applicant.waitFor((f) => f.t === "state" && f.state === "queued");
  expect((await api(op.authorization, "POST", `/chat/conversations/${conversationId}/accept`)).statusCode).toBe(200);
  const system = applicant.messages().find((f) => f.author === "system" && /номером/.test(String(f.text)))!;
  const number = /номером ([\d ]+)\./.exec(String(system.text))![1]!.replaceAll(" ", "");
  const [request] = await s.ctx.db.select().from(requests).where(eq(requests.number, number));
  return { op, applicant, conversationId, request: request! };
}

describe("one life of a request, whatever the channel", () => {
  it("an answer typed in the chat is an answer on the request: first response, in work, a history row", async () => {
    const { op, applicant, conversationId, request } = await chatWithOperator();
    const staff = await ChatClient.open(wsUrl, { authorization: op.authorization });
    await staff.waitFor((f) => f.t === "ready");
    const mid = randomUUID();
    staff.send({ t: "msg", id: mid, conversationId, text: "Здравствуйте! Сейчас проверю вашу учётную запись." });
    await staff.waitFor((f) => f.t === "ack" && f.id === mid);
    await applicant.waitFor((f) => f.t === "msg" && f.author === "operator");

    const [after] = await s.ctx.db.select().from(requests).where(eq(requests.id, request.id));
    expect(after!.firstRespondedAt).not.toBeNull();
    expect(after!.status).toBe("in_progress");
    expect(after!.assigneeId).toBe(op.id);
    const history = await s.ctx.db
      .select()
      .from(requestHistory)
      .where(eq(requestHistory.requestId, request.id))
      .orderBy(asc(requestHistory.id));
    expect(history.map((h) => h.action)).toContain("replied");
    applicant.close();
    staff.close();
  });

  it("an answer written on the request's page reaches the applicant in the chat, once", async () => {
    const { op, applicant, conversationId, request } = await chatWithOperator();
    const text = "Пароль сброшен: ссылка для входа придёт на вашу почту.";
    const res = await api(op.authorization, "POST", `/requests/${request.number}/messages`, {
      body: text,
      visibility: "public",
    });
    expect(res.statusCode).toBe(200);
    await s.ctx.worker.kick();
    const pushed = await applicant.waitFor((f) => f.t === "msg" && f.text === text);
    expect(pushed.author).toBe("operator");
    // The outbox may run the delivery again (a lost lease): the chat shows the answer once.
    const again = await s.ctx.db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId));
    await s.ctx.requests.jobs()["request.replied"]!(
      {
        id: 0,
        topic: "request.replied",
        data: {
          requestId: request.id,
          number: request.number,
          messageId: again.at(-1)!.messageId,
          visibility: "public",
        },
      },
      s.ctx.db,
    );
    const rows = await s.ctx.db.select().from(chatMessages).where(eq(chatMessages.conversationId, conversationId));
    expect(rows.filter((r) => r.body === text)).toHaveLength(1);
    applicant.close();
  });

  it("a note is not hinted at on the tracking page's stream; an answer and a status change are", async () => {
    const op = await s.staff("supervisor");
    const created = (
      await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Не приходит код из смс" } })
    ).json() as { number: string };
    const heard: EventMessage[] = [];
    const stop = s.ctx.bus.subscribe((e) => heard.push(e));
    const url = `/requests/${created.number}/messages`;
    await api(op.authorization, "POST", url, { body: "Проверить журнал смс-шлюза", visibility: "note" });
    await api(op.authorization, "POST", url, { body: "Отправили код повторно.", visibility: "public" });
    await api(op.authorization, "POST", `/requests/${created.number}/status`, { status: "resolved" });
    await new Promise((r) => setTimeout(r, 300));
    stop();
    // The registration's own announcement may reach the bus after the listening began (PostgreSQL's NOTIFY): it is not
    // what this test is about.
    const mine = heard.filter((e) => e.data.number === created.number && e.topic !== "request.created");
    expect(mine.map((e) => [e.topic, seenByApplicant(e)])).toEqual([
      ["request.noted", false],
      // The note's writer now follows the request: staff news, not the applicant's.
      ["request.watched", false],
      ["request.replied", true],
      ["request.status_changed", true],
    ]);
    // Every event says what the channels decide by (no job reads the row for it); a console answer names no channel
    // it was said in, and a line of a conversation says whether anyone followed the request then.
    const replied = mine.find((e) => e.topic === "request.replied")!;
    expect(replied.data).toMatchObject({ channel: "web", hasEmail: false, hasPhone: false });
    expect(replied.data).not.toHaveProperty("via");
    expect(mine.find((e) => e.topic === "request.status_changed")!.data).toMatchObject({ channel: "web" });
    // The note was the request's first line with nobody following it (its writer follows it from then on).
    expect(mine.find((e) => e.topic === "request.noted")!.data).toMatchObject({ followed: false });
  });
});
