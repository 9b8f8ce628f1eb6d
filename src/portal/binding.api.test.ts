// Portal actions are bound to the caller verified on a call: the registry account the answers were checked
// against, on a call the employee may see, while the call lasts and shortly after. Each test is an attack.
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { portalAccounts } from "./db-schema.ts";
import { DEMO_ACCOUNTS } from "./registry-data.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let specialist: Awaited<ReturnType<TestServer["staff"]>>;
const [A, B, C] = DEMO_ACCOUNTS as [
  (typeof DEMO_ACCOUNTS)[0] & { phone: string; snils: string },
  (typeof DEMO_ACCOUNTS)[0] & { phone: string; snils: string },
  (typeof DEMO_ACCOUNTS)[0] & { phone: string; snils: string },
];

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET });
  operator = await s.staff("operator", { department: "first_line" });
  specialist = await s.staff("specialist", { department: "technical" });
});
afterAll(() => s?.close());
afterEach(() => vi.useRealTimers());

type Who = { authorization: string };
const as = (who: Who, method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  s.app.inject({ method, url, payload, headers: { authorization: who.authorization } });
const event = (payload: Record<string, unknown>) =>
  s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload });

async function answeredCall(id: string, from: string) {
  await event({ event: "newCall", callId: id, from, to: "88005553535", direction: "in", queue: "first_line" });
  const r = await event({ event: "answer", callId: id, user: operator.email });
  return r.json().callId as number;
}
const verify = (callId: number, answers: Record<string, string | boolean>, topic?: string) =>
  as(operator, "POST", `/api/v1/phone/calls/${callId}/verification`, { audience: "citizen", topic, answers });
const rightAnswers = (a: typeof A) => ({ full_name: a.fullName, identifier_digits: a.snils.slice(-4) });
const phoneOf = async (id: string) =>
  (await s.ctx.db.select().from(portalAccounts).where(eq(portalAccounts.id, id)))[0]!.phone;

describe("portal actions act only on the verified caller", () => {
  it("after verifying caller A, refuses every action on account C and acts on A", async () => {
    const callId = await answeredCall("bind-1", A.phone);
    const ok = await verify(callId, rightAnswers(A));
    expect(ok.json()).toMatchObject({ passed: true, account: { id: A.id, fullName: A.fullName } });

    const attacks = [
      as(operator, "PUT", `/api/v1/portal/accounts/${C.id}/phone`, { phone: "+79009990000", callId }),
      as(operator, "POST", `/api/v1/portal/accounts/${C.id}/unlock`, { callId }),
      as(operator, "POST", `/api/v1/portal/accounts/${C.id}/confirmation-code`, { callId }),
      as(operator, "POST", "/api/v1/portal/accounts/find", { phone: C.phone, callId }),
      // Application 1000000004 is C's.
      as(operator, "POST", "/api/v1/portal/applications/status", { number: "1000000004", callId }),
    ];
    for (const res of await Promise.all(attacks)) {
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe("portal_account_not_verified");
    }
    expect(await phoneOf(C.id)).toBe(C.phone);

    const own = await as(operator, "POST", "/api/v1/portal/applications/status", { number: "1000000001", callId });
    expect(own.json()).toMatchObject({ number: "1000000001", status: "in_processing" });
    const found = await as(operator, "POST", "/api/v1/portal/accounts/find", { phone: A.phone, callId });
    expect(found.json().account).toMatchObject({ id: A.id, fullName: A.fullName });
    const changed = await as(operator, "PUT", `/api/v1/portal/accounts/${A.id}/phone`, {
      phone: "+79001234500",
      callId,
    });
    expect(changed.json()).toEqual({ changed: true });
    expect(await phoneOf(A.id)).toBe("+79001234500");
    // Back as it was, for the tests below.
    await as(operator, "PUT", `/api/v1/portal/accounts/${A.id}/phone`, { phone: A.phone, callId });
  });

  it("a verification on one call does not open another call", async () => {
    const first = await answeredCall("bind-2a", B.phone);
    expect((await verify(first, rightAnswers(B))).json().passed).toBe(true);
    const second = await answeredCall("bind-2b", "+79005550101");
    const res = await as(operator, "POST", `/api/v1/portal/accounts/${B.id}/unlock`, { callId: second });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe("verification_required");
  });

  it("refuses a specialist who may not see the call, as its screen does", async () => {
    const callId = await answeredCall("bind-3", B.phone);
    expect((await verify(callId, rightAnswers(B))).json().passed).toBe(true);
    expect((await as(specialist, "GET", `/api/v1/phone/calls/${callId}/screen`)).statusCode).toBe(404);
    const unlock = await as(specialist, "POST", `/api/v1/portal/accounts/${B.id}/unlock`, { callId });
    expect(unlock.statusCode).toBe(404);
    const status = await as(specialist, "POST", "/api/v1/portal/applications/status", {
      number: "1000000003",
      callId,
    });
    expect(status.statusCode).toBe(404);
    const own = await s.ctx.db.select().from(portalAccounts).where(eq(portalAccounts.id, B.id));
    expect(own[0]!.locked).toBe(true);
  });

  it("refuses actions once the call has ended more than the window ago", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = new Date("2026-11-25T09:00:00Z");
    vi.setSystemTime(t0);
    const callId = await answeredCall("bind-4", A.phone);
    expect((await verify(callId, rightAnswers(A))).json().passed).toBe(true);
    vi.setSystemTime(new Date(t0.getTime() + 3 * 60_000));
    await event({ event: "hangup", callId: "bind-4", cause: "normalClearing" });
    // Within the window after the hangup: allowed.
    vi.setSystemTime(new Date(t0.getTime() + 10 * 60_000));
    const inWindow = await as(operator, "POST", `/api/v1/portal/accounts/${A.id}/confirmation-code`, { callId });
    expect(inWindow.statusCode).toBe(200);
    vi.setSystemTime(new Date(t0.getTime() + 3 * 60_000 + 16 * 60_000));
    const late = await as(operator, "POST", `/api/v1/portal/accounts/${A.id}/confirmation-code`, { callId });
    expect(late.statusCode).toBe(403);
    expect(late.json().code).toBe("call_window_closed");
    const again = await verify(callId, rightAnswers(A));
    expect(again.json().code).toBe("call_window_closed");
  });

  it("a call never hung up closes its window too", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = new Date("2026-11-26T09:00:00Z");
    vi.setSystemTime(t0);
    const callId = await answeredCall("bind-5", A.phone);
    expect((await verify(callId, rightAnswers(A))).json().passed).toBe(true);
    vi.setSystemTime(new Date(t0.getTime() + 3 * 3600_000));
    const late = await as(operator, "POST", `/api/v1/portal/accounts/${A.id}/unlock`, { callId });
    expect(late.json().code).toBe("call_window_closed");
  });
});

describe("verification checks the caller's answers against the registry", () => {
  it("refuses wrong last four digits of СНИЛС (1234 for a СНИЛС ending otherwise)", async () => {
    expect(A.snils.slice(-4)).not.toBe("1234");
    const callId = await answeredCall("reg-1", A.phone);
    const res = await verify(callId, { full_name: A.fullName, identifier_digits: "1234" });
    expect(res.json()).toMatchObject({ passed: false, items: { identifier_digits: "mismatch", full_name: "match" } });
    const act = await as(operator, "POST", "/api/v1/portal/applications/status", { number: "1000000001", callId });
    expect(act.json().code).toBe("verification_required");
  });

  it("refuses a wrong full name and a phone that is not the account's", async () => {
    const callId = await answeredCall("reg-2", A.phone);
    const name = await verify(callId, { full_name: B.fullName, identifier_digits: A.snils.slice(-4) });
    expect(name.json()).toMatchObject({ passed: false, items: { full_name: "mismatch" } });
    // The caller names a profile phone that is not A's: no account of A is checked.
    const phone = await verify(callId, { ...rightAnswers(A), phone_in_profile: C.phone });
    expect(phone.json()).toMatchObject({ passed: false, items: { phone_in_profile: "match", full_name: "mismatch" } });
    expect(phone.json().account).toBeNull();
  });

  it("refuses an invalid optional СНИЛС, and a valid СНИЛС of someone else", async () => {
    const callId = await answeredCall("reg-3", A.phone);
    // The same nine digits with other check digits: the checksum fails.
    const bad = A.snils.slice(0, 9) + String((Number(A.snils.slice(9)) + 1) % 100).padStart(2, "0");
    const invalid = await verify(callId, { ...rightAnswers(A), snils: bad });
    expect(invalid.json()).toMatchObject({ passed: false, items: { snils: "invalid" } });
    const other = await verify(callId, { ...rightAnswers(A), snils: B.snils });
    expect(other.json().passed).toBe(false);
    const right = await verify(callId, { ...rightAnswers(A), snils: A.snils });
    expect(right.json()).toMatchObject({ passed: true, items: { snils: "match" } });
  });

  it("records which items held, never the values typed", async () => {
    const callId = await answeredCall("reg-4", A.phone);
    await verify(callId, rightAnswers(A));
    const screen = await as(operator, "GET", `/api/v1/phone/calls/${callId}/screen`);
    const v = screen.json().verification;
    expect(v).toMatchObject({
      passed: true,
      accountId: A.id,
      items: { full_name: "match", identifier_digits: "match" },
    });
    const stored = JSON.stringify(v);
    expect(stored).not.toContain(A.snils.slice(-4));
    expect(stored).not.toContain("Иванов");
  });

  it("checks that the application named belongs to the account", async () => {
    const callId = await answeredCall("reg-5", A.phone);
    const other = await verify(callId, { ...rightAnswers(A), application: "1000000004" }, "application_status");
    expect(other.json()).toMatchObject({ passed: false, items: { application: "mismatch" } });
    const own = await verify(callId, { ...rightAnswers(A), application: "1000000002" }, "application_status");
    expect(own.json()).toMatchObject({ passed: true, items: { application: "match" } });
  });

  it("stops guessing after five failed verifications of a call", async () => {
    const callId = await answeredCall("reg-6", A.phone);
    for (let i = 0; i < 5; i++) {
      const r = await verify(callId, { full_name: A.fullName, identifier_digits: String(1000 + i) });
      expect(r.json().passed).toBe(false);
    }
    const last = await verify(callId, rightAnswers(A));
    expect(last.statusCode).toBe(429);
    expect(last.json().code).toBe("verification_attempts_exhausted");
  });
});
