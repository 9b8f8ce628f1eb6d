// The operator's verification and the portal actions behind it, over real HTTP; the HTTP connector against a
// small portal served by this test.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { innCheckDigits, ogrnCheckDigit } from "../verification/identifiers.ts";
import { DEMO_ACCOUNTS } from "./registry-data.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let admin: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET });
  operator = await s.staff("operator", { department: "first_line" });
  admin = await s.staff("administrator");
});
afterAll(() => s?.close());

const as = (who: { authorization: string }, method: "GET" | "POST" | "PUT", url: string, payload?: object) =>
  s.app.inject({ method, url, payload, headers: { authorization: who.authorization } });
const event = (payload: Record<string, unknown>) =>
  s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload });

const inn10 = `770708389`;
const validInn10 = inn10 + innCheckDigits(inn10);
const ogrnBody = "102770013219";
const validOgrn = ogrnBody + ogrnCheckDigit(ogrnBody);

async function answeredCall(id: string, from: string, to = "88005553535") {
  await event({ event: "newCall", callId: id, from, to, direction: "in", queue: "first_line" });
  const r = await event({ event: "answer", callId: id, user: operator.email });
  return r.json().callId as number;
}

describe("verification before personal data", () => {
  it("refuses portal actions until the caller is verified, then allows and audits them", async () => {
    const account = DEMO_ACCOUNTS[1]!;
    const callId = await answeredCall("verify-1", account.phone!);

    const refused = await as(operator, "POST", "/api/v1/portal/accounts/find", { phone: account.phone, callId });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("verification_required");

    const screen = await as(operator, "GET", `/api/v1/phone/calls/${callId}/screen`);
    expect(screen.json().checklist.map((i: { code: string }) => i.code)).toEqual([
      "phone_in_profile",
      "full_name",
      "identifier_digits",
      "snils",
    ]);

    const partial = await as(operator, "POST", `/api/v1/phone/calls/${callId}/verification`, {
      audience: "citizen",
      answers: { full_name: account.fullName, identifier_digits: "12a4" },
    });
    expect(partial.json()).toMatchObject({ passed: false, items: { identifier_digits: "invalid" } });
    expect(
      (await as(operator, "POST", "/api/v1/portal/accounts/find", { phone: account.phone, callId })).statusCode,
    ).toBe(403);

    // The operator types what the caller says; the server compares it with the account.
    const ok = await as(operator, "POST", `/api/v1/phone/calls/${callId}/verification`, {
      audience: "citizen",
      answers: { full_name: account.fullName, identifier_digits: account.snils!.slice(-4) },
    });
    expect(ok.json()).toMatchObject({
      passed: true,
      items: { phone_in_profile: "match", full_name: "match", identifier_digits: "match" },
      account: { id: account.id },
    });

    const found = await as(operator, "POST", "/api/v1/portal/accounts/find", { phone: account.phone, callId });
    expect(found.statusCode).toBe(200);
    expect(found.json().account).toMatchObject({ id: account.id, locked: true });
    expect(found.json().account.snilsMasked).toMatch(/^\*+\d{4}$/);

    const unlock = await as(operator, "POST", `/api/v1/portal/accounts/${account.id}/unlock`, { callId });
    expect(unlock.json()).toEqual({ wasLocked: true });
    const code = await as(operator, "POST", `/api/v1/portal/accounts/${account.id}/confirmation-code`, { callId });
    expect(code.json()).toEqual({ sent: true });
    const phone = await as(operator, "PUT", `/api/v1/portal/accounts/${account.id}/phone`, {
      phone: "8 900 765-43-22",
      callId,
    });
    expect(phone.json()).toEqual({ changed: true });
    const status = await as(operator, "POST", "/api/v1/portal/applications/status", { number: "1000000003", callId });
    expect(status.json()).toMatchObject({ status: "rejected", statusTitle: "отклонено" });

    const verified = await as(operator, "GET", `/api/v1/phone/calls/${callId}/screen`);
    expect(verified.json().verification).toMatchObject({ passed: true, by: expect.any(String) });
    // The values typed are not kept, only how each item was checked.
    expect(JSON.stringify(verified.json().verification)).not.toContain(account.snils!.slice(-4));

    const log = await as(admin, "GET", "/api/v1/portal/audit?limit=20");
    const actions = log.json().map((r: { action: string; outcome: string }) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        "find_account_by_phone:refused_unverified",
        "verify_caller:failed",
        "verify_caller:passed",
        "find_account_by_phone:ok",
        "unlock_account:ok",
        "resend_code:ok",
        "change_phone:ok",
        "application_status:ok",
      ]),
    );
    expect(log.json().every((r: { userId: number | null }) => r.userId === operator.id)).toBe(true);
  });

  it("checks an organisation's ИНН and ОГРН by their checksums as typed", async () => {
    const callId = await answeredCall("verify-org", "89001110000", "88005552222");
    const screen = await as(operator, "GET", `/api/v1/phone/calls/${callId}/screen`);
    expect(screen.json().line.id).toBe("legal-entities");
    const bad = await as(operator, "POST", `/api/v1/phone/calls/${callId}/verification`, {
      audience: "legal_entity",
      answers: { full_name: true, inn_legal: `${inn10}${(Number(innCheckDigits(inn10)) + 1) % 10}`, ogrn: validOgrn },
    });
    expect(bad.json()).toMatchObject({ passed: false, items: { inn_legal: "invalid", ogrn: "valid" } });
    expect(bad.json().problems[0].message).toMatch(/Контрольная цифра/);
    const good = await as(operator, "POST", `/api/v1/phone/calls/${callId}/verification`, {
      audience: "legal_entity",
      answers: { full_name: true, inn_legal: validInn10, ogrn: validOgrn },
    });
    expect(good.json().passed).toBe(true);
  });

  it("imports accounts and applications, refusing a bad СНИЛС", async () => {
    const bad = await as(admin, "POST", "/api/v1/admin/portal/import", {
      accounts: [{ id: "x-1", fullName: "Тест", snils: "112-233-445 00" }],
    });
    expect(bad.statusCode).toBe(400);
    const ok = await as(admin, "POST", "/api/v1/admin/portal/import", {
      accounts: [{ id: "x-2", fullName: "Тест Тестов", phone: "8 900 000-00-01" }],
      applications: [
        {
          number: "2000000001",
          accountId: "x-2",
          service: "Справка",
          status: "approved",
          submittedAt: "2026-11-01T10:00:00Z",
        },
      ],
    });
    expect(ok.json()).toEqual({ accounts: 1, applications: 1 });
    expect((await as(operator, "POST", "/api/v1/admin/portal/import", {})).statusCode).toBe(403);
  });
});

const HTTP_ACCOUNT = { id: "acc-1", fullName: "Тестов Тест Тестович", phone: "+79002223344", snils: "11223344595" };

describe("the HTTP connector", () => {
  let portal: Server;
  let s2: TestServer;
  const seen: string[] = [];
  beforeAll(async () => {
    portal = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.setHeader("content-type", "application/json");
      const application = (number: string, accountId?: string) =>
        JSON.stringify({
          number,
          accountId,
          service: "Паспорт",
          status: "approved",
          submittedAt: "2026-11-01T00:00:00Z",
        });
      if (req.url === `/api/accounts?phone=${encodeURIComponent("+79002223344")}`) {
        res.end(JSON.stringify({ ...HTTP_ACCOUNT, locked: true }));
      } else if (req.url === "/api/applications/555") {
        res.end(application("555", HTTP_ACCOUNT.id));
      } else if (req.url === "/api/applications/557") {
        // A portal that does not say whose the application is.
        res.end(application("557"));
      } else if (req.url?.startsWith("/api/accounts/acc-1/unlock")) {
        res.statusCode = 503;
        res.end("{}");
      } else {
        res.statusCode = 404;
        res.end("{}");
      }
    });
    await new Promise<void>((r) => portal.listen(0, "127.0.0.1", r));
    const port = (portal.address() as AddressInfo).port;
    s2 = await createTestServer({
      phoneSecret: SECRET,
      portalUrl: `http://127.0.0.1:${port}/api`,
      portalToken: "portal-token",
    });
  });
  afterAll(async () => {
    await s2?.close();
    portal?.close();
  });

  it("asks the portal, maps its failures, and audits through the same gate", async () => {
    const op = await s2.staff("operator", { department: "first_line" });
    await s2.app.inject({
      method: "POST",
      url: `/api/v1/phone/events/${SECRET}`,
      payload: { event: "answer", callId: "http-1", from: "89002223344", to: "88005553535", user: op.email },
    });
    const callId = 1;
    const h = { authorization: op.authorization };
    const verified = await s2.app.inject({
      method: "POST",
      url: `/api/v1/phone/calls/${callId}/verification`,
      headers: h,
      payload: { audience: "citizen", answers: { full_name: HTTP_ACCOUNT.fullName, identifier_digits: "4595" } },
    });
    expect(verified.json()).toMatchObject({ passed: true, account: { id: "acc-1", snilsMasked: "*******4595" } });
    const status = await s2.app.inject({
      method: "POST",
      url: "/api/v1/portal/applications/status",
      headers: h,
      payload: { number: "555", callId },
    });
    expect(status.json()).toMatchObject({ status: "approved", statusTitle: "одобрено" });
    const missing = await s2.app.inject({
      method: "POST",
      url: "/api/v1/portal/applications/status",
      headers: h,
      payload: { number: "556", callId },
    });
    expect(missing.statusCode).toBe(404);
    const ownerless = await s2.app.inject({
      method: "POST",
      url: "/api/v1/portal/applications/status",
      headers: h,
      payload: { number: "557", callId },
    });
    expect(ownerless.json().code).toBe("portal_account_not_verified");
    const down = await s2.app.inject({
      method: "POST",
      url: "/api/v1/portal/accounts/acc-1/unlock",
      headers: h,
      payload: { callId },
    });
    expect(down.statusCode).toBe(502);
    expect(down.json().code).toBe("portal_unavailable");
    expect(seen).toContain("GET /api/applications/555 Bearer portal-token");
  });
});
