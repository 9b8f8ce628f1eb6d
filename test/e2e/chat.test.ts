// The chat in the browser: an applicant on a phone talks to the bot, asks for a person, and an operator in
// another browser answers from the console's chat inbox; the same chat embedded on another site by /widget.js.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChat } from "../../src/channels/chat/settings.ts";
import { addOperator, DESKTOP, login, newContext, PHONE, shot, startWorld, type World, watch } from "./support.ts";

describe("chat: applicant, bot, operator", () => {
  let world: World;
  let applicant: BrowserContext;
  let operator: BrowserContext;
  let phone: Page;
  let desk: Page;
  let phoneProblems: string[];
  let deskProblems: string[];
  let host: Server;

  beforeAll(async () => {
    world = await startWorld();
    configureChat(world.server.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
    applicant = await newContext(world, PHONE);
    operator = await newContext(world, DESKTOP);
    phone = await applicant.newPage();
    desk = await operator.newPage();
    phoneProblems = watch(phone);
    deskProblems = watch(desk);
  });

  afterAll(async () => {
    host?.close();
    await world?.close();
  });

  it("the bot answers from the help articles, then the applicant asks for a person", async () => {
    await phone.goto("/");
    await phone.getByRole("button", { name: "Чат", exact: true }).click();
    const chat = phone.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByLabel("Как к вам обращаться").fill("Мария");
    await chat.getByLabel("Электронная почта").fill("maria@example.ru");
    await chat.getByRole("button", { name: "Начать чат" }).click();
    await chat.getByLabel("Сообщение").fill("Не приходит смс с кодом для входа");
    await chat.getByLabel("Сообщение").press("Enter");
    await chat
      .getByRole("link", { name: /СМС|код/i })
      .first()
      .waitFor();
    await chat.getByText(/обращение зарегистрировано под номером/).waitFor();
    await shot(phone, "chat-bot-phone");
    await chat.getByRole("button", { name: "Позвать оператора" }).click();
    await chat.getByText("Ждём оператора").waitFor();
  });

  it("an operator accepts from the queue, sees the whole conversation and answers; typing shows both ways", async () => {
    const op = await addOperator(world, "Ольга Смирнова", "olga@otklik.test");
    await login(desk, op.email, op.password);
    await desk.getByRole("link", { name: "Чаты" }).click();
    await desk.getByRole("heading", { name: "Чаты", level: 1 }).waitFor();
    await desk.getByRole("button", { name: "Принять" }).first().click();
    const log = desk.getByRole("log", { name: "Переписка" });
    await log.getByText("Не приходит смс с кодом для входа").waitFor();
    // Contacts are masked until revealed with a reason (recorded in the audit log).
    const side = desk.getByRole("complementary", { name: "О заявителе" });
    await side.getByText("m•••@example.ru").waitFor();
    expect(await side.getByText("maria@example.ru").count()).toBe(0);
    await side.getByRole("button", { name: "Показать" }).click();
    await side.getByLabel(/Зачем нужны контакты/).fill("Написать заявителю, если чат прервётся");
    await side.getByRole("button", { name: "Показать" }).click();
    await side.getByRole("link", { name: "maria@example.ru" }).waitFor();
    await desk.getByRole("heading", { name: "Ответы из базы знаний" }).waitFor();

    const chat = phone.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByText("Оператор Ольга в чате").waitFor();
    await desk.getByLabel("Ответ заявителю").pressSequentially("Здравствуйте", { delay: 20 });
    await chat.getByText("Оператор печатает…").waitFor();
    await desk.getByLabel("Ответ заявителю").fill("Здравствуйте, Мария! Проверим номер телефона в профиле.");
    await desk.getByLabel("Ответ заявителю").press("Enter");
    await chat.getByText("Здравствуйте, Мария! Проверим номер телефона в профиле.").waitFor();

    await chat.getByLabel("Сообщение").pressSequentially("Номер верный", { delay: 20 });
    await desk.getByText("Заявитель печатает…").waitFor();
    await chat.getByLabel("Сообщение").press("Enter");
    await log.getByText("Номер верный").waitFor();

    // The operator sends a PDF with a caption; the applicant gets a link to it.
    await desk.getByLabel("Ответ заявителю").fill("Памятка по восстановлению доступа");
    await desk.getByLabel("Приложить файл").setInputFiles({
      name: "памятка.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
    });
    await log.getByRole("link", { name: "Файл: памятка.pdf" }).waitFor();
    await chat.getByText("Памятка по восстановлению доступа").waitFor();
    await chat.getByRole("link", { name: /памятка\.pdf/ }).waitFor();
    await shot(phone, "chat-operator-phone");
    await shot(desk, "console-chat");

    await desk.getByRole("button", { name: "Завершить чат" }).click();
    await chat.getByRole("button", { name: "Начать новый чат" }).waitFor();
    expect(phoneProblems).toEqual([]);
    expect(deskProblems).toEqual([]);
  });

  it("/widget.js on another site opens the same chat", async () => {
    host = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html lang="ru"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Сайт ведомства</title></head><body><h1>Сайт ведомства</h1><script src="${world.url}/widget.js"></script></body></html>`,
      );
    });
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    // «localhost» is another origin than Otklik's 127.0.0.1.
    const site = `http://localhost:${(host.address() as AddressInfo).port}/`;
    const page = await (await newContext(world, PHONE)).newPage();
    const problems = watch(page);
    await page.goto(site);
    await page.getByRole("button", { name: "Чат с поддержкой" }).click();
    const chat = page.getByRole("dialog", { name: "Чат поддержки" });
    await chat.getByLabel("Телефон").fill("+7 912 345-67-89");
    await chat.getByRole("button", { name: "Начать чат" }).click();
    await chat.getByLabel("Сообщение").fill("Как восстановить пароль от госуслуг?");
    await chat.getByLabel("Сообщение").press("Enter");
    await chat.getByRole("button", { name: "Это помогло" }).waitFor();
    await shot(page, "chat-widget-phone");
    await chat.getByRole("button", { name: "Это помогло" }).click();
    await chat.getByRole("button", { name: "Начать новый чат" }).waitFor();
    expect(problems).toEqual([]);
  });
});
