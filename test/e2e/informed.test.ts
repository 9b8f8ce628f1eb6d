// Kept informed, on a phone in Novosibirsk: a declared incident on the start page and the request form, gone once
// resolved; the tracking page's links and phone numbers as links, its deadline in Moscow time, labelled.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/staff/service.ts";
import { moscowDateTime } from "../../src/text/display.ts";
import {
  DESKTOP,
  login,
  newContext,
  PHONE,
  STAFF_PASSWORD,
  startWorld,
  TINY_PNG,
  type World,
  watch,
} from "./support.ts";

describe("kept informed", () => {
  let world: World;
  let supervisor: Awaited<ReturnType<World["server"]["staff"]>>;

  beforeAll(async () => {
    world = await startWorld();
    supervisor = await world.server.staff("supervisor");
  });
  afterAll(async () => {
    await world?.close();
  });

  const call = async (method: "GET" | "POST", url: string, payload?: unknown) => {
    const r = await world.server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: supervisor.authorization },
      ...(payload ? { payload } : {}),
    });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  // An applicant far from Moscow: four hours ahead of it.
  const phoneInNovosibirsk = () =>
    world.browser.newContext({
      baseURL: world.url,
      viewport: PHONE,
      locale: "ru-RU",
      timezoneId: "Asia/Novosibirsk",
      isMobile: true,
      hasTouch: true,
    });

  it("shows an incident on the start page and the form, and not once it is resolved", async () => {
    const context = await phoneInNovosibirsk();
    const page = await context.newPage();
    const problems = watch(page);
    const since = new Date(Date.now() - 30 * 60_000);
    const { id } = await call("POST", "/incidents", {
      title: "Не приходят СМС с кодом подтверждения",
      publicMessage: "Мы знаем, что СМС с кодом сейчас не приходят. Повторно обращаться не нужно.",
      description: "Для сотрудников: шлюз отвечает 503",
      keywords: ["смс", "код подтверждения"],
      since: since.toISOString(),
    });

    await page.goto("/");
    const banner = page.getByRole("region", { name: "Известный сбой" });
    await banner.getByText("Не приходят СМС с кодом подтверждения").waitFor();
    const text = (await banner.textContent()) ?? "";
    expect(text).toContain("Повторно обращаться не нужно.");
    expect(text).toContain(`Сбой с ${moscowDateTime(since)} по московскому времени.`);
    expect(text).not.toContain("503");
    // The banner fits the phone's width.
    const box = (await banner.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);

    // The help centre says it too.
    await page.goto("/help");
    await page
      .getByRole("region", { name: "Известный сбой" })
      .getByText("Не приходят СМС с кодом подтверждения")
      .waitFor();

    // The form says it before sending, when the text is about it — and only then.
    await page.goto("/new");
    const field = page.getByLabel("Текст обращения");
    await field.fill("Как распечатать выписку из лицевого счёта?");
    await page.waitForTimeout(1200);
    expect(await page.getByRole("region", { name: "Известный сбой" }).count()).toBe(0);
    await field.fill("Не приходит смс с кодом, когда вхожу на портал");
    const onForm = page.getByRole("region", { name: "Известный сбой" });
    await onForm.getByText("Похоже, вы пишете об известном сбое.", { exact: false }).waitFor();

    await call("POST", `/incidents/${id}/resolve`, {});
    await page.goto("/");
    await page.getByRole("heading", { name: "Служба поддержки", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Написать обращение" }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("region", { name: /Известн/ }).count()).toBe(0);
    await page.goto("/help");
    await page.getByRole("heading", { name: "Справка", level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.getByRole("region", { name: /Известн/ }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("makes the links and phone numbers of an answer links, and gives the deadline in Moscow time", async () => {
    const created = await world.server.app.inject({
      method: "POST",
      url: "/api/v1/requests",
      payload: { text: "Не могу подписать заявление электронной подписью" },
    });
    const { number, trackingUrl } = created.json() as { number: string; trackingUrl: string };
    await call("POST", `/requests/${number}/messages`, {
      body: "Инструкция: https://www.gosuslugi.ru/help/faq/signature. Если не получится, позвоните 8 800 100-70-10.",
      visibility: "public",
    });
    await call("POST", `/requests/${number}/messages`, {
      body: "Внутреннее: проверить сертификат",
      visibility: "note",
    });

    const context = await phoneInNovosibirsk();
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(new URL(trackingUrl).pathname);
    await page.getByRole("heading", { name: /Обращение №/ }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      `Обращение № ${number.replace(/\B(?=(\d{3})+(?!\d))/g, " ")}`,
    );

    const thread = page.getByRole("list", { name: "Переписка по обращению" });
    const link = thread.getByRole("link", { name: "https://www.gosuslugi.ru/help/faq/signature" });
    expect(await link.getAttribute("href")).toBe("https://www.gosuslugi.ru/help/faq/signature");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(await link.getAttribute("target")).toBe("_blank");
    const tel = thread.getByRole("link", { name: "Позвонить: 8 800 100-70-10" });
    expect(await tel.getAttribute("href")).toBe("tel:+78001007010");
    expect(await thread.textContent()).not.toContain("Внутреннее");

    const view = (
      await world.server.app.inject({ method: "GET", url: `/api/v1/track/${trackingUrl.split("/").at(-1)}` })
    ).json();
    const due = page.locator(".status-card__due");
    const dueText = (await due.textContent()) ?? "";
    expect(dueText).toContain(`${moscowDateTime(view.dueAt)} по московскому времени`);
    // The browser's own clock reads four hours later: that is not what the page says.
    const local = await page.evaluate(
      (iso) => new Date(iso).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" }),
      view.dueAt,
    );
    expect(dueText).not.toContain(` в ${local} `);

    // A follow-up with a screenshot, within the server's limits (said in the hint).
    expect(await page.locator("#reply-files-hint").textContent()).toMatch(/до\s\d+\sфайл\S*\sпо\s\d/);
    await page.getByLabel("Ваше сообщение").fill("Не получилось, снимок экрана приложен.");
    await page
      .getByText("Приложить файлы")
      .setInputFiles({ name: "ошибка.png", mimeType: "image/png", buffer: TINY_PNG });
    await page.getByRole("button", { name: "Отправить" }).click();
    await thread.getByRole("link", { name: "ошибка.png" }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lets an administrator set the chat's hours; the widget says them, when operators are back and the incident", async () => {
    await createUser(world.server.ctx.db, {
      email: "chat-admin@otklik.test",
      name: "Анна Админова",
      role: "administrator",
      password: STAFF_PASSWORD,
    });
    const desk = await (await newContext(world, DESKTOP)).newPage();
    await login(desk, "chat-admin@otklik.test", STAFF_PASSWORD);
    await desk.goto("/console/chat");
    const panel = desk.getByRole("region", { name: "Часы работы операторов чата" });
    await panel.getByLabel("Ежедневно").check();
    await panel.getByLabel("С (по московскому времени)").fill("08:00");
    await panel.getByLabel("До (по московскому времени)").fill("08:01");
    await panel.getByRole("button", { name: "Сохранить" }).click();
    await panel
      .getByText("Сохранено: операторы чата работают с 8:00 до 8:01 по московскому времени ежедневно.")
      .waitFor();

    const { id } = await call("POST", "/incidents", {
      title: "Не открывается раздел «Заявления»",
      keywords: ["заявление"],
    });
    const context = await phoneInNovosibirsk();
    const page = await context.newPage();
    await page.goto("/");
    await page.getByRole("button", { name: "Чат", exact: true }).click();
    const chat = page.getByRole("dialog", { name: "Чат поддержки" });
    await chat
      .getByRole("region", { name: "Известный сбой" })
      .getByText("Не открывается раздел «Заявления»", { exact: true })
      .waitFor();
    const hours = (await chat.locator(".chat__hours").textContent()) ?? "";
    expect(hours).toContain("Операторы работают с 8:00 до 8:01 по московскому времени ежедневно.");
    // A minute a day: nearly always closed, and the widget says when they are back.
    if (!hours.includes("Сейчас на связи")) {
      expect(hours).toMatch(
        /Вернутся (сегодня|завтра) в 8:00 по московскому времени; а сейчас можно оставить обращение\./,
      );
    }
    await call("POST", `/incidents/${id}/resolve`, {});
    await context.close();
    await desk.context().close();
  });
});
