// The help centre on a phone: search with suggestions, an article, a vote; the request form's suggestion opened
// and the form left (one deflected visit); an operator puts an article's answer into a reply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("help centre and knowledge base", () => {
  let world: World;
  let admin: Awaited<ReturnType<World["server"]["staff"]>>;

  beforeAll(async () => {
    world = await startWorld();
    admin = await world.server.staff("administrator");
  });
  afterAll(async () => {
    await world?.close();
  });

  const stats = async () =>
    (
      await world.server.app.inject({
        method: "GET",
        url: "/api/v1/kb/stats",
        headers: { authorization: admin.authorization },
      })
    ).json();

  it("finds an article as the applicant types, shows it and counts the vote", async () => {
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    await page.goto("/help");
    await page.getByRole("heading", { name: "Справка", level: 1 }).waitFor();
    await page.getByRole("link", { name: /Вход, пароль и коды подтверждения/ }).waitFor();

    // Typed on the wrong keyboard layout: «пароль».
    await page.getByLabel("Поиск по справке").fill("gfhjkm");
    const result = page.getByRole("list", { name: "Найденные статьи" }).getByRole("link").first();
    await expect.poll(() => result.textContent()).toBe("Как восстановить пароль");
    expect(await page.locator(".help-results mark").count()).toBeGreaterThan(0);
    await result.click();

    await page.getByRole("heading", { name: "Как восстановить пароль", level: 1 }).waitFor();
    expect(await page.locator(".help-article ol li").count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator(".help-article strong").first().textContent()).toBe("8-800-555-35-35");
    // «Смотрите статью «…»» leads to that article.
    const related = page.locator(".help-article").getByRole("link", { name: "Не приходит СМС с кодом подтверждения" });
    await expect.poll(() => related.getAttribute("href")).toBe("/help/sms-code-not-received");
    const write = page.getByRole("link", { name: "Не нашли ответ? Напишите нам" });
    expect(await write.getAttribute("href")).toBe("/new");

    await page.getByRole("heading", { name: "Была ли статья полезной?" }).waitFor();
    await page.getByRole("button", { name: "Да" }).click();
    await page.getByText("Спасибо! Рады, что статья помогла.").waitFor();
    const s = await stats();
    expect(s.articles.find((a: { slug: string }) => a.slug === "password-recovery").helpfulYes).toBe(1);

    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(PHONE.width);
    expect(problems).toEqual([]);
  });

  it("counts a form visit that ended with an article instead of a request", async () => {
    const context = await newContext(world, PHONE);
    const page = await context.newPage();
    await page.goto("/new");
    await page.getByLabel("Текст обращения").fill("Не приходит смс с кодом подтверждения на телефон");
    const suggestion = page.locator(".suggestions a").first();
    await suggestion.waitFor();
    const [article] = await Promise.all([context.waitForEvent("page"), suggestion.click()]);
    await article.getByRole("heading", { level: 1 }).waitFor();
    await expect.poll(async () => (await stats()).totals.visitsOpened).toBe(1);

    // The applicant reads the article and closes the form without sending it.
    await page.close({ runBeforeUnload: true });
    await expect.poll(async () => (await stats()).totals.visitsDeflected, { timeout: 10_000 }).toBe(1);
    expect((await stats()).totals.visitsSubmitted).toBe(0);
  });

  it("lets an operator insert an article's answer into a reply", async () => {
    const created = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: {
        subject: "Не приходит СМС с кодом",
        text: "Третий день не могу войти: код по смс так и не пришёл.",
        contact: { name: "Ольга", email: "olga@example.ru" },
      },
    });
    const number = created.json().number as string;
    const op = await addOperator(world, "Инна Соколова", "sokolova@otklik.test");
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, op.email, op.password);
    await page.goto(`/console/requests/${number}`);
    await page.getByRole("heading", { name: "База знаний" }).waitFor();
    const insert = page.getByRole("button", { name: "Вставить в ответ: Не приходит СМС с кодом подтверждения" });
    await insert.click();
    const reply = page.getByLabel("Сообщение");
    await expect.poll(() => reply.inputValue()).toContain(`${world.url}/help/sms-code-not-received`);
    expect(await reply.inputValue()).toMatch(/^[^\n]+\n\n1\. /);

    await page.getByRole("button", { name: "Ответить заявителю" }).click();
    await page.getByText("Ответ отправлен заявителю").waitFor();
    const detail = await world.server.app.inject({
      method: "GET",
      url: `/api/v1/requests/${number}`,
      headers: { authorization: admin.authorization },
    });
    const messages = detail.json().messages as { visibility: string; body: string }[];
    expect(messages.some((m) => m.visibility === "public" && m.body.includes("/help/sms-code-not-received"))).toBe(
      true,
    );
    expect(problems).toEqual([]);
  });

  it("lets an administrator write an article with a preview, refuses to publish it with errors, then publishes", async () => {
    await createUser(world.server.ctx.db, {
      email: "editor@otklik.test",
      name: "Мария Редактор",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    const page = await (await newContext(world, DESKTOP)).newPage();
    const problems = watch(page);
    await login(page, "editor@otklik.test", STAFF_PASSWORD);
    await page.goto("/console/kb");
    await page.getByRole("heading", { name: "База знаний", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Новая статья" }).click();
    await page.getByLabel("Адрес (латиница, цифры, дефисы)").fill("test-editor");
    await page.getByLabel("Заголовок").fill("Проверка редактора");
    await page.getByLabel("Краткое описание").fill("Статья, написанная в браузере.");
    const body = [
      "Позвоните 8-800-100-00-00.",
      "",
      "<script>alert(1)</script> и [ссылка](javascript:alert(1))",
      "",
      "1. Первый шаг.",
      "2. Второй шаг.",
    ].join("\n");
    await page.getByLabel("Текст (Markdown)").fill(body);
    const preview = page.getByRole("region", { name: "Предпросмотр" });
    await expect.poll(() => preview.locator("ol li").count()).toBe(2);
    expect(await preview.textContent()).toContain("<script>alert(1)</script>");
    expect(await preview.locator("a").count()).toBe(0);

    await page.getByRole("button", { name: "Сохранить" }).click();
    await page.getByRole("button", { name: "Опубликовать" }).click();
    await page.getByRole("alert").filter({ hasText: "Статью нельзя опубликовать" }).waitFor();
    await page.getByText(/Ошибка: номер «8-800-100-00-00» не из проверенного списка/).waitFor();

    await page.getByLabel("Текст (Markdown)").fill(body.replace("8-800-100-00-00", "8-800-555-35-35"));
    await page.getByRole("button", { name: "Сохранить" }).click();
    await page.getByText("Сохранено").waitFor();
    await page.getByRole("button", { name: "Опубликовать" }).click();
    await page.getByText("Опубликовано", { exact: true }).waitFor();
    await page.getByText("История изменений").click();
    await expect.poll(() => page.locator(".kb-editor__history li").filter({ hasText: "Версия" }).count()).toBe(3);

    const reader = await (await newContext(world, PHONE)).newPage();
    const readerProblems = watch(reader);
    await reader.goto("/help/test-editor");
    await reader.getByRole("heading", { name: "Проверка редактора", level: 1 }).waitFor();
    expect(await reader.locator(".help-article").textContent()).toContain("<script>alert(1)</script>");
    expect(await reader.locator(".help-article .markdown a").count()).toBe(0);
    expect(readerProblems).toEqual([]);
    // The refused publication is a 422 answer, which Chromium logs; nothing else may go wrong.
    expect(problems.filter((p) => !p.includes("status of 422"))).toEqual([]);
  });
});
