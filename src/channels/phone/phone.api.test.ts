import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { signBody } from "./auth.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;
let n = 0;

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET, callbackWindowMinutes: 30 });
  operator = await s.staff("operator", { department: "first_line" });
  supervisor = await s.staff("supervisor");
});
afterAll(() => s?.close());

const post = (payload: Record<string, unknown>) =>
  s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload });
const nextCaller = () =>
  `8 (900) 555-${String(1000 + ++n)
    .slice(-4)
    .replace(/(\d\d)(\d\d)/, "$1-$2")}`;
const e164Of = (written: string) => `+7${written.replace(/\D/g, "").slice(1)}`;

describe("authentication", () => {
  it("refuses events without the secret, with a wrong one or a bad signature", async () => {
    const body = { event: "newCall", callId: "auth-1", from: "89001234567", to: "88005553535", direction: "in" };
    const none = await s.app.inject({ method: "POST", url: "/api/v1/phone/events", payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe("phone_unauthenticated");
    const wrong = await s.app.inject({ method: "POST", url: "/api/v1/phone/events/not-the-secret", payload: body });
    expect(wrong.statusCode).toBe(401);
    const raw = JSON.stringify(body);
    const badSig = await s.app.inject({
      method: "POST",
      url: "/api/v1/phone/events",
      payload: raw,
      headers: { "content-type": "application/json", "x-otklik-signature": signBody("another-secret-xxxxxxxx", raw) },
    });
    expect(badSig.statusCode).toBe(401);
  });

  it("accepts an HMAC-signed JSON body and a form-encoded body with the secret in the path", async () => {
    const raw = JSON.stringify({
      event: "newCall",
      callId: "auth-2",
      from: "89001234567",
      to: "88005553535",
      direction: "in",
    });
    const signed = await s.app.inject({
      method: "POST",
      url: "/api/v1/phone/events",
      payload: raw,
      headers: { "content-type": "application/json", "x-otklik-signature": signBody(SECRET, raw) },
    });
    expect(signed.statusCode).toBe(200);
    expect(signed.json()).toMatchObject({ state: "ringing", duplicate: false });
    const form = await s.app.inject({
      method: "POST",
      url: `/api/v1/phone/events/${SECRET}`,
      payload: "event=hangup&callId=auth-2&from=89001234567&to=88005553535&direction=in&cause=cancel",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.statusCode).toBe(200);
    expect(form.json()).toMatchObject({ state: "abandoned", applied: true });
  });

  it("answers a clear error for an unknown event", async () => {
    const res = await post({ event: "transfer", callId: "x" });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("phone_event_unknown");
  });
});

// Every order in which three events can arrive, each sent twice: the log ends the same way.
const ORDERS = [
  ["newCall", "answer", "hangup"],
  ["newCall", "hangup", "answer"],
  ["answer", "newCall", "hangup"],
  ["answer", "hangup", "newCall"],
  ["hangup", "newCall", "answer"],
  ["hangup", "answer", "newCall"],
];

describe("events in every order, repeated", () => {
  for (const order of ORDERS) {
    const expected = order.indexOf("hangup") < order.indexOf("answer") ? "abandoned" : "ended";
    it(`${order.join(" → ")} ends ${expected}`, async () => {
      const callId = `order-${order.join("-")}`;
      const from = nextCaller();
      let last: { state: string; callId: number } | undefined;
      for (const event of order) {
        const body = {
          event,
          callId,
          from,
          to: "8 800 555-35-35",
          direction: "in",
          user: operator.email,
          queue: "first_line",
        };
        const first = await post(body);
        expect(first.statusCode).toBe(200);
        const again = await post(body);
        expect(again.json().duplicate).toBe(true);
        last = first.json();
      }
      expect(last!.state).toBe(expected);
      const screen = await s.app.inject({
        method: "GET",
        url: `/api/v1/phone/calls/${last!.callId}/screen`,
        headers: { authorization: supervisor.authorization },
      });
      expect(screen.statusCode).toBe(200);
      const body = screen.json();
      expect(body.call.state).toBe(expected);
      expect(body.caller.phone).toBe(e164Of(from));
      expect(body.line).toMatchObject({ id: "federal-main" });
      // Only an answered call becomes a request; an abandoned one stays in the log alone.
      if (expected === "ended") {
        expect(body.request?.number).toMatch(/^\d+$/);
        const log = await s.app.inject({
          method: "GET",
          url: `/api/v1/phone/calls?request=${body.request.number}`,
          headers: { authorization: supervisor.authorization },
        });
        expect(log.json()).toHaveLength(1);
        const req = await s.app.inject({
          method: "GET",
          url: `/api/v1/requests/${body.request.number}`,
          headers: { authorization: supervisor.authorization },
        });
        expect(req.json().channel).toBe("phone");
        // Whichever event brought the caller's number, the request has it.
        expect(req.json().contact.phone).toMatch(new RegExp(`^\\+7.*${e164Of(from).slice(-4)}$`));
      } else expect(body.request).toBeNull();
    });
  }
});

describe("the applicant's requests", () => {
  it("a call from an applicant's phone joins their open request and shows it on the screen", async () => {
    const phone = nextCaller();
    const web = await s.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не приходит код подтверждения", contact: { name: "Мария", phone } },
    });
    const number = web.json().number;
    const ring = await post({ event: "newCall", callId: "join-1", from: phone, to: "88005553535", direction: "in" });
    const screen = await s.app.inject({
      method: "GET",
      url: `/api/v1/phone/calls/${ring.json().callId}/screen`,
      headers: { authorization: operator.authorization },
    });
    expect(screen.json()).toMatchObject({
      caller: { name: "Мария" },
      request: { number },
      openRequests: [{ number }],
      call: { continued: false },
    });
  });

  it("a caller ringing back after a dropped call continues the same request", async () => {
    const phone = nextCaller();
    await post({ event: "newCall", callId: "drop-1", from: phone, to: "88005553535", direction: "in" });
    const answered = await post({ event: "answer", callId: "drop-1", user: operator.email });
    await post({ event: "hangup", callId: "drop-1", cause: "networkError" });
    const back = await post({ event: "newCall", callId: "drop-2", from: phone, to: "88005553535", direction: "in" });
    const screen = await s.app.inject({
      method: "GET",
      url: `/api/v1/phone/calls/${back.json().callId}/screen`,
      headers: { authorization: operator.authorization },
    });
    const first = await s.app.inject({
      method: "GET",
      url: `/api/v1/phone/calls/${answered.json().callId}/screen`,
      headers: { authorization: operator.authorization },
    });
    expect(screen.json().call.continued).toBe(true);
    expect(screen.json().request.number).toBe(first.json().request.number);
    expect(screen.json().recentCalls[0]).toMatchObject({ id: answered.json().callId, state: "ended" });
  });
});

describe("who sees a call", () => {
  it("an operator of another queue's department does not, the one who answered does", async () => {
    const tech = await s.staff("operator", { department: "technical" });
    const ring = await post({
      event: "newCall",
      callId: "scope-1",
      from: nextCaller(),
      to: "88005553535",
      queue: "first_line",
    });
    const id = ring.json().callId;
    const url = `/api/v1/phone/calls/${id}/screen`;
    expect(
      (await s.app.inject({ method: "GET", url, headers: { authorization: tech.authorization } })).statusCode,
    ).toBe(404);
    expect(
      (await s.app.inject({ method: "GET", url, headers: { authorization: operator.authorization } })).statusCode,
    ).toBe(200);
    await post({ event: "answer", callId: "scope-1", user: tech.email });
    expect(
      (await s.app.inject({ method: "GET", url, headers: { authorization: tech.authorization } })).statusCode,
    ).toBe(200);
  });
});
