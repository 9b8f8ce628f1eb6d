// Administration in the console, in Chromium: an employee from the invitation to the deactivation (the one-time link
// sets the password; role, department, a password reset; every step in the audit log), and the console's layout — the
// header on one line at 1366×768, the supervisor's pages without a horizontal scroll on a 390-pixel phone, and
// pop-ups on an opaque background.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "../../src/audit/audit.ts";
import { createApiToken, createUser, findUserByEmail } from "../../src/staff/service.ts";
import {
  login,
  newContext,
  openSettings,
  PHONE,
  STAFF_PASSWORD,
  shot,
  startWorld,
  type World,
  watch,
} from "./support.ts";

const WIDE = { width: 1366, height: 768 };
const SECRET = "e2e-admin-phone-secret-0123456789";

let world: World;
beforeAll(async () => {
  world = await startWorld();
  world.server.ctx.config.phoneSecret = SECRET;
  await createUser(world.server.ctx.db, {
    email: "admin.e2e@otklik.test",
    name: "Алла Администратова",
    role: "administrator",
    password: STAFF_PASSWORD,
  });
  await createUser(world.server.ctx.db, {
    email: "supervisor.e2e@otklik.test",
    name: "Семён Руководителев-Длиннофамильный",
    role: "supervisor",
    password: STAFF_PASSWORD,
  });
  await createUser(world.server.ctx.db, {
    email: "operator.e2e@otklik.test",
    name: "Ольга Операторова",
    role: "operator",
    password: STAFF_PASSWORD,
  });
});
afterAll(async () => {
  await world?.close();
});

/** An administrator's bearer token, for reading what the page stored. */
async function bearer() {
  return { authorization: `Bearer ${await createApiToken(world.server.ctx.db, "admin.e2e@otklik.test")}` };
}

/** Says yes to the page's confirmations. */
const acceptDialogs = (page: Page) => page.addInitScript("window.confirm = () => true;");

/**
 * The header's pieces all on one line (their middles within a few pixels), the header no taller than one row, and
 * nothing in it cut off at the right edge.
 */
async function headerOnOneLine(page: Page) {
  return page.evaluate<{ spread: number; height: number; overflow: number }>(`(() => {
    const inner = document.querySelector(".console-header__inner");
    const kids = [...inner.children, ...document.querySelectorAll(".console-nav > *")];
    const centres = kids.map((e) => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; });
    const right = Math.max(...kids.map((e) => e.getBoundingClientRect().right));
    return {
      spread: Math.max(...centres) - Math.min(...centres),
      height: inner.getBoundingClientRect().height,
      overflow: Math.max(0, right - window.innerWidth, document.documentElement.scrollWidth - window.innerWidth),
    };
  })()`);
}

async function linkFrom(page: Page) {
  const url = await page.getByLabel("Ссылка", { exact: true }).inputValue();
  expect(url).toMatch(/\/console\/password#[A-Za-z0-9_-]{20,}$/);
  return url;
}

async function setPassword(url: string, password: string) {
  const page = await (await newContext(world, PHONE)).newPage();
  const problems = watch(page);
  await page.goto(url);
  await page.getByLabel("Пароль", { exact: true }).fill(password);
  await page.getByLabel("Пароль ещё раз").fill(password);
  await page.getByRole("button", { name: "Сохранить пароль" }).click();
  await page.getByText("Пароль сохранён.").waitFor();
  // The token has left the address bar.
  expect(page.url()).not.toContain("#");
  expect(problems).toEqual([]);
  return page;
}

describe("administration of an employee", () => {
  it("invites, lets the link set the password, changes role and department, resets the password, deactivates", async () => {
    const page = await (await newContext(world, WIDE)).newPage();
    const problems = watch(page);
    await acceptDialogs(page);
    await login(page, "admin.e2e@otklik.test", STAFF_PASSWORD);
    await openSettings(page, "Сотрудники");
    await page.getByRole("heading", { level: 1, name: "Сотрудники" }).waitFor();

    await page.getByText("Пригласить сотрудника").click();
    await page.getByLabel("Имя и фамилия").fill("Ирина Новикова");
    await page.getByLabel("Электронная почта").fill("novikova@otklik.test");
    await page.getByLabel("Роль", { exact: true }).selectOption("operator");
    await page.getByRole("button", { name: "Пригласить", exact: true }).click();
    await page.getByRole("heading", { name: "Ссылка приглашения: Ирина Новикова" }).waitFor();
    const invite = await linkFrom(page);
    const row = page.locator("tr", { hasText: "novikova@otklik.test" });
    await row.getByText("пароль не задан").waitFor();
    await shot(page, "console-staff");

    const own = await setPassword(invite, "новый-пароль-2026");
    await login(own, "novikova@otklik.test", "новый-пароль-2026");

    await page.getByRole("button", { name: "Закрыть" }).click();
    await row.getByLabel("Роль: Ирина Новикова", { exact: true }).selectOption("specialist");
    await page.getByText("Ирина Новикова: роль — Специалист. Сессии сотрудника завершены.").waitFor();
    await row
      .getByLabel("Подразделение: Ирина Новикова", { exact: true })
      .selectOption({ label: "Техническая поддержка" });
    await page.getByText("Ирина Новикова: подразделение — Техническая поддержка.").waitFor();

    await page.getByRole("button", { name: "Сбросить пароль: Ирина Новикова" }).click();
    await page.getByRole("heading", { name: "Ссылка сброса пароля: Ирина Новикова" }).waitFor();
    const reset = await linkFrom(page);
    await setPassword(reset, "второй-пароль-2027");

    await page.getByRole("button", { name: "Отключить: Ирина Новикова" }).click();
    await row.getByText("нет доступа").waitFor();

    const user = (await findUserByEmail(world.server.ctx.db, "novikova@otklik.test"))!;
    expect(user).toMatchObject({ role: "specialist", active: false });
    const actions = (await listAudit(world.server.ctx.db, { subjectType: "user", subjectId: String(user.id) }))
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual([
      "user.invite",
      "user.password_set",
      "user.update",
      "user.update",
      "user.password_reset",
      "user.password_set",
      "user.deactivate",
    ]);
    expect(problems).toEqual([]);
  });
});

describe("SLA policies in days, hours and minutes", () => {
  it("an administrator types 30 days of calendar time and 1 day 4 hours of working time; the table reads them so", async () => {
    const page = await (await newContext(world, WIDE)).newPage();
    const problems = watch(page);
    await login(page, "admin.e2e@otklik.test", STAFF_PASSWORD);
    await openSettings(page, "Сроки ответа");
    await page.getByRole("heading", { name: "Новая политика" }).waitFor();
    await page.getByLabel("Канал").selectOption({ label: "Чат" });
    await page.getByLabel("Приоритет").selectOption({ label: "Срочный" });
    const first = page.getByRole("group", { name: "Срок первого ответа" });
    await first.getByLabel("дни").fill("1");
    await first.getByLabel("часы").fill("4");
    await first.getByLabel("минуты").fill("0");
    await first.getByLabel("считать").selectOption("working");
    const res = page.getByRole("group", { name: "Срок решения" });
    await res.getByLabel("дни").fill("30");
    await res.getByLabel("часы").fill("0");
    await res.getByLabel("минуты").fill("0");
    await res.getByLabel("считать").selectOption("calendar");
    // Every box is a real, visible control: not a tiny unstyled one.
    const box = await res.getByLabel("дни").boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(40);
    await page.getByRole("button", { name: "Добавить" }).click();
    const row = page.locator("tr", { hasText: "30\u00a0дней календарного времени" });
    await row.getByText("1\u00a0день 4\u00a0часа рабочего времени").waitFor();
    const stored = await world.server.app.inject({
      method: "GET",
      url: "/api/v1/admin/sla/policies",
      headers: await bearer(),
    });
    const policy = (
      stored.json() as { channel: string; priority: string; firstResponse: object; resolution: object }[]
    ).find((p) => p.channel === "chat" && p.priority === "urgent");
    expect(policy).toMatchObject({
      firstResponse: { minutes: 28 * 60, basis: "working" },
      resolution: { minutes: 43_200, basis: "calendar" },
    });

    // The knowledge-base editor's text boxes (inputs without a type) are full-size controls too.
    await page.goto("/console/kb");
    await page.getByRole("button", { name: "Новая статья" }).click();
    for (const label of ["Заголовок", "Краткое описание", "Теги (через запятую)"]) {
      const field = await page.getByLabel(label, { exact: true }).boundingBox();
      expect(field!.height, label).toBeGreaterThanOrEqual(40);
      expect(field!.width, label).toBeGreaterThanOrEqual(300);
    }
    expect(problems).toEqual([]);
  });
});

describe("the console's layout", () => {
  it("keeps the header on one line at 1366×768, for a supervisor and for an administrator", async () => {
    for (const email of ["supervisor.e2e@otklik.test", "admin.e2e@otklik.test"]) {
      const page = await (await newContext(world, WIDE)).newPage();
      await login(page, email, STAFF_PASSWORD);
      const { spread, height, overflow } = await headerOnOneLine(page);
      expect(spread, email).toBeLessThanOrEqual(8);
      expect(height, email).toBeLessThanOrEqual(64);
      expect(overflow, email).toBe(0);
      await page.context().close();
    }
  });

  it("shows the supervisor's pages on a 390-pixel phone without a horizontal scroll", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    await login(page, "supervisor.e2e@otklik.test", STAFF_PASSWORD);
    const pages: [string, () => Promise<unknown>][] = [
      ["/console", () => page.getByRole("heading", { name: "Очередь обращений" }).waitFor()],
      ["/console/sla", () => page.getByRole("table").first().waitFor()],
      ["/console/admin/staff", () => page.getByRole("table").first().waitFor()],
      ["/console/admin/departments", () => page.getByRole("table").first().waitFor()],
      ["/console/incidents", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/console/wallboard", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/console/analytics", () => page.getByRole("heading", { level: 1 }).waitFor()],
      ["/console/kb", () => page.getByRole("heading", { level: 1 }).waitFor()],
    ];
    for (const [path, ready] of pages) {
      await page.goto(path);
      await ready();
      const { scroll, inner } = await page.evaluate<{ scroll: number; inner: number }>(
        "({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })",
      );
      expect(scroll, path).toBeLessThanOrEqual(inner);
    }
    // The settings menu open stays on the screen too.
    await page.locator(".console-menu > summary").click();
    const menu = await page.locator(".console-menu__list").boundingBox();
    expect(menu!.x).toBeGreaterThanOrEqual(0);
    expect(menu!.x + menu!.width).toBeLessThanOrEqual(PHONE.width);
    await page.goto("/console/admin/departments");
    await page.getByRole("table").first().waitFor();
    await shot(page, "console-departments-phone");
    expect(problems).toEqual([]);
  });

  it("puts the notifications and the incoming call on an opaque background", async () => {
    const page = await (await newContext(world, WIDE)).newPage();
    // An operator: calls pop up for those who take them.
    await login(page, "operator.e2e@otklik.test", STAFF_PASSWORD);
    await page.getByRole("button", { name: /^Уведомления/ }).click();
    const inbox = page.getByRole("dialog", { name: "Уведомления" });
    await inbox.waitFor();
    // The background's alpha (rgb() is opaque, rgba() says), and the text's colour.
    type Style = { backgroundColor: string; color: string };
    const opaque = (el: unknown) => {
      const style = (globalThis as unknown as { getComputedStyle(e: unknown): Style }).getComputedStyle(el);
      const bg = style.backgroundColor;
      const alpha = bg.startsWith("rgba") ? Number(bg.slice(bg.lastIndexOf(",") + 1, -1)) : 1;
      return { bg, alpha, color: style.color };
    };
    const menu = await inbox.evaluate(opaque);
    expect(menu.alpha, menu.bg).toBe(1);
    expect(menu.color).not.toBe(menu.bg);

    await page.waitForTimeout(500);
    const res = await fetch(`${world.url}/api/v1/phone/events/${SECRET}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ event: "newCall", callId: "admin-e2e-1", from: "+79001112233", to: "88005553535" }),
    });
    expect(res.status).toBe(200);
    const pop = page.locator(".screen-pop__call").first();
    await pop.waitFor({ timeout: 10_000 });
    const call = await pop.evaluate(opaque);
    expect(call.alpha, call.bg).toBe(1);
  });
});
