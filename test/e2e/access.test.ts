// Accessibility basics on every page: language, labels on every control, a keyboard path with a visible
// focus, and no horizontal scrolling at 360 px.

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayRequestNumber } from "../../src/text/display.ts";
import { addOperator, login, newContext, startWorld, type World } from "./support.ts";

/** Controls without an accessible name: a <label>, aria-label or aria-labelledby. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => el.type !== "hidden")
      .filter((el) => {
        const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
        const text = el.tagName === "BUTTON" && el.textContent.trim();
        return !named && !text;
      })
      .map((el) => el.outerHTML.slice(0, 120))
  `);
}

const pageWidth = (page: Page) => page.evaluate<number>("document.documentElement.scrollWidth");

describe("accessibility basics", () => {
  let world: World;
  let trackPath = "";
  let number = "";

  beforeAll(async () => {
    world = await startWorld();
    const res = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не приходит код подтверждения для входа, прошу помочь.", contact: { name: "Пётр" } },
    });
    trackPath = new URL(res.json().trackingUrl).pathname;
    number = res.json().number;
  });
  afterAll(async () => {
    await world?.close();
  });

  it("labels every control and fits 360 px on the public pages", async () => {
    const page = await (await newContext(world, { width: 360, height: 740 })).newPage();
    for (const path of ["/", "/new", trackPath]) {
      await page.goto(path);
      await page.locator("h1").first().waitFor();
      expect(await page.locator("html").getAttribute("lang")).toBe("ru");
      expect(await unlabelled(page), path).toEqual([]);
      expect(await pageWidth(page), path).toBeLessThanOrEqual(360);
    }
  });

  it("labels every control and fits 360 px in the console", async () => {
    const page = await (await newContext(world, { width: 360, height: 740 })).newPage();
    await page.goto("/console");
    await page.getByRole("heading", { name: "Вход в консоль поддержки" }).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    const op = await addOperator(world, "Вера Лебедева", "lebedeva@otklik.test");
    await login(page, op.email, op.password);
    await page.locator(`tr[data-number="${number}"]`).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
    await page.goto(`/console/requests/${number}`);
    await page.getByRole("heading", { name: `Обращение ${displayRequestNumber(number)}` }).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  });

  it("can be used from the keyboard, with a visible focus", async () => {
    const page = await (await newContext(world, { width: 1280, height: 800 })).newPage();
    await page.goto("/");
    await page.getByRole("heading", { name: "Служба поддержки", level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    const skip = await page.evaluate<{ text: string; outline: string }>(
      `({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle })`,
    );
    expect(skip).toEqual({ text: "Перейти к содержанию", outline: "solid" });

    // Tab to the «write a request» link and follow it with Enter.
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      const text = await page.evaluate<string>("document.activeElement.textContent");
      if (text === "Написать обращение") break;
    }
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Новое обращение" }).waitFor();

    // Fill the text and send the form with Enter from a one-line field.
    await page.getByLabel("Текст обращения").focus();
    await page.keyboard.type("Не открывается страница с заявлениями, только белый экран.");
    await page.getByLabel("Как к вам обращаться").focus();
    await page.keyboard.type("Кирилл");
    const outline = await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle");
    expect(outline).toBe("solid");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Обращение зарегистрировано" }).waitFor();
    // Focus moves to the result, so a screen reader announces it.
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Обращение зарегистрировано");
  });
});
