// Every field of a call event and of an IVR request is bounded by the route's schema, whatever the content type:
// an oversized field is refused with 400 before any work, a maximal valid event is handled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { signBody } from "./auth.ts";
import { EVENT_LIMITS, IVR_LIMITS } from "./limits.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET });
  operator = await s.staff("operator", { department: "first_line" });
});
afterAll(() => s?.close());

const json = (payload: unknown) =>
  s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload: payload as object });
const form = (url: string, params: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) body.append(k, one);
  return s.app.inject({
    method: "POST",
    url,
    payload: body.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
};
const base = { event: "newCall", callId: "b-1", from: "89001234567", to: "88005553535" };
const big = (n: number) => "9".repeat(n);

describe("call events are bounded", () => {
  it.each([
    ["from", EVENT_LIMITS.number],
    ["to", EVENT_LIMITS.number],
    ["queue", EVENT_LIMITS.queue],
    ["cause", EVENT_LIMITS.cause],
    ["answeringNumber", EVENT_LIMITS.number],
    ["user", EVENT_LIMITS.user],
    ["callId", EVENT_LIMITS.callId],
    ["event", EVENT_LIMITS.event],
  ] as const)("refuses %s longer than its bound, as JSON and as a form", async (field, limit) => {
    for (const send of [
      (p: Record<string, string>) => json(p),
      (p: Record<string, string>) => form(`/api/v1/phone/events/${SECRET}`, p),
    ]) {
      const res = await send({ ...base, [field]: big(limit + 1) });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("validation_failed");
      expect(res.json().errors[0].field).toBe(field);
    }
  });

  it("refuses the 900 KB fields of the attack", async () => {
    for (const field of ["from", "queue", "cause"]) {
      const res = await json({ ...base, [field]: "x".repeat(900_000) });
      expect([400, 413]).toContain(res.statusCode);
      expect(["validation_failed", "payload_too_large"]).toContain(res.json().code);
    }
  });

  it("refuses an answer naming more users than the bound, as a JSON array and as repeated form fields", async () => {
    const users = Array.from({ length: EVENT_LIMITS.users + 1 }, (_, i) => `op${i}@otklik.test`);
    const a = await json({ event: "answer", callId: "b-2", user: users });
    expect(a.statusCode).toBe(400);
    expect(a.json().code).toBe("validation_failed");
    const b = await form(`/api/v1/phone/events/${SECRET}`, { event: "answer", callId: "b-2", "user[]": users });
    expect(b.statusCode).toBe(400);
    const c = await form(`/api/v1/phone/events/${SECRET}`, { event: "answer", callId: "b-2", user: users });
    expect(c.statusCode).toBe(400);
    // Nothing of the refused event was kept.
    const again = await json({ event: "answer", callId: "b-2", user: operator.email });
    expect(again.json()).toMatchObject({ duplicate: false, state: "answered" });
  });

  it("refuses unknown fields too long, nested or too many", async () => {
    expect((await json({ ...base, vars: { a: "1" } })).statusCode).toBe(400);
    const extra = await json({ ...base, uniqueid: "x".repeat(EVENT_LIMITS.extra + 1) });
    expect(extra.statusCode).toBe(400);
    const many = Object.fromEntries(Array.from({ length: EVENT_LIMITS.fields + 1 }, (_, i) => [`f${i}`, "1"]));
    expect((await json({ ...base, ...many })).statusCode).toBe(400);
  });

  it("refuses a body over the event size limit, signed or not, before reading it whole", async () => {
    const raw = JSON.stringify({ ...base, pad: "x".repeat(EVENT_LIMITS.bodyBytes) });
    const signed = await s.app.inject({
      method: "POST",
      url: "/api/v1/phone/events",
      payload: raw,
      headers: { "content-type": "application/json", "x-otklik-signature": signBody(SECRET, raw) },
    });
    expect(signed.statusCode).toBe(413);
    expect(signed.json().code).toBe("payload_too_large");
    const inPath = await json(JSON.parse(raw));
    expect(inPath.statusCode).toBe(413);
  });

  it("handles a maximal valid answer: every field at its bound, the most users, the right one last", async () => {
    const users = Array.from({ length: EVENT_LIMITS.users - 1 }, (_, i) =>
      `${i}`.padEnd(EVENT_LIMITS.user - 12, "u").concat("@otklik.test"),
    );
    users.push(operator.email);
    const extra = Object.fromEntries(
      Array.from({ length: EVENT_LIMITS.fields - 10 }, (_, i) => [`x${i}`, "x".repeat(EVENT_LIMITS.extra)]),
    );
    const res = await json({
      ...extra,
      event: "answer",
      callId: "c".repeat(EVENT_LIMITS.callId),
      from: `+7 (900) 123-45-67${" ".repeat(EVENT_LIMITS.number - 18)}`,
      to: "8".repeat(EVENT_LIMITS.number),
      direction: "in",
      user: users,
      queue: "q".repeat(EVENT_LIMITS.queue),
      answeringNumber: "1".repeat(EVENT_LIMITS.number),
      cause: "c".repeat(EVENT_LIMITS.cause),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: "answered", applied: true });
    const calls = await s.app.inject({
      method: "GET",
      url: `/api/v1/phone/calls/${res.json().callId}/screen`,
      headers: { authorization: operator.authorization },
    });
    expect(calls.json().call.answeredBy).toBe(operator.id);
  });
});

describe("IVR requests are bounded", () => {
  const IVR = `/api/v1/phone/ivr/${SECRET}`;
  const params = { CallSid: "CA1", From: "+79001234567", To: "+78005553535" };

  it.each([
    ["From", IVR_LIMITS.number],
    ["To", IVR_LIMITS.number],
    ["CallSid", IVR_LIMITS.callSid],
    ["Digits", IVR_LIMITS.digits],
  ] as const)("refuses %s longer than its bound", async (field, limit) => {
    const res = await form(IVR, { ...params, [field]: big(limit + 1) });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("validation_failed");
    expect(res.json().errors[0].field).toBe(field);
  });

  it("refuses unknown parameters too long or too many, and a body over the limit", async () => {
    expect((await form(IVR, { ...params, CallerCity: "x".repeat(IVR_LIMITS.extra + 1) })).statusCode).toBe(400);
    const many = Object.fromEntries(Array.from({ length: IVR_LIMITS.fields + 1 }, (_, i) => [`P${i}`, "1"]));
    expect((await form(IVR, { ...params, ...many })).statusCode).toBe(400);
    const huge = await form(IVR, { ...params, From: "x".repeat(IVR_LIMITS.bodyBytes) });
    expect(huge.statusCode).toBe(413);
  });

  it("answers a request with every parameter at its bound", async () => {
    const extra = Object.fromEntries(
      Array.from({ length: IVR_LIMITS.fields - 4 }, (_, i) => [`P${i}`, "x".repeat(IVR_LIMITS.extra)]),
    );
    const res = await form(IVR, {
      ...extra,
      CallSid: "C".repeat(IVR_LIMITS.callSid),
      From: "+79001234567".padEnd(IVR_LIMITS.number, " "),
      To: "+78005553535",
      Digits: "1".repeat(IVR_LIMITS.digits),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("<Response>");
  });
});
