// The statistics pages in Chromium: a supervisor opens «Сегодня» and «Период», sees the charts drawn, and downloads
// a table as CSV.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/staff/service.ts";
import { DESKTOP, login, newContext, STAFF_PASSWORD, shot, startWorld, type World, watch } from "./support.ts";

let world: World;

beforeAll(async () => {
  world = await startWorld();
  await createUser(world.server.ctx.db, {
    email: "head@otklik.test",
    name: "Руководитель смены",
    role: "supervisor",
    password: STAFF_PASSWORD,
  });
  // A few requests through the public form, so that today's and the period's figures are not empty.
  for (const text of ["Не приходит СМС с кодом", "Заявление застряло на проверке", "Портал не открывается"]) {
    const res = await fetch(`${world.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text, region: "Москва", contact: { email: "a@example.ru" } }),
    });
    expect(res.status).toBe(201);
  }
});
afterAll(() => world?.close());

describe("statistics in the console", () => {
  it("renders «today» and the period view with charts, and exports a table as CSV", async () => {
    const context = await newContext(world, DESKTOP);
    const page = await context.newPage();
    const problems = watch(page);
    await login(page, "head@otklik.test", STAFF_PASSWORD);
    await page.getByRole("link", { name: "Статистика" }).click();
    await page.getByRole("heading", { name: "Статистика" }).waitFor();

    const today = page.getByRole("region", { name: "Сегодня" });
    await expect.poll(() => today.getByText("Поступило сегодня").count()).toBe(1);
    await expect.poll(() => today.locator(".kpi").first().locator(".kpi__value").textContent()).toBe("3");
    await expect.poll(() => page.locator(".chart svg").count()).toBeGreaterThanOrEqual(2);

    // Live: a new request arrives and «today» counts it without a reload.
    await fetch(`${world.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "Как сменить номер телефона", contact: { email: "b@example.ru" } }),
    });
    await expect
      .poll(() => today.locator(".kpi").first().locator(".kpi__value").textContent(), { timeout: 15_000 })
      .toBe("4");
    await shot(page, "analytics-today");

    await page.getByRole("tab", { name: "Период" }).click();
    const main = page.getByRole("region", { name: "Главные показатели" });
    await main.waitFor();
    await expect.poll(() => main.locator(".kpi").first().locator(".kpi__value").textContent()).toBe("4");
    await expect.poll(() => page.locator(".chart svg").count()).toBeGreaterThanOrEqual(4);
    await page.getByRole("region", { name: "По регионам" }).getByText("Москва").first().waitFor();
    await shot(page, "analytics-period", true);

    const download = page.waitForEvent("download");
    await page.getByRole("region", { name: "По регионам" }).getByRole("link", { name: "CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^otklik-region-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await file.path())!, "utf8");
    expect(csv).toContain("Регион;Поступило");
    expect(csv).toMatch(/Москва;3;/);
    expect(problems).toEqual([]);
    await context.close();
  });
});
