// The console's tokens page (an operator makes and revokes a token of their own) and employees page (an administrator
// switches an employee off — their open console ends — and on again).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/staff/service.ts";
import {
  addOperator,
  DESKTOP,
  login,
  newContext,
  openSettings,
  STAFF_PASSWORD,
  startWorld,
  type World,
} from "./support.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

const me = (token: string) =>
  fetch(`${world.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

/** Script errors and CSP violations (these pages ask for confirmations, so dialogs are expected here). */
function watch(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("status of 401")) problems.push(`console: ${m.text()}`);
  });
  return problems;
}

/** Says yes to the page's confirmations, recording what was asked. */
async function acceptDialogs(page: Page) {
  await page.addInitScript(`window.confirm = (message) => { (window.__asked ??= []).push(message); return true; }`);
}

describe("console: tokens and employees", () => {
  it("an operator makes a token, sees it once, and revokes it; it stops at once", async () => {
    const op = await addOperator(world, "Инна Смирнова", "smirnova@otklik.test");
    const page = await (await newContext(world, { width: 360, height: 740 })).newPage();
    const problems = watch(page);
    await acceptDialogs(page);
    await login(page, op.email, op.password);
    await openSettings(page, "Токены API");
    await page.getByRole("heading", { name: "Токены API" }).waitFor();
    await page.getByLabel("Назначение").fill("Выгрузка отчётов");
    await page.getByRole("button", { name: "Создать токен" }).click();
    const token = (await page.locator("code", { hasText: /^otk_/ }).first().textContent())!.trim();
    expect(token).toMatch(/^otk_[A-Za-z0-9_-]{43}$/);
    expect(await me(token)).toBe(200);
    await page.getByText("Выгрузка отчётов", { exact: true }).waitFor();
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);

    await page.getByRole("button", { name: "Отозвать токен «Выгрузка отчётов»" }).click();
    await page.getByText("Токен «Выгрузка отчётов» отозван.").waitFor();
    expect(await me(token)).toBe(401);
    expect(problems).toEqual([]);
  });

  it("an administrator switches an employee off (their console ends) and on again", async () => {
    await createUser(world.server.ctx.db, {
      email: "chief@otklik.test",
      name: "Олег Главный",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    const op = await addOperator(world, "Пётр Лебедев", "lebedev@otklik.test");
    const opPage = await (await newContext(world, DESKTOP)).newPage();
    await login(opPage, op.email, op.password);

    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await acceptDialogs(page);
    await login(page, "chief@otklik.test", STAFF_PASSWORD);
    await openSettings(page, "Сотрудники");
    await page.getByRole("heading", { name: "Сотрудники" }).waitFor();
    const row = page.locator("tr", { hasText: "lebedev@otklik.test" });
    await page.getByRole("button", { name: "Отключить: Пётр Лебедев" }).click();
    await row.getByText("нет доступа").waitFor();

    // The operator's open console: the next request is refused and the sign-in page is shown.
    await opPage.reload();
    await opPage.getByRole("heading", { name: "Вход в консоль поддержки" }).waitFor();
    await opPage.getByLabel("Электронная почта").fill(op.email);
    await opPage.getByLabel("Пароль").fill(op.password);
    await opPage.getByRole("button", { name: "Войти" }).click();
    await opPage.getByText("Неверная почта или пароль.").waitFor();

    await page.getByRole("button", { name: "Включить: Пётр Лебедев" }).click();
    await row.getByText("действует").waitFor();
    await login(opPage, op.email, op.password);
    expect(problems).toEqual([]);
  });
});
