// The MAX channel against the stand-in Bot API (test/max-bot-api.ts), by long polling: the bot answers first, the
// request is registered, operators answer from the chat inbox and the request page, the news and the rating keyboard
// reach the dialog; MAX's limits and refusals; a stopped bot; files both ways; edits; a repeated update.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { type MaxBotApi, startMaxBotApi } from "../../../test/max-bot-api.ts";
import { multipartBody } from "../../../test/multipart-body.ts";
import { contactHashOf } from "../../notifications/gate.ts";
import { requestHistory as history, messages, requests } from "../../requests/schema.ts";
import { configureChat } from "../chat/settings.ts";
import { messengerContacts, messengerCursors } from "../messenger/db-schema.ts";
import { MAX_TEXT } from "./updates.ts";

const TOKEN = "max-stand-in-token-of-the-flow-test";
const WORKING_HOURS = () => new Date("2026-11-26T12:00:00+03:00");
// A tiny PDF: recognised by its bytes as application/pdf.
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

let mx: MaxBotApi;
let s: TestServer;
let userSeq = 6_000_000;
const newUser = () => ++userSeq;

beforeAll(async () => {
  mx = await startMaxBotApi({ token: TOKEN });
  s = await createTestServer({ port: 0, host: "127.0.0.1", maxBotToken: TOKEN, maxBotApi: mx.url });
  configureChat(s.ctx, { now: WORKING_HOURS });
});
afterAll(async () => {
  await s?.close();
  await mx?.close();
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

const sentTo = (userId: number) => mx.sent.filter((m) => m.userId === userId);
const sentText = (userId: number, re: RegExp) => until(() => sentTo(userId).find((m) => re.test(m.text)));
const linesOf = (requestId: number) => s.ctx.db.select().from(messages).where(eq(messages.requestId, requestId));

async function requestOf(userId: number) {
  const m = await sentText(userId, /зарегистрировано под номером \d/);
  const number = /номером ([\d ]+)\./.exec(m.text)![1]!.replaceAll(" ", "");
  return until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.number, number)))[0]);
}

const staffPost = (authorization: string, url: string, payload: unknown) =>
  s.app.inject({ method: "POST", url: `/api/v1${url}`, headers: { authorization }, payload: payload as object });

async function contactRow(userId: number) {
  const [c] = await s.ctx.db
    .select()
    .from(messengerContacts)
    .where(eq(messengerContacts.chatHash, contactHashOf("messenger", `max:${userId}`)));
  return c;
}

const undeliverableLine = (requestId: number) =>
  until(async () => {
    const rows = await s.ctx.db
      .select()
      .from(history)
      .where(and(eq(history.requestId, requestId), eq(history.action, "messenger_undeliverable")));
    return rows[0];
  });

describe("max: long polling, the bot first, the request", () => {
  it("answers a message from the knowledge base with the buttons and registers a request of channel max", async () => {
    const user = newUser();
    mx.text(user, "Не приходит смс с кодом подтверждения на телефон", "Анна");
    const bot = await sentText(user, /Вот что может помочь/);
    expect(bot.text).toMatch(/http:\/\/otklik\.test\/help\/sms-code-not-received/);
    expect(bot.format).toBeUndefined();
    const buttons = bot.keyboard!.flat();
    expect(buttons.map((b) => b.text)).toEqual(
      expect.arrayContaining(["Связаться с оператором", "Оставить обращение"]),
    );
    expect(buttons.every((b) => b.type === "callback")).toBe(true);
    const req = await requestOf(user);
    expect(req).toMatchObject({ channel: "max", status: "new" });
    expect((await linesOf(req.id)).map((l) => l.authorType)).toEqual(["applicant", "bot"]);
    // The marker is confirmed and kept: nothing is read twice.
    await until(() => mx.pending() === 0);
    const [cursor] = await s.ctx.db.select().from(messengerCursors).where(eq(messengerCursors.channel, "max"));
    expect(cursor!.position).toBeGreaterThan(0);
  });

  it("«Связаться с оператором» queues the conversation in the chat inbox; the operator's answers go back", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Не могу войти в личный кабинет, пишет что пароль неверный");
    const req = await requestOf(user);
    mx.press(user, "operator");
    await sentText(user, /Подключаем оператора/);
    await until(() => mx.answers.length > 0);

    const box = (
      await s.app.inject({ method: "GET", url: "/api/v1/chat/inbox", headers: { authorization: op.authorization } })
    ).json();
    const conv = box.queue.find((q: { number: string }) => q.number === req.number);
    expect(conv).toBeDefined();
    expect((await staffPost(op.authorization, `/chat/conversations/${conv.id}/accept`, {})).statusCode).toBe(200);
    await sentText(user, /на связи/);

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
    await sentText(user, /Пароль сброшен/);
    expect(sentTo(user).some((m) => /Внутренняя заметка/.test(m.text))).toBe(false);

    mx.text(user, "Спасибо, получилось войти");
    await until(async () => (await linesOf(req.id)).some((l) => l.body === "Спасибо, получилось войти"));
  });

  it("a resolved request brings the rating keyboard 1–5; a press rates the request", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Как изменить адрес электронной почты в профиле?");
    const req = await requestOf(user);
    const done = await staffPost(op.authorization, `/requests/${req.number}/status`, { status: "resolved" });
    expect(done.statusCode).toBe(200);
    const invite = await sentText(user, /решено/);
    const keys = invite.keyboard!.flat();
    expect(keys.map((k) => k.text)).toEqual(["1", "2", "3", "4", "5"]);
    mx.press(user, keys[3]!.payload!);
    await until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.id, req.id)))[0]!.rating === 4);
    await until(() => mx.answers.find((a) => a.notification === "Спасибо за оценку!"));
  });

  it("an edit is added as a new line; an update MAX delivers again is taken once", async () => {
    const user = newUser();
    const first = mx.text(user, "Не приходит письмо для подтверждения почты");
    const req = await requestOf(user);
    mx.repeat(first);
    const mid = (first.message as { body: { mid: string } }).body.mid;
    mx.edit(user, mid, "Не приходит письмо для подтверждения почты на mail.ru");
    const edited = await until(async () =>
      (await linesOf(req.id)).find((l) => l.body.startsWith("Исправленное сообщение:")),
    );
    expect(edited.body).toContain("на mail.ru");
    await until(() => mx.pending() === 0);
    const lines = await linesOf(req.id);
    expect(lines.filter((l) => l.body === "Не приходит письмо для подтверждения почты")).toHaveLength(1);
  });
});

describe("max: the rules of the Bot API", () => {
  it("splits a long answer into messages of at most 4,000 characters", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Подскажите, как подать заявление на загранпаспорт через портал?");
    const req = await requestOf(user);
    const paragraph = "Проверьте данные заявления и сроки рассмотрения. ".repeat(40).trim();
    const long = Array.from({ length: 5 }, (_, i) => `${i + 1}. ${paragraph}`).join("\n\n");
    expect(long.length).toBeGreaterThan(8000);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, { body: long, visibility: "public" });
    const parts = await until(() => {
      const got = sentTo(user).filter((m) => m.text.includes("Проверьте данные"));
      return got.length >= 3 && got;
    });
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4000);
    expect(parts.map((p) => p.text).join("\n\n")).toBe(long);
  });

  it("waits out a 429 and then delivers", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Не приходит смс с кодом подтверждения на телефон");
    const req = await requestOf(user);
    await until(() => sentTo(user).length >= 2);
    mx.script({ status: 429, code: "too.many.requests", message: "Too many requests", retryAfter: 2 });
    const asked = Date.now();
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Ответ после паузы.",
      visibility: "public",
    });
    const got = await sentText(user, /Ответ после паузы/);
    expect(got.at - asked).toBeGreaterThanOrEqual(1900);
    expect(mx.refusals.some((r) => r.status === 429)).toBe(true);
  });

  it("a user who stopped the bot: a refused answer marks the chat undeliverable and the history says so", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Не могу записаться к врачу через портал");
    const req = await requestOf(user);
    await until(() => sentTo(user).length >= 2);
    mx.block(user);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Уточните, пожалуйста, регион.",
      visibility: "public",
    });
    expect((await undeliverableLine(req.id)).changes).toMatchObject({ channel: "max", code: "blocked" });
    expect((await contactRow(user))!.undeliverableAt).not.toBeNull();
    // Writing again means the bot is running again: the chat is deliverable.
    mx.unblock(user);
    mx.text(user, "Регион — Москва");
    await until(async () => (await contactRow(user))!.undeliverableAt === null);
  });

  it("bot_stopped marks the chat undeliverable at once; bot_started makes it deliverable and greets", async () => {
    const user = newUser();
    mx.text(user, "Не работает оплата госпошлины на портале");
    const req = await requestOf(user);
    mx.stop(user);
    expect((await undeliverableLine(req.id)).changes).toMatchObject({ channel: "max", code: "bot_stopped" });
    expect((await contactRow(user))!.undeliverableAt).not.toBeNull();
    const started = mx.start(user);
    await sentText(user, /^Здравствуйте! Напишите свой вопрос/);
    expect((await contactRow(user))!.undeliverableAt).toBeNull();
    // The same bot_started delivered again greets once.
    mx.repeat(started);
    await until(() => mx.pending() === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(user).filter((m) => m.text === MAX_TEXT.greeting)).toHaveLength(1);
  });
});

describe("max: files both ways", () => {
  it("takes a file within the web form's checks, refuses a type the form refuses, and sends an operator's files", async () => {
    const op = await s.staff("operator");
    const user = newUser();
    mx.text(user, "Прикладываю справку, не принимают заявление");
    const req = await requestOf(user);
    mx.file(user, mx.addFile(PDF), "справка.pdf", "Вот справка");
    await until(async () => (await linesOf(req.id)).find((r) => r.body === "Вот справка"));
    const page = async () =>
      JSON.stringify(
        (
          await s.app.inject({
            method: "GET",
            url: `/api/v1/requests/${req.number}`,
            headers: { authorization: op.authorization },
          })
        ).json(),
      );
    expect(await page()).toContain("справка.pdf");

    mx.file(user, mx.addFile(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0xff, 0xfe])), "setup.exe");
    await sentText(user, /«setup\.exe» не принят/);

    mx.image(user, mx.addFile(PNG));
    await until(async () => (await page()).includes("image/png"));

    const form = multipartBody([
      { name: "body", value: "Заполненный бланк и снимок экрана во вложении." },
      { name: "visibility", value: "public" },
      { name: "files", value: PDF, filename: "бланк.pdf", type: "application/pdf" },
      { name: "files", value: PNG, filename: "кнопка.png", type: "image/png" },
    ]);
    const r = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${req.number}/messages`,
      headers: { authorization: op.authorization, ...form.headers },
      payload: form.payload,
    });
    expect(r.statusCode).toBe(200);
    const doc = await until(() => sentTo(user).find((m) => m.file?.type === "file"));
    expect(doc.file!.filename).toBe("бланк.pdf");
    expect(doc.file!.bytes.equals(PDF)).toBe(true);
    const image = await until(() => sentTo(user).find((m) => m.file?.type === "image"));
    expect(image.file!.bytes.equals(PNG)).toBe(true);
    // The first message with each just uploaded file was refused as not ready, and sent again.
    expect(mx.refusals.filter((x) => x.code === "attachment.not.ready").length).toBeGreaterThanOrEqual(2);
  });
});
