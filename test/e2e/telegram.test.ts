// A Telegram conversation answered from the console: the applicant writes to the bot (the stand-in Bot API), asks for
// an operator, and an operator takes the conversation in the console's chat inbox and answers; the answer reaches the
// Telegram chat, and the request shows its channel.
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureChat } from "../../src/channels/chat/settings.ts";
import { startTelegramBotApi, type TelegramBotApi } from "../telegram-bot-api.ts";
import { addOperator, DESKTOP, login, newContext, startWorld, type World, watch } from "./support.ts";

const TOKEN = "555000111:AAe2e-telegram-stand-in-token";
const CHAT = 4_242_4242;

describe("telegram: a conversation answered from the console", () => {
  let tg: TelegramBotApi;
  let world: World;
  let operator: BrowserContext;
  let desk: Page;
  let problems: string[];

  beforeAll(async () => {
    tg = await startTelegramBotApi({ token: TOKEN });
    world = await startWorld({ telegramToken: TOKEN, telegramApi: tg.url });
    configureChat(world.server.ctx, { now: () => new Date("2026-11-26T12:00:00+03:00") });
    operator = await newContext(world, DESKTOP);
    desk = await operator.newPage();
    problems = watch(desk);
  });

  afterAll(async () => {
    await world?.close();
    await tg?.close();
  });

  const sentText = async (re: RegExp) => {
    for (let i = 0; i < 300; i++) {
      const m = tg.sent.find((x) => x.chatId === CHAT && re.test(x.text));
      if (m) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nothing sent matching ${re}`);
  };

  it("the bot answers in Telegram; the operator accepts in the chat inbox and the answer goes back to Telegram", async () => {
    tg.text(CHAT, "Не приходит смс с кодом для входа", "Мария");
    await sentText(/Вот что может помочь/);
    const registered = await sentText(/зарегистрировано под номером/);
    const number = /номером ([\d ]+)\./.exec(registered.text)![1]!.replaceAll(" ", "");
    tg.press(CHAT, "operator");
    await sentText(/Подключаем оператора/);

    const op = await addOperator(world, "Ольга Смирнова", "olga.tg@otklik.test");
    await login(desk, op.email, op.password);
    await desk.getByRole("link", { name: "Чаты" }).click();
    await desk.getByRole("heading", { name: "Чаты", level: 1 }).waitFor();
    await desk.getByRole("button", { name: "Принять" }).first().click();
    const log = desk.getByRole("log", { name: "Переписка" });
    await log.getByText("Не приходит смс с кодом для входа").waitFor();
    await sentText(/Ольга на связи/);
    await desk.getByLabel("Ответ заявителю").fill("Здравствуйте, Мария! Проверим номер телефона в профиле.");
    await desk.getByLabel("Ответ заявителю").press("Enter");
    await log.getByText("Здравствуйте, Мария! Проверим номер телефона в профиле.").waitFor();
    await sentText(/Проверим номер телефона в профиле/);

    // The applicant's reply in Telegram appears in the operator's conversation.
    tg.text(CHAT, "Номер верный, +7 912 000-00-00");
    await log.getByText("Номер верный, +7 912 000-00-00").waitFor();

    // The request's page names the channel.
    await desk.goto(`/console/requests/${number}`);
    await desk.getByText("Телеграм").first().waitFor();
    expect(problems).toEqual([]);
  });
});
