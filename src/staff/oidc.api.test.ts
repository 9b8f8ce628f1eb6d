// Single sign-on against a real OpenID Connect provider running here (oidc-provider): the whole code flow through
// its login and consent pages, and each way a sign-in must be refused.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../../test/harness.ts";
import { Browser, CLIENT_ID, CLIENT_SECRET, type StandIn, startOidcProvider } from "../../test/oidc-provider.ts";
import { parseRoleMap } from "./oidc-roles.ts";
import { oidcFlows, users } from "./schema.ts";

const CALLBACK = "http://otklik.test/api/v1/auth/oidc/callback";
const ROLE_MAP = parseRoleMap(
  JSON.stringify({
    "otklik-admins": "administrator",
    "otklik-line1": "operator",
    "it-support": { role: "specialist", department: "technical" },
  }),
);

let idp: StandIn;
let s: TestServer;
beforeAll(async () => {
  idp = await startOidcProvider(CALLBACK);
  s = await createTestServer({
    oidcIssuer: idp.issuer,
    oidcClientId: CLIENT_ID,
    oidcClientSecret: CLIENT_SECRET,
    oidcScopes: "openid email profile roles",
    oidcRoleClaim: "roles",
    oidcRoleMap: ROLE_MAP,
  });
});
afterAll(async () => {
  await s?.close();
  await idp?.close();
});

/** Visits the callback as the browser and returns the answer (a redirect to the console, or a problem). */
async function callback(browser: Browser, url: string, accept = "application/json") {
  return browser.request(url, { accept });
}

async function signIn(login: string, claims: Record<string, unknown>) {
  idp.accounts.set(login, claims);
  const browser = new Browser(s, login);
  const back = await callback(browser, await browser.toCallback());
  return { browser, back };
}

async function me(browser: Browser) {
  return s.app.inject({
    method: "GET",
    url: "/api/v1/auth/me",
    headers: { cookie: browser.cookieHeader("otklik.test") },
  });
}

describe("single sign-on", () => {
  it("tells the console which ways of signing in are on", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/auth/methods" });
    expect(res.json()).toEqual({ password: "all", sso: true, ssoStartUrl: "/api/v1/auth/oidc/start" });
  });

  it("signs a new employee in through the provider's pages, creates them from the claim and opens a session", async () => {
    const browser = new Browser(s, "ivanova");
    idp.accounts.set("ivanova", { email: "ivanova@org.test", name: "Анна Иванова", roles: ["it-support"] });
    const start = await browser.request("/api/v1/auth/oidc/start");
    expect(start.status).toBe(303);
    const auth = new URL(start.location!);
    expect(auth.origin).toBe(idp.issuer);
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("state")).toBeTruthy();
    expect(auth.searchParams.get("nonce")).toBeTruthy();
    expect(auth.searchParams.get("redirect_uri")).toBe(CALLBACK);
    expect(start.setCookies.join()).toMatch(/otklik_oidc=.*HttpOnly/i);
    expect(start.setCookies.join()).toMatch(/SameSite=Lax/i);

    const back = await callback(browser, await browser.toCallback());
    expect(back.status).toBe(303);
    expect(back.location).toBe("http://otklik.test/console");
    const session = back.setCookies.find((c) => c.startsWith("otklik_session="));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);

    const who = await me(browser);
    expect(who.statusCode).toBe(200);
    const { user, csrfToken } = who.json();
    expect(user).toMatchObject({ email: "ivanova@org.test", name: "Анна Иванова", role: "specialist" });
    const departments = (
      await s.app.inject({
        method: "GET",
        url: "/api/v1/departments",
        headers: { cookie: browser.cookieHeader("otklik.test") },
      })
    ).json();
    expect(departments.find((d: { id: number }) => d.id === user.departmentId).code).toBe("technical");

    // The session works on staff routes, CSRF token and all, like one opened with a password.
    const cookie = browser.cookieHeader("otklik.test");
    const queue = await s.app.inject({ method: "GET", url: "/api/v1/requests", headers: { cookie } });
    expect(queue.statusCode).toBe(200);
    const noCsrf = await s.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: { cookie },
      payload: { name: "т" },
    });
    expect(noCsrf.statusCode).toBe(403);
    const made = await s.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: { cookie, "x-csrf-token": csrfToken },
      payload: { name: "скрипт отчётов" },
    });
    expect(made.statusCode).toBe(201);

    // No password opens an account the directory made.
    const byPassword = await s.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "ivanova@org.test", password: "any-password-1" },
    });
    expect(byPassword.statusCode).toBe(401);
  });

  it("refuses a state that does not match the flow, a callback replayed, and one from another browser", async () => {
    idp.accounts.set("petrov", { email: "petrov@org.test", roles: ["otklik-line1"] });
    const browser = new Browser(s, "petrov");
    const url = new URL(await browser.toCallback());
    const forged = new URL(url);
    forged.searchParams.set("state", "not-the-state-we-sent");
    const wrong = await callback(browser, forged.href);
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.body).code).toBe("oidc_state_invalid");

    // Another browser (no flow cookie) bringing this browser's answer: refused, and the flow is spent.
    const other = new Browser(s, "petrov");
    const stolen = await callback(other, url.href);
    expect(JSON.parse(stolen.body).code).toBe("oidc_state_invalid");
    const after = await callback(browser, url.href);
    expect(JSON.parse(after.body).code).toBe("oidc_state_invalid");

    // A fresh flow goes through once; the same answer twice is refused.
    const fresh = await browser.toCallback();
    expect((await callback(browser, fresh)).status).toBe(303);
    const browser2 = new Browser(s, "petrov");
    const once = await browser2.toCallback();
    const cookie = browser2.cookieHeader("otklik.test");
    expect((await callback(browser2, once)).status).toBe(303);
    const replay = await s.app.inject({
      method: "GET",
      url: once.replace("http://otklik.test", ""),
      headers: { cookie },
    });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().code).toBe("oidc_state_invalid");
  });

  it("refuses an ID token whose nonce is not the one this sign-in sent", async () => {
    idp.accounts.set("sidorov", { email: "sidorov@org.test", roles: ["otklik-line1"] });
    const browser = new Browser(s, "sidorov");
    const url = await browser.toCallback();
    // The flow now expects another nonce: the token the provider issued for the first one must not be accepted.
    await s.ctx.db.update(oidcFlows).set({ nonce: "a-nonce-this-token-was-not-issued-for" });
    const back = await callback(browser, url);
    expect(back.status).toBe(401);
    expect(JSON.parse(back.body).code).toBe("oidc_token_invalid");
    expect((await me(browser)).statusCode).toBe(401);
  });

  it("refuses an expired flow, and sends a person's browser to the sign-in page with the reason", async () => {
    idp.accounts.set("orlova", { email: "orlova@org.test", roles: ["otklik-line1"] });
    const browser = new Browser(s, "orlova");
    const url = await browser.toCallback();
    await s.ctx.db.update(oidcFlows).set({ expiresAt: new Date(Date.now() - 1000) });
    const back = await callback(browser, url, "text/html,application/xhtml+xml");
    expect(back.status).toBe(303);
    expect(back.location).toBe("http://otklik.test/console/login?sso_error=oidc_flow_expired");
  });

  it("passes on the provider's refusal as a provider error", async () => {
    const browser = new Browser(s, "nobody");
    const start = await browser.request("/api/v1/auth/oidc/start");
    const state = new URL(start.location!).searchParams.get("state")!;
    const back = await callback(
      browser,
      `${CALLBACK}?error=access_denied&state=${state}&iss=${encodeURIComponent(idp.issuer)}`,
    );
    expect(back.status).toBe(502);
    expect(JSON.parse(back.body)).toMatchObject({ code: "oidc_provider_error", providerError: "access_denied" });
  });

  it("takes role and department from the claim at every sign-in; a removed claim ends the access", async () => {
    const first = await signIn("kozlov", { email: "kozlov@org.test", roles: ["otklik-line1"] });
    expect((await me(first.browser)).json().user.role).toBe("operator");

    // Promoted in the directory: the next sign-in says so (the strongest role wins).
    const second = await signIn("kozlov", { email: "kozlov@org.test", roles: ["otklik-line1", "otklik-admins"] });
    expect((await me(second.browser)).json().user).toMatchObject({ role: "administrator", departmentId: null });
    const [row] = await s.ctx.db.select().from(users).where(eq(users.email, "kozlov@org.test"));
    const tokenRes = await s.app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: {
        cookie: second.browser.cookieHeader("otklik.test"),
        "x-csrf-token": (await me(second.browser)).json().csrfToken,
      },
      payload: { name: "скрипт" },
    });
    expect(tokenRes.statusCode).toBe(201);
    const token = tokenRes.json().token as string;

    // The claim is gone: the sign-in is refused, and the sessions already open end with it.
    const third = await signIn("kozlov", { email: "kozlov@org.test", roles: ["somebody-else"] });
    expect(third.back.status).toBe(403);
    expect(JSON.parse(third.back.body).code).toBe("oidc_no_role");
    expect((await me(first.browser)).statusCode).toBe(401);
    expect((await me(second.browser)).statusCode).toBe(401);
    const byToken = await s.app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(byToken.statusCode).toBe(401);
    const [revoked] = await s.ctx.db.select().from(users).where(eq(users.id, row!.id));
    expect(revoked).toMatchObject({ active: false, directoryRevoked: true });

    // The directory gives a role again: the same account comes back.
    const fourth = await signIn("kozlov", { email: "kozlov@org.test", roles: ["otklik-line1"] });
    expect(fourth.back.status).toBe(303);
    expect((await me(fourth.browser)).json().user).toMatchObject({ id: row!.id, role: "operator" });

    // Each change the directory made is audited, and the entries keep the chain verifiable.
    const admin = await s.staff("administrator");
    const audit = await s.app.inject({
      method: "GET",
      url: `/api/v1/admin/audit?subjectType=user&subjectId=${row!.id}`,
      headers: { authorization: admin.authorization },
    });
    expect(audit.json().map((e: { action: string }) => e.action)).toEqual([
      "user.directory_update",
      "user.deactivate",
      "user.directory_update",
      "user.create",
    ]);
    const chain = await s.app.inject({
      method: "GET",
      url: "/api/v1/admin/audit/verify",
      headers: { authorization: admin.authorization },
    });
    expect(chain.json().brokenAt).toBeNull();
  });

  it("creates one account when the same person's first sign-ins race", async () => {
    idp.accounts.set("twin", { email: "twin@org.test", roles: ["otklik-line1"] });
    const [a, b] = [new Browser(s, "twin"), new Browser(s, "twin")];
    const [urlA, urlB] = await Promise.all([a.toCallback(), b.toCallback()]);
    const [backA, backB] = await Promise.all([callback(a, urlA), callback(b, urlB)]);
    expect([backA.status, backB.status]).toEqual([303, 303]);
    const rows = await s.ctx.db.select().from(users).where(eq(users.email, "twin@org.test"));
    expect(rows).toHaveLength(1);
  });

  it("links an account made with a password by its e-mail, unless the provider has not verified the address", async () => {
    const made = await s.staff("operator", { email: "volkova@org.test" });
    const refused = await signIn("volkova-unverified", {
      email: "volkova@org.test",
      email_verified: false,
      roles: ["otklik-line1"],
    });
    expect(refused.back.status).toBe(409);
    expect(JSON.parse(refused.back.body).code).toBe("oidc_account_conflict");

    const linked = await signIn("volkova", { email: "volkova@org.test", email_verified: true, roles: ["it-support"] });
    expect(linked.back.status).toBe(303);
    expect((await me(linked.browser)).json().user).toMatchObject({ id: made.id, role: "specialist" });
  });

  it("keeps an administrator's deactivation over the directory's word", async () => {
    const first = await signIn("belova", { email: "belova@org.test", roles: ["otklik-line1"] });
    const id = (await me(first.browser)).json().user.id as number;
    const admin = await s.staff("administrator");
    const off = await s.app.inject({
      method: "PATCH",
      url: `/api/v1/admin/users/${id}`,
      headers: { authorization: admin.authorization },
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    const again = await signIn("belova", { email: "belova@org.test", roles: ["otklik-line1"] });
    expect(again.back.status).toBe(403);
    expect(JSON.parse(again.back.body).code).toBe("account_disabled");
  });
});

describe("the provider rotates its signing keys", () => {
  let fresh: TestServer;
  beforeAll(async () => {
    fresh = await createTestServer({
      oidcIssuer: idp.issuer,
      oidcClientId: CLIENT_ID,
      oidcClientSecret: CLIENT_SECRET,
      oidcScopes: "openid email profile roles",
      oidcRoleMap: ROLE_MAP,
    });
  });
  afterAll(() => fresh?.close());

  async function signInTo(login: string) {
    const browser = new Browser(fresh, login);
    return browser.request(await browser.toCallback(), { accept: "application/json" });
  }

  it("verifies the ID token's signature, and fetches the key set again for a key id it has not seen", async () => {
    idp.accounts.set("novikov", { email: "novikov@org.test", roles: ["otklik-line1"] });
    expect((await signInTo("novikov")).status).toBe(303);
    const oldKid = idp.kid;
    expect(await idp.rotateKeys()).not.toBe(oldKid);

    // Within a minute of the last fetch an unknown key id is not trusted and does not fetch again (no refetch storms
    // from forged key ids): the token does not verify.
    const early = await signInTo("novikov");
    expect(early.status).toBe(401);
    expect(JSON.parse(early.body).code).toBe("oidc_token_invalid");

    // A minute on, the same unknown key id fetches the provider's new key set, and the new key verifies.
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, "now").mockImplementation(() => realNow() + 61_000);
    try {
      const later = await signInTo("novikov");
      expect(later.status).toBe(303);
    } finally {
      clock.mockRestore();
    }
  });
});

describe("the provider cannot be reached", () => {
  it("answers 503 (a browser lands on the sign-in page), and tries discovery again at the next sign-in", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = await createTestServer({
      oidcIssuer: `http://127.0.0.1:${port}`,
      oidcClientId: CLIENT_ID,
      oidcClientSecret: CLIENT_SECRET,
      oidcRoleMap: ROLE_MAP,
    });
    let late: StandIn | undefined;
    try {
      const json = await down.app.inject({ method: "GET", url: "/api/v1/auth/oidc/start" });
      expect(json.statusCode).toBe(503);
      expect(json.json().code).toBe("oidc_provider_unavailable");
      const page = await down.app.inject({
        method: "GET",
        url: "/api/v1/auth/oidc/start",
        headers: { accept: "text/html" },
      });
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toBe("/console/login?sso_error=oidc_provider_unavailable");

      // The provider comes up: the next sign-in discovers it.
      late = await startOidcProvider(CALLBACK, port);
      const up = await down.app.inject({ method: "GET", url: "/api/v1/auth/oidc/start" });
      expect(up.statusCode).toBe(303);
      expect(String(up.headers.location)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/`));
    } finally {
      await down.close();
      await late?.close();
    }
  });
});

describe("password sign-in turned off", () => {
  let off: TestServer;
  beforeAll(async () => {
    off = await createTestServer({
      oidcIssuer: idp.issuer,
      oidcClientId: CLIENT_ID,
      oidcClientSecret: CLIENT_SECRET,
      oidcRoleMap: ROLE_MAP,
      passwordLogin: "off",
      breakGlassEmail: "admin@otklik.local",
    });
  });
  afterAll(() => off?.close());

  it("accepts only the break-glass administrator's password", async () => {
    const methods = await off.app.inject({ method: "GET", url: "/api/v1/auth/methods" });
    expect(methods.json()).toMatchObject({ password: "break_glass", sso: true });

    const staff = await off.staff("operator", { email: "operator@org.test" });
    const refused = await off.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "operator@org.test", password: "staff-password-1" },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe("password_login_disabled");
    expect(staff.id).toBeGreaterThan(0);

    const glass = await off.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: "Admin@otklik.local", password: TEST_ADMIN_PASSWORD },
    });
    expect(glass.statusCode).toBe(200);
    expect(glass.json().user.role).toBe("administrator");

    // The break-glass account is never taken over by the directory.
    idp.accounts.set("glass", { email: "admin@otklik.local", roles: ["otklik-line1"] });
    const browser = new Browser(off, "glass");
    const back = await browser.request(await browser.toCallback(), { accept: "application/json" });
    expect(back.status).toBe(403);
    expect(JSON.parse(back.body).code).toBe("oidc_break_glass_account");
    const [admin] = await off.ctx.db.select().from(users).where(sql`lower(${users.email}) = 'admin@otklik.local'`);
    expect(admin).toMatchObject({ role: "administrator", oidcSubject: null });
  });
});
