// The file limits the pages read from the server, the tracking page's reply with a file, and the request page's
// drop-downs under the keyboard (arrowing through the choices acts once, when the choice is settled).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addOperator, DESKTOP, login, newContext, PHONE, startWorld, TINY_PNG, type World, watch } from "./support.ts";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

async function register(text: string): Promise<{ number: string; trackingUrl: string }> {
  const res = await fetch(`${world.url}/api/v1/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, category: "access", contact: { name: "Пётр", email: "petr@example.ru" } }),
  });
  return (await res.json()) as { number: string; trackingUrl: string };
}

const patches = (page: Page) => {
  const seen: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "PATCH") seen.push(r.url());
  });
  return seen;
};

describe("limits and controls", () => {
  it("the form and the tracking page's reply say the server's file limits; the reply carries a file", async () => {
    world.server.ctx.config.maxAttachments = 3;
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    await page.goto("/new");
    await expect.poll(() => page.locator("#f-files-hint").textContent()).toContain("до 3\u00a0файлов по 10\u00a0МБ");

    const { trackingUrl } = await register("Не приходит код подтверждения на телефон при входе");
    await page.goto(new URL(trackingUrl).pathname);
    await expect
      .poll(() => page.locator("#reply-files-hint").textContent())
      .toContain("до 3\u00a0файлов по 10\u00a0МБ");
    await page.getByLabel("Ваше сообщение").fill("Прикладываю снимок экрана с ошибкой.");
    await page
      .getByLabel("Приложить файлы")
      .setInputFiles({ name: "ошибка.png", mimeType: "image/png", buffer: TINY_PNG });
    await page.getByRole("button", { name: "Отправить", exact: true }).click();
    await page.getByText("Сообщение отправлено").waitFor();
    await expect.poll(() => page.locator(".thread").textContent()).toContain("ошибка.png");
    expect(problems).toEqual([]);
  });

  it("arrowing through the priority changes it once, when the select is left", async () => {
    const { number } = await register("Не открывается заявление на портале, ошибка при отправке");
    const op = await addOperator(world, "Нина Клавишина", "klavishina@otklik.test");
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    const sent = patches(page);
    await login(page, op.email, op.password);
    await page.goto(`/console/requests/${number}`);
    const priority = page.getByLabel("Приоритет");
    await priority.focus();
    await priority.press("ArrowDown");
    await priority.press("ArrowDown");
    expect(await priority.inputValue()).toBe("urgent");
    expect(sent).toEqual([]);
    await priority.press("Tab");
    await page.getByText("Приоритет изменён").waitFor();
    expect(sent).toHaveLength(1);
    await expect.poll(() => page.locator(".history").textContent()).toContain("Приоритет: Обычный → Срочный");
    expect(problems).toEqual([]);
  });
});
