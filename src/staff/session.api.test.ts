import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../../test/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

function cookieOf(res: { headers: Record<string, unknown> }) {
  const raw = String(res.headers["set-cookie"]);
  return raw.split(";")[0]!;
}

describe("staff sessions", () => {
  it("sets an httpOnly SameSite=Strict cookie and refuses state changes without the CSRF token", async () => {
    const bad = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "admin@otklik.local", password: "wrong-password-1" },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe("invalid_credentials");

    const login = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "ADMIN@otklik.local", password: TEST_ADMIN_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(login);
    const { csrfToken, user } = login.json();
    expect(user.role).toBe("administrator");

    const me = await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(me.json().csrfToken).toBe(csrfToken);

    const created = (
      await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: { text: "Вопрос для проверки CSRF" },
      })
    ).json();
    const url = `/api/v1/requests/${created.number}/messages`;
    const payload = { body: "Ответ", visibility: "note" };
    const noToken = await s.app.inject({ method: "POST", url, headers: { cookie }, payload });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().code).toBe("csrf_failed");
    const wrong = await s.app.inject({
      method: "POST",
      url,
      headers: { cookie, "x-csrf-token": "forged" },
      payload,
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await s.app.inject({
      method: "POST",
      url,
      headers: { cookie, "x-csrf-token": csrfToken },
      payload,
    });
    expect(ok.statusCode).toBe(200);

    const out = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    expect(out.statusCode).toBe(204);
    const after = await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it("administrators create accounts; weak passwords and unknown roles are refused", async () => {
    const admin = await s.staff("administrator");
    const h = { authorization: admin.authorization };
    const weak = await s.app.inject({
      method: "POST",
      url: "/api/v1/admin/users",
      headers: h,
      payload: { email: "x@otklik.test", name: "X", role: "operator", password: "onlyletters" },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe("weak_password");
    const ok = await s.app.inject({
      method: "POST",
      url: "/api/v1/admin/users",
      headers: h,
      payload: {
        email: "op@otklik.test",
        name: "Оператор",
        role: "operator",
        password: "operator-pass-1",
        department: "first_line",
      },
    });
    expect(ok.statusCode).toBe(201);
    const dup = await s.app.inject({
      method: "POST",
      url: "/api/v1/admin/users",
      headers: h,
      payload: { email: "OP@otklik.test", name: "Оператор", role: "operator", password: "operator-pass-1" },
    });
    expect(dup.statusCode).toBe(409);
    const login = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "op@otklik.test", password: "operator-pass-1" },
    });
    expect(login.json().user).toMatchObject({ role: "operator", name: "Оператор" });
  });
});

describe("sign-in protection", () => {
  it("locks an account after repeated wrong passwords, with a growing back-off", async () => {
    const { lockoutMinutes } = await import("./service.ts");
    expect([1, 4, 5, 6, 7, 10, 30].map(lockoutMinutes)).toEqual([0, 0, 1, 2, 4, 32, 60]);
    const who = await s.staff("operator", { email: "locked@otklik.test" });
    expect(who.id).toBeGreaterThan(0);
    const attempt = (password: string) =>
      s.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { email: "locked@otklik.test", password } });
    for (let i = 0; i < 5; i++) expect((await attempt("wrong-password-1")).statusCode).toBe(401);
    const locked = await attempt("staff-password-1");
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe("account_locked");
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("a password change ends the other sessions; the second factor is required once enabled", async () => {
    await s.staff("operator", { email: "twofa@otklik.test" });
    const login = (extra: Record<string, string> = {}, password = "staff-password-1") =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: "twofa@otklik.test", password, ...extra },
      });
    const a = await login();
    const b = await login();
    const cookieA = cookieOf(a);
    const cookieB = cookieOf(b);
    const csrfA = a.json().csrfToken;

    const { currentTotp } = await import("./totp.ts");
    const setup = (
      await s.app.inject({
        method: "POST",
        url: "/api/v1/auth/totp/setup",
        headers: { cookie: cookieA, "x-csrf-token": csrfA },
        payload: { password: "staff-password-1" },
      })
    ).json();
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\//);
    const bad = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/totp/enable",
      headers: { cookie: cookieA, "x-csrf-token": csrfA },
      payload: { code: "000000" },
    });
    expect(bad.statusCode).toBe(401);
    const ok = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/totp/enable",
      headers: { cookie: cookieA, "x-csrf-token": csrfA },
      payload: { code: currentTotp(setup.secret) },
    });
    expect(ok.statusCode).toBe(204);
    expect((await login()).json().code).toBe("totp_required");
    expect((await login({ totp: "123456" })).statusCode).toBe(401);
    // The code that confirmed the enrolment is spent: the next one signs in.
    expect((await login({ totp: currentTotp(setup.secret, Date.now() + 30_000) })).statusCode).toBe(200);

    const change = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/password",
      headers: { cookie: cookieA, "x-csrf-token": csrfA },
      payload: { current: "staff-password-1", next: "a-new-password-2" },
    });
    expect(change.statusCode).toBe(204);
    expect(
      (await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: cookieB } })).statusCode,
    ).toBe(401);
    expect(
      (await s.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: cookieA } })).statusCode,
    ).toBe(200);
  });
});
