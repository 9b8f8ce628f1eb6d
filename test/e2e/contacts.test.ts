// «Контакты» on a phone: pick a topic and a region, see a line open now with a number to tap; from abroad, the
// dialling instruction; the whole directory grouped as the seed groups it, in Moscow time and the visitor's own.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/staff/service.ts";
import { DESKTOP, login, openSettings, PHONE, STAFF_PASSWORD, shot, startWorld, type World, watch } from "./support.ts";

describe("contacts page", () => {
  let world: World;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    world = await startWorld();
    // A visitor in Yekaterinburg: two hours ahead of Moscow, so both clocks must be shown.
    context = await world.browser.newContext({
      baseURL: world.url,
      viewport: PHONE,
      locale: "ru-RU",
      timezoneId: "Asia/Yekaterinburg",
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    problems = watch(page);
  });

  afterAll(async () => {
    await world?.close();
  });

  it("finds the regional line open now, with a tel: link", async () => {
    await page.goto("/");
    await page.getByRole("link", { name: "Контакты" }).first().click();
    await page.getByRole("heading", { level: 1, name: "Контакты службы поддержки" }).waitFor();

    await page.getByLabel("Тема вопроса").selectOption("access");
    await page.getByRole("combobox", { name: /^Регион/ }).fill("Воронежская обл.");
    const open = page.getByRole("list", { name: "Открыты сейчас" });
    const voronezh = open.getByRole("article", { name: "Поддержка госуслуг — Воронежская область" });
    await voronezh.waitFor();
    // The caller's own region comes first.
    expect(await open.getByRole("article").first().getAttribute("aria-labelledby")).toBe("line-region-voronezh");
    const tel = voronezh.getByRole("link", { name: /Позвонить/ });
    expect(await tel.getAttribute("href")).toBe("tel:+74732223344");
    expect(await voronezh.locator(".contacts-state").textContent()).toBe("Открыто круглосуточно");
    expect(await voronezh.textContent()).toContain("Почему эта линия: Региональная линия: Воронежская область");
    expect(page.url()).toContain("topic=access");
    await shot(page, "contacts-phone");
  });

  it("says when a line closes or opens, by Moscow time and the visitor's", async () => {
    const hotline = page.locator(".contacts-all").getByRole("article", { name: "Горячая линия для срочных случаев" });
    const text = (await hotline.locator(".contacts-state").textContent()) ?? "";
    const m = /(?:до|в) (\d\d):(\d\d) по Москве \(по вашему времени — (?:.*?)(\d\d):(\d\d)\)/.exec(text);
    expect(m, text).not.toBeNull();
    const [, mh, mm, yh, ym] = m!.map(Number);
    expect(yh).toBe((mh! + 2) % 24);
    expect(ym).toBe(mm);
    expect(text).toMatch(/^(Открыто до|Закрыто · откроется)/);
  });

  it("from abroad, offers the international numbers with the dialling instruction", async () => {
    await page.getByLabel("Я за границей").check();
    const intl = page
      .locator(".contacts-answer")
      .getByRole("article", { name: "Номер для звонков из-за рубежа", exact: true });
    await intl.waitFor();
    expect(await intl.locator(".contacts-dial").textContent()).toContain("00 7 495");
    expect(await intl.getByRole("link", { name: /Позвонить/ }).getAttribute("href")).toBe("tel:+74957777777");
    const numbers = await page
      .locator(".contacts-answer a[href^='tel:']")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(numbers).toEqual(["tel:+74957777777", "tel:+74957877800"]);
    await page.getByLabel("Я за границей").uncheck();
  });

  it("lists the whole directory in the seed's sections, without withdrawn lines", async () => {
    const all = page.locator(".contacts-all");
    const titles = await all.locator("h3").allTextContents();
    expect(titles).toEqual([
      "Федеральные линии",
      "Звонки из-за рубежа",
      "Региональные линии",
      "Юридические лица",
      "Индивидуальные предприниматели",
      "Тематические линии",
    ]);
    expect(await all.textContent()).not.toContain("Дагестан");
    expect(await all.getByRole("link", { name: /Позвонить/ }).count()).toBeGreaterThan(15);
  });

  it("says so when a region is not known, and the page had no errors", async () => {
    await page.getByRole("combobox", { name: /^Регион/ }).fill("Атлантида");
    await page.getByText("Такого региона нет в списке").waitFor();
    expect(await page.getByRole("combobox", { name: /^Регион/ }).getAttribute("aria-invalid")).toBe("true");
    // The 400 of the unknown region is expected; nothing else may go wrong.
    expect(problems.filter((p) => !p.includes("400"))).toEqual([]);
  });

  it("finds a region by its city, names it properly and leaves no refused region's lines on top", async () => {
    const region = page.getByRole("combobox", { name: /^Регион/ });
    await page.getByLabel("Тема вопроса").selectOption("access");
    await region.fill("Воронеж");
    const open = page.getByRole("list", { name: "Открыты сейчас" });
    await open.getByRole("article", { name: "Поддержка госуслуг — Воронежская область" }).waitFor();
    await region.fill("Атлантида");
    await page.getByText("Такого региона нет в списке").waitFor();
    expect(await page.locator(".contacts-answer article").count()).toBe(0);
    await region.fill("Питер");
    await page.getByText("В Санкт-Петербурге нет своей линии — звоните на федеральные номера.").waitFor();
    expect(await page.locator(".contacts-answer").textContent()).not.toContain("Воронеж");
    expect(problems.filter((p) => !p.includes("400"))).toEqual([]);
  });

  it("an administrator edits a line: the checker's message beside the field, then the saved change", async () => {
    await createUser(world.server.ctx.db, {
      email: "admin-directory@otklik.test",
      name: "Анна Админова",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    const desk = await (
      await world.browser.newContext({
        baseURL: world.url,
        viewport: DESKTOP,
        locale: "ru-RU",
        timezoneId: "Europe/Moscow",
      })
    ).newPage();
    const deskProblems = watch(desk);
    await login(desk, "admin-directory@otklik.test", STAFF_PASSWORD);
    await openSettings(desk, "Справочник линий");
    await desk.getByRole("heading", { level: 1, name: "Справочник линий" }).waitFor();
    expect(await desk.locator(".dir-lines tbody tr").count()).toBeGreaterThan(24);
    await shot(desk, "directory-admin");

    await desk.getByRole("button", { name: "Изменить: Горячая линия для срочных случаев" }).click();
    const number = desk.getByLabel("Номер, как его пишут");
    await number.fill("8 800 555-44-4");
    await desk.getByRole("button", { name: "Сохранить" }).click();
    await desk.getByRole("alert").waitFor();
    const beside = desk.locator("#dl-number-problem");
    // A Russian sentence beside the field; the checker's code stays in the API.
    expect(await beside.textContent()).toBe(
      "Номер «8 800 555-44-4» недействителен: после кода страны 9 цифр вместо 10.",
    );
    expect(await number.getAttribute("aria-invalid")).toBe("true");
    await number.scrollIntoViewIfNeeded();
    await shot(desk, "directory-admin-refused");

    await number.fill("8 800 555-44-44");
    await desk.getByLabel("Примечание для звонящих").fill("Только срочные вопросы по заявлениям.");
    await desk.getByRole("button", { name: "Сохранить" }).click();
    await desk.getByText("Строка urgent-hotline сохранена.").waitFor();

    // The overload switch of the main federal line puts its reserve first on the public page.
    const overload = desk.getByRole("switch", { name: "Перегрузка: Единый федеральный номер" });
    await overload.click();
    await desk.getByText(/отмечена перегруженной/).waitFor();
    // The notice comes with the server's answer; the switch follows once the list is read again.
    await expect.poll(() => overload.isChecked(), { timeout: 10_000 }).toBe(true);
    await page.goto("/contacts?topic=access");
    const open = page.getByRole("list", { name: "Открыты сейчас" });
    await open.getByRole("article").first().waitFor();
    const order = await open.getByRole("article").evaluateAll((as) => as.map((a) => a.getAttribute("aria-labelledby")));
    expect(order.indexOf("line-federal-reserve")).toBe(order.indexOf("line-federal-main") - 1);
    // The calendar year at a glance: 2026 has 247 working days.
    await desk.getByRole("tab", { name: "Календарь" }).click();
    await desk.getByRole("button", { name: "2026" }).click();
    await desk.getByText(/2026 год: рабочих дней 247/).waitFor();
    expect(await desk.locator(".dir-month").count()).toBe(12);
    await shot(desk, "directory-admin-calendar");

    // The refused save answered 400 on purpose; nothing else may go wrong.
    expect(deskProblems.filter((p) => !p.includes("400"))).toEqual([]);
  });
});
