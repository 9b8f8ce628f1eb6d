// The Telegram channel against the stand-in Bot API (test/telegram-bot-api.ts), by long polling: the bot answers
// first, the request is registered, operators answer from the chat inbox and the request page, the news and the
// rating keyboard reach the chat; Telegram's limits and refusals; files both ways; edits.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../../test/chat-test-client.ts";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { multipartBody } from "../../../test/multipart-body.ts";
import { startTelegramBotApi, type TelegramBotApi } from "../../../test/telegram-bot-api.ts";
import { applicantContacts } from "../../applicants/db-schema.ts";
import { requestHistory as history, messages, requests } from "../../requests/schema.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { configureChat } from "../chat/settings.ts";
import { messengerContacts, messengerCursors } from "../messenger/db-schema.ts";
import { contactOf } from "../messenger/inbound.ts";

const TOKEN = "123456789:AAtest-token-of-the-stand-in-bot";
const WORKING_HOURS = () => new Date("2026-11-26T12:00:00+03:00");
// A tiny PDF: recognised by its bytes as application/pdf.
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let tg: TelegramBotApi;
let s: TestServer;
let chatSeq = 5_000_000;
const newChat = () => ++chatSeq;

beforeAll(async () => {
  tg = await startTelegramBotApi({ token: TOKEN });
  s = await createTestServer({ port: 0, host: "127.0.0.1", telegramToken: TOKEN, telegramApi: tg.url });
  configureChat(s.ctx, { now: WORKING_HOURS });
});
afterAll(async () => {
  await s?.close();
  await tg?.close();
});

async function until<T>(what: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sentTo = (chatId: number) => tg.sent.filter((m) => m.chatId === chatId);
const sentText = (chatId: number, re: RegExp) => until(() => sentTo(chatId).find((m) => re.test(m.text)));

async function requestOf(chatId: number) {
  const m = await sentText(chatId, /зарегистрировано под номером \d/);
  const number = /номером ([\d ]+)\./.exec(m.text)![1]!.replaceAll(" ", "");
  return until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.number, number)))[0]);
}

const staffPost = (authorization: string, url: string, payload: unknown) =>
  s.app.inject({ method: "POST", url: `/api/v1${url}`, headers: { authorization }, payload: payload as object });

describe("telegram: long polling, the bot first, the request", () => {
  it("answers a message from the knowledge base with the two buttons and registers a request of channel telegram", async () => {
    const chat = newChat();
    tg.text(chat, "Не приходит смс с кодом подтверждения на телефон", "Анна");
    const bot = await sentText(chat, /Вот что может помочь/);
    expect(bot.text).toMatch(/http:\/\/otklik\.test\/help\/sms-code-not-received/);
    expect(bot.parseMode).toBeUndefined();
    const buttons = bot.replyMarkup!.inline_keyboard.flat().map((b) => b.text);
    expect(buttons).toEqual(expect.arrayContaining(["Связаться с оператором", "Оставить обращение"]));
    const req = await requestOf(chat);
    expect(req).toMatchObject({ channel: "telegram", status: "new" });
    const lines = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req.id));
    expect(lines.map((l) => l.authorType)).toEqual(["applicant", "bot"]);
    // The applicant record knows the chat as a messenger contact, by its blind index only.
    const contact = await contactOf(s.ctx, "telegram", String(chat));
    const [linked] = await s.ctx.db
      .select()
      .from(applicantContacts)
      .where(and(eq(applicantContacts.kind, "messenger"), eq(applicantContacts.hash, contact.chatHash)));
    expect(linked).toBeDefined();
    expect(contact.chatHash).not.toContain(String(chat));
    // The offset is confirmed and kept: nothing is read twice.
    await until(() => tg.pending() === 0);
    const [cursor] = await s.ctx.db.select().from(messengerCursors).where(eq(messengerCursors.channel, "telegram"));
    expect(cursor!.position).toBeGreaterThan(0);
  });

  it("hands over to an operator, who answers from the chat inbox and the request page; a note never leaves", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Не могу войти в личный кабинет, пишет что пароль неверный");
    await sentText(chat, /Вот что может помочь|не нашёл/);
    const req = await requestOf(chat);
    tg.press(chat, "operator");
    await sentText(chat, /Подключаем оператора/);
    await until(() => tg.answeredCallbacks.length > 0);

    // The chat inbox: the conversation waits in the queue like a web chat, and the operator takes it.
    const box = (
      await s.app.inject({ method: "GET", url: "/api/v1/chat/inbox", headers: { authorization: op.authorization } })
    ).json();
    const conv = box.queue.find((q: { number: string }) => q.number === req.number);
    expect(conv).toBeDefined();
    expect((await staffPost(op.authorization, `/chat/conversations/${conv.id}/accept`, {})).statusCode).toBe(200);
    await sentText(chat, /на связи/);
    const socket = await ChatClient.open(`${s.url.replace("http", "ws")}/api/v1/chat/ws`, {
      authorization: op.authorization,
    });
    await socket.waitFor((f) => f.t === "ready");
    socket.send({
      t: "msg",
      conversationId: conv.id,
      id: "op-msg-0001",
      text: "Здравствуйте! Сейчас проверю вашу учётную запись.",
    });
    await socket.waitFor((f) => f.t === "ack" && f.id === "op-msg-0001");
    socket.close();
    await sentText(chat, /Сейчас проверю вашу учётную запись/);

    // The request page: a public answer goes, an internal note does not.
    const note = await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Внутренняя заметка: проверить журнал входов",
      visibility: "note",
    });
    expect(note.statusCode).toBe(200);
    const answer = await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Пароль сброшен, ссылка для входа отправлена.",
      visibility: "public",
    });
    expect(answer.statusCode).toBe(200);
    await sentText(chat, /Пароль сброшен/);
    expect(sentTo(chat).some((m) => /Внутренняя заметка/.test(m.text))).toBe(false);

    // The applicant answers in Telegram: a line on the same request.
    tg.text(chat, "Спасибо, получилось войти");
    await until(async () => {
      const lines = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req.id));
      return lines.some((l) => l.body === "Спасибо, получилось войти");
    });
  });

  it("outside operators' hours offers to leave a request, answered here; «Оставить обращение» hands it over", async () => {
    configureChat(s.ctx, { now: () => new Date("2026-11-26T23:30:00+03:00") });
    try {
      const chat = newChat();
      tg.text(chat, "Не приходит смс с кодом подтверждения на телефон");
      await requestOf(chat);
      tg.press(chat, "operator");
      const offer = await sentText(chat, /Операторы чата работают/);
      expect(offer.text).toMatch(/ответ придёт сюда же/);
      expect(offer.replyMarkup!.inline_keyboard.flat().map((b) => b.callback_data)).toContain("leave");
      tg.press(chat, "leave");
      await sentText(chat, /Готово: обращение № [\d ]+ передано операторам/);
    } finally {
      configureChat(s.ctx, { now: WORKING_HOURS });
    }
  });

  it("a resolved request brings the rating keyboard 1–5; a press rates the request", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Как изменить адрес электронной почты в профиле?");
    const req = await requestOf(chat);
    const done = await staffPost(op.authorization, `/requests/${req.number}/status`, { status: "resolved" });
    expect(done.statusCode).toBe(200);
    const invite = await sentText(chat, /решено/);
    const keys = invite.replyMarkup!.inline_keyboard.flat();
    expect(keys.map((k) => k.text)).toEqual(["1", "2", "3", "4", "5"]);
    tg.press(chat, keys[3]!.callback_data!);
    await until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.id, req.id)))[0]!.rating === 4);
    await until(() => tg.answeredCallbacks.find((c) => c.text === "Спасибо за оценку!"));
    // Somebody else's request cannot be rated from this chat.
    const other = newChat();
    tg.press(other, `rate:${req.id}:1`);
    await until(() => tg.answeredCallbacks.find((c) => c.text === "Эта кнопка уже не действует."));
    expect((await s.ctx.db.select().from(requests).where(eq(requests.id, req.id)))[0]!.rating).toBe(4);
  });

  it("a request merged into another tells the chat the number the answer will come by", async () => {
    const op = await s.staff("supervisor");
    const chat = newChat();
    tg.text(chat, "Не могу войти в личный кабинет, пишет «неверный пароль»");
    const req = await requestOf(chat);
    const target = await s.ctx.requests.register({ text: "Не пускает в личный кабинет", channel: "web" });
    const merged = await staffPost(op.authorization, `/requests/${req.number}/merge`, { into: target.number });
    expect(merged.statusCode, merged.body).toBe(200);
    const told = await sentText(chat, /объединено/);
    expect(told.text).toContain(displayRequestNumber(target.number));
  });

  it("an edit is added to the request as a new line marked as an edit", async () => {
    const chat = newChat();
    tg.text(chat, "Не приходит письмо для подтверждения почты");
    const req = await requestOf(chat);
    tg.edit(chat, 1, "Не приходит письмо для подтверждения почты на mail.ru");
    const edited = await until(async () => {
      const lines = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req.id));
      return lines.find((l) => l.body.startsWith("Исправленное сообщение:"));
    });
    expect(edited.body).toContain("на mail.ru");
    expect(edited.authorType).toBe("applicant");
    const lines = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req.id));
    expect(lines.some((l) => l.body === "Не приходит письмо для подтверждения почты")).toBe(true);
  });
});

describe("telegram: the rules of the Bot API", () => {
  it("splits a long answer on paragraph and word boundaries, each part within 4,096 characters, one a second", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Подскажите, как подать заявление на загранпаспорт через портал?");
    const req = await requestOf(chat);
    const refusedBefore = tg.refusals.filter((r) => r.code === 429).length;
    const paragraph = `${"Проверьте данные заявления и сроки рассмотрения. ".repeat(40).trim()}`;
    const long = Array.from({ length: 5 }, (_, i) => `${i + 1}. ${paragraph}`).join("\n\n");
    expect(long.length).toBeGreaterThan(8192);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, { body: long, visibility: "public" });
    const parts = await until(() => {
      const got = sentTo(chat).filter((m) => m.text.includes("Проверьте данные"));
      return got.length >= 3 && got;
    });
    for (const p of parts) {
      expect(p.text.length).toBeLessThanOrEqual(4096);
      expect(p.text).toMatch(/рассмотрения\.$/);
    }
    expect(parts.map((p) => p.text).join("\n\n")).toBe(long);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.at - parts[i - 1]!.at).toBeGreaterThanOrEqual(950);
    // Our own pacing kept the stand-in's flood control quiet.
    expect(tg.refusals.filter((r) => r.code === 429)).toHaveLength(refusedBefore);
  });

  it("waits out a 429 with retry_after and then delivers", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Не приходит смс с кодом подтверждения на телефон");
    const req = await requestOf(chat);
    await until(() => sentTo(chat).length >= 2);
    tg.script({ code: 429, description: "Too Many Requests: retry after 2", retryAfter: 2 });
    const asked = Date.now();
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Ответ после паузы.",
      visibility: "public",
    });
    const got = await sentText(chat, /Ответ после паузы/);
    expect(got.at - asked).toBeGreaterThanOrEqual(1900);
    expect(tg.refusals.some((r) => r.code === 429)).toBe(true);
  });

  it("a user who blocked the bot: the chat is marked undeliverable and the request's history tells the operator", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Не могу записаться к врачу через портал");
    const req = await requestOf(chat);
    tg.block(chat);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Уточните, пожалуйста, регион.",
      visibility: "public",
    });
    const row = await until(async () => {
      const rows = await s.ctx.db
        .select()
        .from(history)
        .where(and(eq(history.requestId, req.id), eq(history.action, "messenger_undeliverable")));
      return rows[0];
    });
    expect(row.changes).toMatchObject({ channel: "telegram", code: "blocked" });
    const [c] = await s.ctx.db
      .select()
      .from(messengerContacts)
      .where(eq(messengerContacts.chatHash, await hashOf(chat)));
    expect(c!.undeliverableAt).not.toBeNull();
    // Writing again means the bot is unblocked: the chat is deliverable again.
    tg.unblock(chat);
    tg.text(chat, "Регион — Москва");
    await until(async () => {
      const [again] = await s.ctx.db.select().from(messengerContacts).where(eq(messengerContacts.id, c!.id));
      return again!.undeliverableAt === null;
    });
  });
});

async function hashOf(chat: number) {
  const { contactHashOf } = await import("../../notifications/gate.ts");
  return contactHashOf("messenger", `telegram:${chat}`);
}

describe("telegram: files both ways", () => {
  it("takes a document within the web form's checks, refuses a type the form refuses, and sends an operator's file", async () => {
    const op = await s.staff("operator");
    const chat = newChat();
    tg.text(chat, "Прикладываю справку, не принимают заявление");
    const req = await requestOf(chat);
    tg.document(chat, tg.addFile(PDF), "справка.pdf", "Вот справка");
    const att = await until(async () => {
      const rows = await s.ctx.db.select().from(messages).where(eq(messages.requestId, req.id));
      return rows.find((r) => r.body === "Вот справка");
    });
    const detail = (
      await s.app.inject({
        method: "GET",
        url: `/api/v1/requests/${req.number}`,
        headers: { authorization: op.authorization },
      })
    ).json();
    expect(JSON.stringify(detail)).toContain("справка.pdf");
    expect(att).toBeDefined();

    tg.document(
      chat,
      tg.addFile(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0xff, 0xfe])),
      "setup.exe",
    );
    await sentText(chat, /«setup\.exe» не принят/);

    const form = multipartBody([
      { name: "body", value: "Заполненный бланк во вложении." },
      { name: "visibility", value: "public" },
      { name: "files", value: PDF, filename: "бланк.pdf", type: "application/pdf" },
    ]);
    const r = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${req.number}/messages`,
      headers: { authorization: op.authorization, ...form.headers },
      payload: form.payload,
    });
    expect(r.statusCode).toBe(200);
    const doc = await until(() => sentTo(chat).find((m) => m.method === "sendDocument"));
    expect(doc.file!.filename).toBe("бланк.pdf");
    expect(doc.file!.bytes.equals(PDF)).toBe(true);

    // A photo both ways: the applicant's joins the request as an image, the operator's goes by sendPhoto.
    tg.photo(chat, tg.addFile(PNG));
    await until(async () => {
      const page = await s.app.inject({
        method: "GET",
        url: `/api/v1/requests/${req.number}`,
        headers: { authorization: op.authorization },
      });
      return JSON.stringify(page.json()).includes("image/png");
    });
    const image = multipartBody([
      { name: "body", value: "Снимок экрана с нужной кнопкой." },
      { name: "visibility", value: "public" },
      { name: "files", value: PNG, filename: "кнопка.png", type: "image/png" },
    ]);
    await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${req.number}/messages`,
      headers: { authorization: op.authorization, ...image.headers },
      payload: image.payload,
    });
    const photo = await until(() => sentTo(chat).find((m) => m.method === "sendPhoto"));
    expect(photo.file!.bytes.equals(PNG)).toBe(true);
  });
});
