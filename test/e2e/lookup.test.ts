// «Find my request» on a phone: the number in any spacing and the e-mail given in the request bring a fresh tracking
// link by mail; the page says the same whatever matched; a cut link or a bare number is explained, not refused.
import { readdirSync, readFileSync } from "node:fs";
import { simpleParser } from "mailparser";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newContext, PHONE, shot, startWorld, type World, watch } from "./support.ts";

describe("start page lookup", () => {
  let world: World;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let number: string;

  beforeAll(async () => {
    world = await startWorld();
    context = await newContext(world, PHONE);
    page = await context.newPage();
    problems = watch(page);
    const res = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не приходит код подтверждения", contact: { email: "Lost.Link@example.ru" } },
    });
    number = res.json().number;
  });

  afterAll(async () => {
    await world?.close();
  });

  it("takes a number typed where the link goes to the lookup form, and sends the link to the e-mail on file", async () => {
    await page.goto("/");
    const spaced = number.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
    await page.getByLabel("Ссылка для отслеживания").fill(`№ ${spaced}`);
    await page.getByRole("button", { name: "Открыть обращение" }).click();
    await page.getByText("Это номер обращения, а не ссылка").waitFor();
    expect(await page.getByLabel("Номер обращения").inputValue()).toBe(`№ ${spaced}`);

    await page.getByLabel("Почта или телефон из обращения").fill("lost.link@EXAMPLE.ru");
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.getByRole("status").filter({ hasText: "мы отправили ссылку" }).waitFor();
    expect(await page.getByRole("status").first().textContent()).toContain(
      "Если номер и контакт совпадают с указанными в обращении, мы отправили ссылку на этот контакт.",
    );
    // The note under the link field has done its work and is gone.
    expect(await page.getByText("Это номер обращения, а не ссылка").count()).toBe(0);
    // Nothing overflows the phone's width.
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    await shot(page, "start-lookup-phone");

    await world.server.ctx.worker.kick();
    const dir = `${world.server.dataDir}/outbox`;
    const letters = await Promise.all(readdirSync(dir).map((f) => simpleParser(readFileSync(`${dir}/${f}`))));
    const letter = letters.find((m) => m.text?.includes("Вы запросили ссылку"));
    const link = /https?:\/\/\S+\/track\/[A-Za-z0-9_-]{43}/.exec(letter?.text ?? "")?.[0];
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.getByText(`Обращение № ${spaced}`).waitFor();
    expect(problems).toEqual([]);
  });

  it("answers the same for a contact that does not match, and explains a cut link", async () => {
    await page.goto("/");
    await page.getByLabel("Номер обращения").fill(number);
    await page.getByLabel("Почта или телефон из обращения").fill("+7 912 000-00-00");
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.getByRole("status").filter({ hasText: "мы отправили ссылку" }).waitFor();

    await page.goto("/");
    await page.getByLabel("Ссылка для отслеживания").fill(`${world.url}/track/abc`);
    await page.getByRole("button", { name: "Открыть обращение" }).click();
    await page.getByText("Ссылка обрезана").waitFor();

    await page.getByLabel("Номер обращения").fill("1 030 027");
    await page.getByLabel("Почта или телефон из обращения").fill("a@example.ru");
    await page.getByRole("button", { name: "Прислать ссылку" }).click();
    await page.getByText("В номере ошибка").waitFor();
    expect(problems).toEqual([]);
  });
});
