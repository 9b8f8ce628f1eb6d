// The API's promises about itself: every route declares who may call it, the OpenAPI document describes
// every route, and the server checks access on every staff route.
import { Writable } from "node:stream";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enforceAccessDeclarations } from "../src/http/access.ts";
import { createTestServer, type TestServer } from "./harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

// Routes anyone may call. Adding one here is a decision about who can reach it: review it as such.
const PUBLIC = new Set([
  "GET /api/v1/health",
  "GET /api/v1/ready",
  "GET /api/v1/limits",
  "GET /api/v1/openapi.json",
  "GET /api/v1/categories",
  "POST /api/v1/requests",
  "GET /api/v1/track/:token",
  "GET /api/v1/track/:token/events",
  "POST /api/v1/track/:token/messages",
  "POST /api/v1/track/:token/rating",
  "PUT /api/v1/track/:token/rating",
  "GET /api/v1/track/:token/attachments/:id",
  // Always 202 whatever matched; counted per address and per number (src/applicants/lookup.ts).
  "POST /api/v1/track/lookup",
  "GET /api/v1/notifications/unsubscribe/:token",
  "GET /api/v1/notifications/links/:code",
  "POST /api/v1/sms/inbound",
  // Telegram's own call in webhook mode: the secret token header is checked (src/channels/telegram/room.ts).
  "POST /api/v1/telegram/webhook",
  // VK's Callback API: the community's secret key in the body is checked (src/channels/vk/room.ts).
  "POST /api/v1/vk/callback",
  // MAX's own call in webhook mode: the secret header is checked (src/channels/max/room.ts).
  "POST /api/v1/max/webhook",
  "POST /api/v1/notifications/unsubscribe/:token",
  "POST /api/v1/auth/login",
  // A one-time link's token is the credential: limited per address, 256 random bits, kept as SHA-256.
  "GET /api/v1/auth/password-link/:token",
  "POST /api/v1/auth/password-link",
  "POST /api/v1/auth/logout",
  // Single sign-on: which ways of signing in are on, and the provider's round trip (docs/SSO.md).
  "GET /api/v1/auth/methods",
  "GET /api/v1/auth/oidc/start",
  "GET /api/v1/auth/oidc/callback",
  "GET /api/v1/kb/search",
  "GET /api/v1/kb/articles/:slug",
  "GET /api/v1/kb/categories",
  "POST /api/v1/kb/articles/:slug/feedback",
  "POST /api/v1/kb/suggestions/events",
  "POST /api/v1/classify",
  "GET /api/v1/incidents/active",
  "POST /api/v1/incidents/match",
  "GET /api/v1/directory/recommend",
  "GET /api/v1/directory/lines",
  "GET /api/v1/directory/regions",
  "POST /api/v1/phone/events",
  "POST /api/v1/phone/ivr",
  "POST /api/v1/phone/events/:secret",
  "POST /api/v1/phone/ivr/:secret",
  "GET /api/v1/chat/hours",
  "POST /api/v1/chat/sessions",
  "POST /api/v1/chat/files",
  "GET /api/v1/chat/files/:id",
  "GET /api/v1/chat/ws",
]);

describe("access declarations", () => {
  it("a route without an access rule cannot be registered", async () => {
    const app = Fastify();
    enforceAccessDeclarations(app);
    expect(() => app.get("/api/v1/forgotten", async () => "x")).toThrow(/правило доступа/);
  });

  it("every API route declares its rule, and only the reviewed ones are public", () => {
    const routes = s.app.declaredRoutes;
    expect(routes.length).toBeGreaterThan(15);
    const publicOnes = routes.filter((r) => r.access === "public").map((r) => `${r.method} ${r.url}`);
    for (const p of publicOnes) expect(PUBLIC, `${p} is public but not reviewed`).toContain(p);
  });

  it("every staff route refuses an anonymous caller", async () => {
    const staffRoutes = s.app.declaredRoutes.filter((r) => r.access !== "public");
    expect(staffRoutes.length).toBeGreaterThan(8);
    for (const r of staffRoutes) {
      const url = r.url
        .replace(":number", "1000013")
        .replace(":id", "00000000-0000-4000-8000-000000000000")
        .replace(/:(\w+)/g, "x");
      const res = await s.app.inject({
        method: r.method as "GET",
        url,
        payload: r.method === "GET" ? undefined : {},
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("a role outside a route's list is refused with 403", async () => {
    const restricted = s.app.declaredRoutes.filter((r) => Array.isArray(r.access));
    let checked = 0;
    for (const r of restricted) {
      const roles = r.access as readonly string[];
      const outsider = (["operator", "specialist", "supervisor", "administrator"] as const).find(
        (x) => !roles.includes(x),
      );
      if (!outsider) continue;
      const who = await s.staff(outsider);
      const url = r.url.replace(":number", "1000013").replace(/:(\w+)/g, "x");
      const res = await s.app.inject({
        method: r.method as "GET",
        url,
        headers: { authorization: who.authorization },
        payload: {},
      });
      expect(res.statusCode, `${outsider} → ${r.method} ${r.url}`).toBe(403);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("OpenAPI", () => {
  it("is generated from the route schemas, version 3.1, with every API route", async () => {
    const res = await s.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string }>>)) {
      for (const [m, op] of Object.entries(ops)) {
        documented.add(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`);
        expect(op.summary, `${m} ${p} has a summary`).toBeTruthy();
      }
    }
    for (const r of s.app.declaredRoutes) {
      if (r.url.endsWith("openapi.json")) continue;
      expect(documented, `${r.method} ${r.url}`).toContain(`${r.method} ${r.url}`);
    }
    expect(doc.paths["/api/v1/requests"].post.requestBody.content).toHaveProperty("multipart/form-data");
  });
});

describe("logs", () => {
  it("carry no personal data: no names, phones, e-mails, message text or tracking tokens", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logged = await createTestServer({ logLevel: "info" });
    const { buildApp } = await import("../src/http/app.ts");
    const { loggerOptions } = await import("../src/http/logging.ts");
    const app = await buildApp(logged.ctx, { logger: { ...loggerOptions("info"), stream: sink } as never });
    try {
      const res = await app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: {
          text: "Секретный текст про паспорт 4510 123456",
          contact: { name: "Анна Петрова", email: "anna.petrova@example.ru", phone: "+79161234567" },
        },
      });
      const token = res.json().trackingUrl.split("/").pop();
      await app.inject({ method: "GET", url: `/api/v1/track/${token}` });
      await app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: { text: "x", contact: { phone: "+7 999 bad" } },
      });
      const who = await logged.staff("operator");
      await app.inject({
        method: "GET",
        url: "/api/v1/requests?q=anna.petrova@example.ru",
        headers: { authorization: who.authorization },
      });
      await app.inject({
        method: "GET",
        url: `/api/v1/requests?q=${encodeURIComponent("Анна Петрова")}`,
        headers: { authorization: who.authorization },
      });
      await app.inject({
        method: "POST",
        url: "/api/v1/track/lookup",
        payload: { number: res.json().number, contact: "anna.petrova@example.ru" },
      });
      await logged.ctx.worker.kick();
      const all = lines.join("");
      expect(lines.length).toBeGreaterThan(4);
      for (const secret of [
        "Анна",
        "anna.petrova",
        "79161234567",
        "Секретный",
        "4510",
        token,
        who.authorization.slice(7),
      ]) {
        expect(all, secret).not.toContain(secret);
      }
      expect(all).toContain('"route":"/api/v1/track/:token"');
    } finally {
      await app.close();
      await logged.close();
    }
  });
});
