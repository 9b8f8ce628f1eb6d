// What applicants type is text and stays text; files sent with the form arrive with the request.

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addOperator, DESKTOP, login, newContext, PHONE, startWorld, TINY_PNG, type World, watch } from "./support.ts";

const HOSTILE =
  'Помогите <script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2"> <b>жирный</b> & «кавычки»';

async function submit(page: Page, text: string, name = "") {
  await page.goto("/new");
  await page.getByLabel("Текст обращения").fill(text);
  if (name) await page.getByLabel("Как к вам обращаться").fill(name);
  await page.getByRole("button", { name: "Отправить обращение" }).click();
  await page.getByRole("heading", { name: "Обращение зарегистрировано" }).waitFor();
  return {
    number: (await page.locator(".request-number").getAttribute("data-number"))!,
    link: await page.getByLabel("Ваша ссылка").inputValue(),
  };
}

describe("the pages never run what people type", () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it("shows <script> and <img onerror> from an applicant and an operator as text", async () => {
    const applicant = await (await newContext(world, PHONE)).newPage();
    const problems = watch(applicant);
    const { number, link } = await submit(applicant, HOSTILE, '<img src=x onerror="window.__xss = 3">');

    await applicant.goto(new URL(link).pathname);
    await applicant.locator(".message--applicant").waitFor();
    expect(await applicant.locator(".message--applicant .message__body").textContent()).toBe(HOSTILE);
    expect(await applicant.locator(".thread img").count()).toBe(0);
    expect(await applicant.locator(".thread script").count()).toBe(0);

    const operator = await (await newContext(world, DESKTOP)).newPage();
    const opProblems = watch(operator);
    const op = await addOperator(world, "Олег Петров", "petrov@otklik.test");
    await login(operator, op.email, op.password);
    await operator.goto(`/console/requests/${number}`);
    await operator.locator(".message--applicant").waitFor();
    expect(await operator.locator(".message--applicant .message__body").textContent()).toBe(HOSTILE);
    expect(await operator.locator(`section[aria-labelledby="contact-title"]`).textContent()).toContain(
      '<img src=x onerror="window.__xss = 3">',
    );
    await operator
      .getByLabel("Сообщение")
      .fill('Ответ <img src=y onerror="window.__xss = 4"><script>window.__xss=5</script>');
    await operator.getByRole("button", { name: "Ответить заявителю" }).click();

    await applicant.locator(".message--support").waitFor();
    expect(await applicant.locator(".message--support .message__body").textContent()).toBe(
      'Ответ <img src=y onerror="window.__xss = 4"><script>window.__xss=5</script>',
    );
    expect(await applicant.locator(".thread img").count()).toBe(0);
    for (const page of [applicant, operator]) {
      expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    }
    expect(problems).toEqual([]);
    expect(opProblems).toEqual([]);
  });

  it("refuses an empty form and a bad phone with Russian messages next to the fields", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    await page.goto("/new");
    await page.getByLabel("Текст обращения").fill("Вопрос про статус заявления");
    // The browser check lets through what the server refuses: the server's words appear by the field.
    await page.getByLabel("Телефон").fill("+7 872 33-44-55");
    await page.getByRole("button", { name: "Отправить обращение" }).click();
    await page.locator("#f-phone-error").waitFor();
    expect(await page.locator("#f-phone-error").textContent()).toContain("Проверьте номер телефона");
    expect(await page.getByRole("alert").textContent()).toContain("Проверьте номер телефона");
  });

  it("makes one request when the answer is lost and the applicant sends again", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    let dropped = 0;
    // The first submission reaches the server, but its answer never reaches the browser.
    await page.route("**/api/v1/requests", async (route) => {
      if (route.request().method() === "POST" && dropped === 0) {
        dropped++;
        await route.fetch();
        await route.abort("connectionreset");
        return;
      }
      await route.continue();
    });
    const text = `Повторная отправка после обрыва связи ${Date.now()}`;
    await page.goto("/new");
    await page.getByLabel("Текст обращения").fill(text);
    await page.getByRole("button", { name: "Отправить обращение" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("Нет связи с сервером");
    await page.getByRole("button", { name: "Отправить обращение" }).click();
    await page.getByRole("heading", { name: "Обращение зарегистрировано" }).waitFor();

    const boss = await world.server.staff("supervisor");
    const found = await world.server.app.inject({
      url: `/api/v1/requests?q=${encodeURIComponent("обрыва связи")}&status=new`,
      headers: { authorization: boss.authorization },
    });
    const same = (found.json().items as { subject: string }[]).filter((i) => i.subject.includes(text.slice(-13)));
    expect(same).toHaveLength(1);
    expect(await page.locator(".request-number").getAttribute("data-number")).toBe(
      (found.json().items as { number: string; subject: string }[]).find((i) => i.subject.includes(text.slice(-13)))!
        .number,
    );
  });

  it("suggests help articles while the applicant types", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    const spec = await world.server.app.inject({ url: "/api/v1/openapi.json" });
    const real = Object.keys(spec.json().paths).some((p) => p.endsWith("/kb/search"));
    if (!real) {
      // Until the knowledge base has its HTTP route, the browser gets the contract's answer from a stub.
      await page.route("**/api/v1/openapi.json", (r) => r.fulfill({ json: { paths: { "/api/v1/kb/search": {} } } }));
      await page.route("**/api/v1/kb/search*", (r) =>
        r.fulfill({ json: [{ slug: "sms-code-not-received", title: "Не приходит код из СМС", score: 9.1 }] }),
      );
    }
    await page.goto("/new");
    await page.getByLabel("Текст обращения").fill("Не приходит смс с кодом подтверждения");
    const box = page.locator(".suggestions");
    await box.waitFor();
    const link = box.getByRole("link").first();
    expect(await link.getAttribute("href")).toMatch(/^\/help\/[a-z0-9-]+$/);
    if (!real) expect(await link.textContent()).toBe("Не приходит код из СМС");
  });

  it("sends attachments with the form; they are listed and downloadable on the tracking page", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    await page.goto("/new");
    await page.getByLabel("Текст обращения").fill("Ошибка при загрузке документа, снимок экрана приложен.");
    await page.getByLabel("Прикрепить файлы").setInputFiles([
      { name: "ошибка.png", mimeType: "image/png", buffer: TINY_PNG },
      { name: "описание.txt", mimeType: "text/plain", buffer: Buffer.from("Браузер: Chromium, Linux") },
    ]);
    await page.getByRole("button", { name: "Отправить обращение" }).click();
    const done = page.getByRole("heading", { name: "Обращение зарегистрировано" });
    const refused = page.getByRole("alert");
    await Promise.race([done.waitFor(), refused.waitFor()]);
    // Fail with the server's own words when it refuses the multipart form.
    const said = refused
      .first()
      .textContent()
      .catch(() => null);
    expect(await refused.count(), (await said) ?? "").toBe(0);
    await page.getByRole("link", { name: "Открыть страницу обращения" }).click();
    const file = page.getByRole("link", { name: "ошибка.png" });
    await file.waitFor();
    expect(await page.getByRole("link", { name: "описание.txt" }).count()).toBe(1);
    const res = await page.request.get((await file.getAttribute("href"))!);
    expect(res.status()).toBe(200);
    expect(Buffer.from(await res.body()).equals(TINY_PNG)).toBe(true);
  });
});
