// Single sign-on in the browser: the console's sign-in page offers the organisation's provider (oidc-provider on a
// loopback port), the person signs in on the provider's own pages and lands in the console's queue.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRoleMap } from "../../src/staff/oidc-roles.ts";
import { CLIENT_ID, CLIENT_SECRET, type StandIn, startOidcProvider } from "../oidc-provider.ts";
import { DESKTOP, newContext, shot, startWorld, type World } from "./support.ts";

let world: World;
let idp: StandIn;
beforeAll(async () => {
  world = await startWorld();
  idp = await startOidcProvider(`${world.url}/api/v1/auth/oidc/callback`);
  // The server's port is known only now; its settings are read at each sign-in.
  Object.assign(world.server.ctx.config, {
    oidcIssuer: idp.issuer,
    oidcClientId: CLIENT_ID,
    oidcClientSecret: CLIENT_SECRET,
    oidcScopes: "openid email profile roles",
    oidcRoleMap: parseRoleMap('{"otklik-line1": "operator"}'),
  });
});
afterAll(async () => {
  await world?.close();
  await idp?.close();
});

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations on the page as it is now, one line per element. */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(AXE);
  const found = await page.evaluate<{ id: string; nodes: { target: string[] }[] }[]>(
    `axe.run(document, { rules: { "label-content-name-mismatch": { enabled: true } } }).then((r) => r.violations)`,
  );
  return found.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

/** A context that reaches nothing but this machine (the provider's development pages link a web font). */
async function localContext(): Promise<BrowserContext> {
  const context = await newContext(world, DESKTOP);
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
  return context;
}

describe("console: single sign-on", () => {
  it("an employee signs in through the organisation's provider and lands in the queue", async () => {
    idp.accounts.set("smirnova", { email: "smirnova@org.test", name: "Инна Смирнова", roles: ["otklik-line1"] });
    const context = await localContext();
    const page = await context.newPage();
    // Script errors and failed loads on Otklik's pages (the provider's pages fail to load their web font here).
    const problems: string[] = [];
    const ours = () => page.url().startsWith(world.url);
    page.on("pageerror", (e) => ours() && problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (ours() && m.type() === "error" && !m.text().includes("status of 401")) problems.push(m.text());
    });
    await page.goto("/console");
    const sso = page.getByRole("link", { name: "Войти через единый вход" });
    await sso.waitFor();
    await shot(page, "console-login-sso");
    expect(await violations(page)).toEqual([]);
    await sso.click();

    // The provider's own pages: sign in, then allow Otklik.
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.locator('input[name="login"]').fill("smirnova");
    await page.locator('input[name="password"]').fill("any");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();

    await page.getByRole("heading", { name: "Очередь обращений" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console");
    await page.getByText("Инна Смирнова").first().waitFor();
    const me = (await page.evaluate(async () => (await fetch("/api/v1/auth/me")).json())) as { user: unknown };
    expect(me.user).toMatchObject({ email: "smirnova@org.test", role: "operator" });
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a person without a role in the directory is told so on the sign-in page", async () => {
    idp.accounts.set("guest", { email: "guest@org.test", roles: ["visitors"] });
    const context = await localContext();
    const page = await context.newPage();
    await page.goto("/console");
    await page.getByRole("link", { name: "Войти через единый вход" }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.locator('input[name="login"]').fill("guest");
    await page.locator('input[name="password"]').fill("any");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "В каталоге организации у вас нет роли для работы в Otklik" })
      .waitFor();
    expect(new URL(page.url()).searchParams.get("sso_error")).toBe("oidc_no_role");
    await context.close();
  });

  it("with password sign-in off, the password form is folded away for the break-glass administrator", async () => {
    world.server.ctx.config.passwordLogin = "off";
    try {
      const context = await localContext();
      const page = await context.newPage();
      await page.goto("/console");
      await page.getByRole("link", { name: "Войти через единый вход" }).waitFor();
      await expect(page.getByLabel("Пароль").isVisible()).resolves.toBe(false);
      await page.getByText("Вход по паролю для аварийного администратора").click();
      await page.getByLabel("Пароль").waitFor();
      expect(await violations(page)).toEqual([]);
      await context.close();
    } finally {
      world.server.ctx.config.passwordLogin = "on";
    }
  });
});
