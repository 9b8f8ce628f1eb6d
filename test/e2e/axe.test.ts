// axe-core over every public page (on a phone) and the console's main pages (on a desktop, the busiest also on a
// phone): no violation of any rule axe runs by default (WCAG 2.x A and AA and its best practices) nor of
// label-content-name-mismatch, each page checked in the state a person sees it in, data loaded.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChat } from "../../src/channels/chat/settings.ts";
import { unsubscribeToken } from "../../src/notifications/unsubscribe.ts";
import { notifyStaff } from "../../src/routing/notify.ts";
import { createUser } from "../../src/staff/service.ts";
import {
  addOperator,
  DESKTOP,
  login,
  newContext,
  PHONE,
  STAFF_PASSWORD,
  startWorld,
  type World,
  watch,
} from "./support.ts";

// Evaluated rather than added as a <script>: the pages' Content-Security-Policy rightly refuses inline scripts.
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SECRET = "e2e-axe-phone-secret-0123456789";

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[]; html: string }[] };

/** The violations on the page as it is now, one line per element: «rule: selector — html». */
async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(AXE);
  // Plus one rule axe still calls experimental: a control's name contains its visible text (speech input).
  const found = await page.evaluate<Violation[]>(
    `axe.run(document, { rules: { "label-content-name-mismatch": { enabled: true } } }).then((r) => r.violations)`,
  );
  return found.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.help}): ${n.target.join(" ")} — ${n.html.slice(0, 160)}`),
  );
}

/** The same pages, each with no violation: a failure shows what was found where. */
const clean = (found: Record<string, string[]>) => Object.fromEntries(Object.keys(found).map((k) => [k, []]));

describe("axe-core finds nothing on any page", () => {
  let world: World;
  let trackPath = "";
  let number = "";
  const adminEmail = "axe-admin@otklik.test";
  const operatorEmail = "axe-operator@otklik.test";

  beforeAll(async () => {
    world = await startWorld();
    world.server.ctx.config.phoneSecret = SECRET;
    // Within the chat's hours, so that the widget offers the bot and an operator.
    configureChat(world.server.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
    const res = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: {
        text: "Не приходит код подтверждения для входа, прошу помочь.",
        contact: { name: "Пётр Осипов", phone: "+79001234567", email: "petr@example.ru" },
      },
    });
    trackPath = new URL(res.json().trackingUrl).pathname;
    number = res.json().number;
    const admin = await createUser(world.server.ctx.db, {
      email: adminEmail,
      name: "Анна Ковалёва",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    await addOperator(world, "Вера Лебедева", operatorEmail);
    // An unread notification, so that the bell shows its count.
    await world.server.ctx.db.transaction((tx) =>
      notifyStaff(tx, [admin.id], { requestId: null, kind: "sla", title: "Обращение просрочено" }),
    );
  });
  afterAll(async () => {
    await world?.close();
  });

  it("public pages on a phone", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    const pages: [string, () => Promise<unknown>][] = [
      ["/", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/new", () => page.getByLabel("Текст обращения").waitFor()],
      [trackPath, () => page.locator(".status-card").waitFor()],
      ["/help", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/help/category/access", () => page.locator("main a[href^='/help/']").first().waitFor()],
      ["/help/sms-code-not-received", () => page.locator(".help-article").waitFor()],
      ["/contacts", () => page.locator(".contacts-line").first().waitFor()],
      [
        `/unsubscribe/${unsubscribeToken("email", "petr@example.ru")}`,
        () => page.getByRole("button", { name: "Отказаться от остальных уведомлений" }).waitFor(),
      ],
    ];
    const found: Record<string, string[]> = {};
    for (const [path, ready] of pages) {
      await page.goto(path);
      await ready();
      found[path] = await violations(page);
    }
    // The chat widget, open over the start page, then its conversation with the bot.
    await page.goto("/");
    await page.getByRole("button", { name: "Чат", exact: true }).click();
    const chat = page.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByLabel("Как к вам обращаться").waitFor();
    found["chat: contact form"] = await violations(page);
    await chat.getByLabel("Как к вам обращаться").fill("Мария");
    await chat.getByLabel("Электронная почта").fill("maria@example.ru");
    await chat.getByRole("button", { name: "Начать чат" }).click();
    await chat.getByLabel("Сообщение").fill("Не приходит смс с кодом для входа");
    await chat.getByLabel("Сообщение").press("Enter");
    await chat.getByText(/обращение зарегистрировано под номером/).waitFor();
    // «…следить за ответом можно на странице обращения»: the words are the link.
    expect(await chat.getByRole("link", { name: "на странице обращения" }).getAttribute("href")).toMatch(/\/track\//);
    found["chat: conversation"] = await violations(page);

    // A resolved request: the thread with the operator's answer and the rating form.
    const staff = await world.server.staff("supervisor");
    const inject = (method: "POST", url: string, payload: object) =>
      world.server.app.inject({ method, url, payload, headers: { authorization: staff.authorization } });
    const made = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не могу сменить номер телефона в профиле.", contact: { name: "Ольга" } },
    });
    const resolved = made.json() as { number: string; trackingUrl: string };
    const answered = await inject("POST", `/api/v1/requests/${resolved.number}/messages`, {
      body: "Здравствуйте! Номер меняется в профиле, раздел «Контакты».",
      visibility: "public",
    });
    expect(answered.statusCode).toBeLessThan(300);
    // The answer took the request into work; now it is resolved.
    const moved = await inject("POST", `/api/v1/requests/${resolved.number}/status`, { status: "resolved" });
    expect(moved.statusCode).toBeLessThan(300);
    await page.goto(new URL(resolved.trackingUrl).pathname);
    await page.getByRole("heading", { name: "Оцените, как мы помогли" }).waitFor();
    found["tracking: resolved, rating form"] = await violations(page);

    expect(found).toEqual(clean(found));
    expect(problems).toEqual([]);
  });

  it("the console's sign-in, queue and request pages", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const found: Record<string, string[]> = {};
    await page.goto("/console");
    await page.getByRole("heading", { name: "Вход в консоль поддержки" }).waitFor();
    found.login = await violations(page);
    await login(page, operatorEmail, STAFF_PASSWORD);
    await page.locator(`tr[data-number="${number}"]`).waitFor();
    found.queue = await violations(page);
    await page.goto(`/console/requests/${number}`);
    await page.getByText("Не приходит код подтверждения для входа").first().waitFor();
    found.request = await violations(page);
    expect(found).toEqual(clean(found));
  });

  it("the chat inbox, an accepted chat and the widget with an operator", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const applicant = await (await newContext(world, PHONE)).newPage();
    const found: Record<string, string[]> = {};
    await applicant.goto("/");
    await applicant.getByRole("button", { name: "Чат", exact: true }).click();
    const chat = applicant.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByLabel("Как к вам обращаться").fill("Мария");
    await chat.getByLabel("Электронная почта").fill("maria@example.ru");
    await chat.getByRole("button", { name: "Начать чат" }).click();
    await chat.getByLabel("Сообщение").fill("Нужна помощь со входом");
    await chat.getByLabel("Сообщение").press("Enter");
    await chat.getByRole("button", { name: "Позвать оператора" }).click();
    await chat.getByText("Ждём оператора").waitFor();
    await login(page, operatorEmail, STAFF_PASSWORD);
    await page.goto("/console/chat");
    await page.getByRole("button", { name: "Принять" }).first().waitFor();
    found["chat inbox"] = await violations(page);
    await page.getByRole("button", { name: "Принять" }).first().click();
    await page.getByRole("log", { name: "Переписка" }).getByText("Нужна помощь со входом").waitFor();
    found["accepted chat"] = await violations(page);
    await chat.getByText("Оператор Вера на связи.").waitFor();
    found["widget with an operator"] = await violations(applicant);
    expect(found).toEqual(clean(found));
  });

  it("the screen pop and the call screen", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const found: Record<string, string[]> = {};
    const event = async (payload: Record<string, string>) => {
      const res = await fetch(`${world.url}/api/v1/phone/events/${SECRET}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(payload).toString(),
      });
      expect(res.status).toBe(200);
    };
    await login(page, operatorEmail, STAFF_PASSWORD);
    // Let the console's stream connect before the call rings.
    await page.waitForTimeout(500);
    await event({ event: "newCall", callId: "axe-0", from: "89990000000", to: "88005553535", direction: "in" });
    const pop = page.getByRole("alert", { name: "Входящий звонок" });
    await pop.getByText("Звонок с неизвестного номера").waitFor({ timeout: 10_000 });
    found["screen pop, unknown number"] = await violations(page);
    await event({ event: "hangup", callId: "axe-0", cause: "normalClearing" });
    await pop.waitFor({ state: "detached" });
    await event({ event: "newCall", callId: "axe-1", from: "89001234567", to: "88005553535", direction: "in" });
    await pop.getByText("Пётр Осипов").waitFor({ timeout: 10_000 });
    found["screen pop"] = await violations(page);
    await event({ event: "answer", callId: "axe-1", user: operatorEmail });
    await page.waitForURL(/\/console\/calls\/\d+$/, { timeout: 10_000 });
    await page.getByRole("heading", { name: "Проверка личности" }).waitFor();
    found["call screen"] = await violations(page);
    expect(found).toEqual(clean(found));
  });

  it("statistics, the wallboard and the administrator's pages", async () => {
    const page = await (await newContext(world, DESKTOP)).newPage();
    const found: Record<string, string[]> = {};
    await login(page, adminEmail, STAFF_PASSWORD);
    const pages: [string, () => Promise<unknown>][] = [
      ["/console/analytics", () => page.locator("canvas, svg").first().waitFor()],
      ["/console/wallboard", () => page.getByRole("heading", { name: "Табло очередей" }).waitFor()],
      ["/console/sla", () => page.getByRole("table").first().waitFor()],
      ["/console/kb", () => page.locator(".kb-editor__list li").first().waitFor()],
      ["/console/incidents", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/console/admin/directory", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/console/admin/staff", () => page.getByRole("table").first().waitFor()],
      ["/console/admin/departments", () => page.getByRole("table").first().waitFor()],
      ["/console/tokens", () => page.getByRole("heading", { level: 1 }).waitFor()],
      // A one-time link that is not (or no longer) good: the page says so.
      ["/console/password#not-a-real-token-0123456789", () => page.getByRole("alert").waitFor()],
    ];
    for (const [path, ready] of pages) {
      await page.goto(path);
      // A page that never shows its content is reported beside the others rather than hiding their findings.
      const shown = await ready().then(
        () => true,
        () => false,
      );
      await page.waitForTimeout(300);
      found[path] = shown ? await violations(page) : ["the page did not show its content"];
    }
    // The bell, with its count, and its list open.
    await page.goto("/console");
    const bell = page.getByRole("button", { name: "Уведомления 1 непрочитанных" });
    await bell.click();
    await page.getByRole("dialog", { name: "Уведомления" }).getByText("Обращение просрочено").waitFor();
    found["notifications open"] = await violations(page);
    await bell.click();
    await page.locator(".console-menu > summary").click();
    await page.locator(".console-menu__list").waitFor();
    found["settings menu open"] = await violations(page);
    // The employees' page with the invitation form open.
    await page.goto("/console/admin/staff");
    await page.getByText("Пригласить сотрудника").click();
    await page.getByLabel("Имя и фамилия").waitFor();
    found["/console/admin/staff, invitation"] = await violations(page);
    // An article open in the editor, with its preview.
    await page.goto("/console/kb");
    await page.locator(".kb-editor__list button").first().click();
    await page.getByRole("heading", { name: "Предпросмотр" }).waitFor();
    found["/console/kb, an article"] = await violations(page);
    expect(found).toEqual(clean(found));
  });

  it("the queue, a request and statistics on a phone, where wide tables scroll", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    const found: Record<string, string[]> = {};
    await login(page, adminEmail, STAFF_PASSWORD);
    await page.locator(`tr[data-number="${number}"]`).waitFor();
    found.queue = await violations(page);
    await page.goto(`/console/requests/${number}`);
    await page.getByText("Не приходит код подтверждения для входа").first().waitFor();
    found.request = await violations(page);
    await page.goto("/console/analytics");
    await page.locator("canvas, svg").first().waitFor();
    await page.waitForTimeout(300);
    found.analytics = await violations(page);
    await page.goto("/console/admin/directory");
    await page.locator(".dir-table-wrap").waitFor();
    found["admin/directory"] = await violations(page);
    expect(found).toEqual(clean(found));
  });
});
