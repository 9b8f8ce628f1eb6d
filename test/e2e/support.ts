// What every browser test needs: a real Otklik listening on a random port, Chromium, and page helpers.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { Config } from "../../src/config.ts";
import { createUser } from "../../src/staff/service.ts";
import { createTestServer, type TestServer } from "../harness.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
export const STAFF_PASSWORD = "operator-password-1";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

export type World = {
  server: TestServer;
  url: string;
  browser: Browser;
  close(): Promise<void>;
};

export async function startWorld(overrides: Partial<Config> = {}): Promise<World> {
  if (!existsSync(fileURLToPath(new URL("../../web/dist/index.html", import.meta.url)))) {
    throw new Error("web/dist is missing: run `npm run build:web` first (npm run test:e2e does it)");
  }
  const server = await createTestServer({ port: 0, host: "127.0.0.1", ...overrides });
  // The port is known only now; tracking links must point at it.
  server.ctx.config.publicUrl = server.url;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    server,
    url: server.url,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

export async function newContext(world: World, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const context = await world.browser.newContext({
    baseURL: world.url,
    viewport,
    locale: "ru-RU",
    timezoneId: "Europe/Moscow",
    isMobile: viewport.width < 500,
    hasTouch: viewport.width < 500,
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Collects what would betray a broken page: script errors, CSP violations, dialogs that should never open. */
export function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // A 401 from /auth/me is how the console learns that nobody is signed in; Chromium logs every one.
    if (m.type() === "error" && !m.text().includes("status of 401")) problems.push(`console: ${m.text()}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

export async function addOperator(world: World, name: string, email: string) {
  await createUser(world.server.ctx.db, { email, name, role: "operator", password: STAFF_PASSWORD });
  return { email, password: STAFF_PASSWORD };
}

export async function login(page: Page, email: string, password: string) {
  await page.goto("/console");
  await page.getByLabel("Электронная почта").fill(email);
  await page.getByLabel("Пароль").fill(password);
  await page.getByRole("button", { name: "Войти" }).click();
  await page.getByRole("heading", { name: "Очередь обращений" }).waitFor();
}

export async function shot(page: Page, name: string, fullPage = false) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

// A 1×1 PNG: the server accepts attachments by their content, so a real image is needed.
export const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

/** Opens a page of the console's «Настройки» menu in the header. */
export async function openSettings(page: Page, name: string) {
  await page.locator(".console-menu > summary").click();
  await page.locator(".console-menu__list").getByRole("link", { name, exact: true }).click();
}
