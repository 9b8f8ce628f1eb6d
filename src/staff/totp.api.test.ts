// The second factor: the secret is made by the server, setting it up, replacing or removing it needs the current
// password, wrong codes lock like wrong passwords (counted atomically), and a code is accepted once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { currentTotp, newTotpSecret } from "./totp.ts";

const PASSWORD = "staff-password-1";
const NEXT_STEP = 30_000;

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

let ip = 0;
const from = () => `10.10.${Math.floor(++ip / 250)}.${ip % 250}`;

function login(email: string, extra: Record<string, string> = {}, password = PASSWORD) {
  return s.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    remoteAddress: from(),
    payload: { email, password, ...extra },
  });
}

/** A signed-in console session of a new employee. */
async function session(email: string) {
  await s.staff("operator", { email });
  const res = await login(email);
  expect(res.statusCode, res.body).toBe(200);
  const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
  const headers = { cookie, "x-csrf-token": res.json().csrfToken as string };
  const post = (url: string, payload?: object) =>
    s.app.inject({ method: "POST", url: `/api/v1/auth/totp/${url}`, headers, ...(payload ? { payload } : {}) });
  return { email, post };
}

/** Enrols the second factor the way the console does, confirming with the code of time `at`; returns the secret. */
async function enrol(user: Awaited<ReturnType<typeof session>>, at = Date.now()): Promise<string> {
  const setup = await user.post("setup", { password: PASSWORD });
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret, uri } = setup.json() as { secret: string; uri: string };
  expect(uri).toContain(`secret=${secret}`);
  const enable = await user.post("enable", { code: currentTotp(secret, at) });
  expect(enable.statusCode, enable.body).toBe(204);
  return secret;
}

describe("TOTP enrolment", () => {
  it("the secret is made by the server: a secret the client picks is refused", async () => {
    const user = await session("totp-pick@otklik.test");
    const mine = newTotpSecret();
    const picked = await user.post("enable", { secret: mine, code: currentTotp(mine) });
    expect(picked.statusCode, picked.body).toBe(400);
    expect((await login(user.email)).statusCode).toBe(200);

    const secret = await enrol(user);
    expect((await login(user.email)).json().code).toBe("totp_required");
    expect((await login(user.email, { totp: currentTotp(secret, Date.now() + NEXT_STEP) })).statusCode).toBe(200);
  });

  it("setting up needs the current password", async () => {
    const user = await session("totp-setup@otklik.test");
    expect((await user.post("setup")).statusCode).toBe(400);
    const wrong = await user.post("setup", { password: "not-my-password-1" });
    expect(wrong.statusCode, wrong.body).toBe(400);
    expect(wrong.json().code).toBe("wrong_password");
  });

  it("a session cannot replace an existing secret without the password", async () => {
    const user = await session("totp-replace@otklik.test");
    const secret = await enrol(user);
    // A stolen session tries to put its own authenticator in place of the employee's.
    expect((await user.post("setup")).statusCode).toBe(400);
    expect((await user.post("setup", { password: "guessed-password-1" })).statusCode).toBe(400);
    const attacker = newTotpSecret();
    expect((await user.post("enable", { secret: attacker, code: currentTotp(attacker) })).statusCode).toBe(400);
    // The employee's own authenticator still signs in; the attacker's does not.
    expect((await login(user.email, { totp: currentTotp(attacker) })).statusCode).toBe(401);
    expect((await login(user.email, { totp: currentTotp(secret, Date.now() + NEXT_STEP) })).statusCode).toBe(200);

    // With the password the employee replaces it: the old secret stops once the new one is confirmed.
    const replaced = await user.post("setup", { password: PASSWORD });
    expect(replaced.statusCode).toBe(200);
    const fresh = replaced.json().secret as string;
    expect(fresh).not.toBe(secret);
    expect((await user.post("enable", { code: currentTotp(fresh) })).statusCode).toBe(204);
    expect((await login(user.email, { totp: currentTotp(secret, Date.now() - NEXT_STEP) })).statusCode).toBe(401);
  });

  it("turning it off needs the current password", async () => {
    const user = await session("totp-off@otklik.test");
    const secret = await enrol(user);
    expect((await user.post("disable")).statusCode).toBe(400);
    expect((await user.post("disable", { password: "guessed-password-1" })).json().code).toBe("wrong_password");
    expect((await login(user.email)).json().code).toBe("totp_required");
    expect((await user.post("disable", { password: PASSWORD })).statusCode).toBe(204);
    expect((await login(user.email)).statusCode).toBe(200);
    expect(secret).toBeTruthy();
  });
});

describe("TOTP codes at sign-in", () => {
  it("locks after repeated wrong codes, counted atomically, and then refuses the right code", async () => {
    const user = await session("totp-lock@otklik.test");
    const secret = await enrol(user);
    const burst = await Promise.all(Array.from({ length: 12 }, () => login(user.email, { totp: "000000" })));
    const codes = burst.map((r) => r.json().code as string);
    expect(codes.filter((c) => c === "totp_invalid")).toHaveLength(5);
    expect(codes.filter((c) => c === "account_locked")).toHaveLength(7);
    const right = await login(user.email, { totp: currentTotp(secret, Date.now() + NEXT_STEP) });
    expect(right.statusCode, right.body).toBe(429);
    expect(right.json().code).toBe("account_locked");
  });

  it("accepts a code once: the same code again is refused, also by two sign-ins racing", async () => {
    const user = await session("totp-once@otklik.test");
    const t0 = Date.now();
    const secret = await enrol(user, t0);
    // The code that confirmed the enrolment is spent too.
    const spent = await login(user.email, { totp: currentTotp(secret, t0) });
    expect(spent.statusCode, spent.body).toBe(401);
    expect(spent.json().code).toBe("totp_reused");

    const code = currentTotp(secret, t0 + NEXT_STEP);
    const race = await Promise.all([login(user.email, { totp: code }), login(user.email, { totp: code })]);
    expect(race.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    const again = await login(user.email, { totp: code });
    expect(again.statusCode, again.body).toBe(401);
    expect(again.json().code).toBe("totp_reused");
  });
});
