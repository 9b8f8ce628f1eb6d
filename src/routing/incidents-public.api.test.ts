// What the public learns of a known incident: the active list and the form's match (public fields only), the IVR's
// greeting on the lines it concerns, the chatbot's first answer; and that all of it ends with the incident.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { configureChat } from "../channels/chat/settings.ts";
import { directoryOf } from "../directory/room.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer({ port: 0, host: "127.0.0.1", phoneSecret: SECRET });
  configureChat(s.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
  supervisor = await s.staff("supervisor");
});
afterAll(() => s?.close());

const call = (method: "GET" | "POST", url: string, payload?: unknown, authorization?: string) =>
  s.app.inject({
    method,
    url: `/api/v1${url}`,
    ...(authorization ? { headers: { authorization } } : {}),
    ...(payload ? { payload } : {}),
  });

async function declare(body: Record<string, unknown>) {
  const r = await call("POST", "/incidents", body, supervisor.authorization);
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as number;
}
const resolve = (id: number) => call("POST", `/incidents/${id}/resolve`, {}, supervisor.authorization);
const ids = (r: { json(): unknown }) => (r.json() as { id: number }[]).map((i) => i.id);
const match = (payload: Record<string, unknown>) => call("POST", "/incidents/match", payload);

async function greeting(to: string) {
  const r = await s.app.inject({
    method: "POST",
    url: `/api/v1/phone/ivr/${SECRET}`,
    payload: new URLSearchParams({ CallSid: randomUUID(), From: "+79001234567", To: to }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  expect(r.statusCode).toBe(200);
  return r.body;
}

describe("an incident in public", () => {
  it("shows title, public text and times only, and leaves the list when resolved", async () => {
    const recovery = new Date("2030-01-15T12:00:00Z");
    const id = await declare({
      title: "Не приходят СМС с кодом подтверждения",
      description: "Шлюз оператора связи отвечает 503, заявка у подрядчика № 4471",
      publicMessage: "Мы знаем, что СМС с кодом сейчас не приходят. Специалисты уже устраняют сбой.",
      keywords: ["смс", "код подтверждения"],
      categories: ["access"],
      expectedRecoveryAt: recovery.toISOString(),
    });
    const r = await call("GET", "/incidents/active");
    expect(r.statusCode).toBe(200);
    expect(r.headers["cache-control"]).toBe("no-store");
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    const mine = (r.json() as Record<string, unknown>[]).find((i) => i.id === id)!;
    expect(Object.keys(mine).sort()).toEqual(["expectedRecoveryAt", "id", "publicMessage", "since", "title"]);
    expect(mine.expectedRecoveryAt).toBe(recovery.toISOString());
    expect(JSON.stringify(r.json())).not.toContain("503");

    expect((await resolve(id)).statusCode).toBe(200);
    expect(ids(await call("GET", "/incidents/active"))).not.toContain(id);
  });

  it("refuses an expected recovery before the outage began, declared or changed", async () => {
    const past = await call(
      "POST",
      "/incidents",
      { title: "Сбой оплаты", keywords: ["оплата"], expectedRecoveryAt: "1999-01-01T00:00:00Z" },
      supervisor.authorization,
    );
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({
      code: "validation_failed",
      detail: "Ожидаемое время восстановления должно быть позже начала сбоя.",
    });
    const id = await declare({ title: "Сбой оплаты", keywords: ["оплата"] });
    const changed = await s.app.inject({
      method: "PATCH",
      url: `/api/v1/incidents/${id}`,
      headers: { authorization: supervisor.authorization },
      payload: { expectedRecoveryAt: "2000-01-01T00:00:00Z" },
    });
    expect(changed.statusCode).toBe(400);
    await resolve(id);
  });

  it("tells the form whether the typed text is about an incident, by the rules that link requests", async () => {
    const words = await declare({ title: "Не загружаются документы", keywords: ["загрузить документ"] });
    const limited = await declare({
      title: "Сбой электронной подписи",
      keywords: ["подпись"],
      categories: ["e_signature"],
    });

    const hit = await match({ text: "Не могу загрузить документы к заявлению, крутится и всё" });
    expect(hit.statusCode, hit.body).toBe(200);
    expect(ids(hit)).toEqual([words]);
    expect(Object.keys((hit.json() as object[])[0]!).sort()).toEqual([
      "expectedRecoveryAt",
      "id",
      "publicMessage",
      "since",
      "title",
    ]);
    expect(ids(await match({ text: "Как распечатать выписку из лицевого счёта?" }))).toEqual([]);
    // Limited to a category: the applicant's choice decides, as it would at registration.
    expect(ids(await match({ text: "Не работает подпись", category: "e_signature" }))).toEqual([limited]);
    expect(ids(await match({ text: "Не работает подпись", category: "complaint" }))).toEqual([]);

    // Bad input is a 400 with a reason, never a 500.
    expect((await match({ text: "" })).statusCode).toBe(400);
    expect((await match({ text: "подпись", category: "nonsense" })).statusCode).toBe(400);
    expect((await match({ text: "подпись", extra: 1 })).statusCode).toBe(400);
    const broken = await s.app.inject({
      method: "POST",
      url: "/api/v1/incidents/match",
      payload: "{не json",
      headers: { "content-type": "application/json" },
    });
    expect(broken.statusCode).toBe(400);

    await resolve(words);
    await resolve(limited);
    expect(ids(await match({ text: "Не могу загрузить документы к заявлению" }))).toEqual([]);
    expect(ids(await match({ text: "Не работает подпись", category: "e_signature" }))).toEqual([]);
  });

  it("is said in the IVR's greeting of the lines it concerns, and no longer once resolved", async () => {
    const main = "+78005553535";
    const business = directoryOf(s.ctx).lines.find((l) => l.published && !l.topics.includes("access"))!;
    expect(business).toBeDefined();

    const id = await declare({
      title: "Не открывается вход в личный кабинет",
      categories: ["access"],
      expectedRecoveryAt: "2030-01-15T12:00:00Z",
    });
    const told = await greeting(main);
    expect(told).toContain("Внимание: известен сбой. Не открывается вход в личный кабинет.");
    expect(told).toContain("Ожидаемое время восстановления: 15 января 2030 г. в 15:00 по московскому времени.");
    expect(told.indexOf("Здравствуйте")).toBeLessThan(told.indexOf("Внимание"));
    expect(await greeting(business.e164)).not.toContain("Внимание");

    await resolve(id);
    expect(await greeting(main)).not.toContain("Внимание");
  });

  it("is mentioned in the chatbot's first answer only", async () => {
    const id = await declare({
      title: "Не работает оплата госпошлины",
      publicMessage: "Оплата госпошлины временно не проходит, деньги не списываются.",
      keywords: ["оплата"],
    });
    const session = (
      await call("POST", "/chat/sessions", { contact: { name: "Анна", email: "anna@example.ru" } })
    ).json();
    const c = await ChatClient.open(`${s.url.replace("http", "ws")}/api/v1/chat/ws?token=${session.token}&since=0`);
    await c.waitFor((f) => f.t === "ready");
    const say = async (text: string) => {
      const mid = randomUUID();
      c.send({ t: "msg", id: mid, text });
      await c.waitFor((f) => f.t === "ack" && f.id === mid);
    };
    await say("Не приходит смс с кодом подтверждения на телефон");
    const first = await c.waitFor((f) => f.t === "msg" && f.author === "bot");
    expect(first.text).toMatch(/^Известен сбой\. Оплата госпошлины временно не проходит/);
    expect(first.text).toContain("Вот что может помочь:");
    await say("Не могу восстановить пароль от учётной записи");
    const second = await c.waitFor((f) => f.t === "msg" && f.author === "bot" && f !== first);
    expect(second.text).not.toContain("сбой");
    c.close();
    await resolve(id);
  });
});
