// The Bot API driver's reading of Telegram's answers, against the stand-in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTelegramBotApi, type TelegramBotApi } from "../../../test/telegram-bot-api.ts";
import { MessengerError } from "../messenger/port.ts";
import { TelegramApi } from "./api.ts";
import { readUpdate } from "./updates.ts";

const TOKEN = "42:stand-in-token-for-the-driver-test";
let tg: TelegramBotApi;
beforeAll(async () => {
  tg = await startTelegramBotApi({ token: TOKEN });
});
afterAll(() => tg?.close());

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MessengerError);
  return e as MessengerError;
};

describe("the Telegram driver", () => {
  const api = () => new TelegramApi(tg.url, TOKEN);

  it("sends plain text with an inline keyboard", async () => {
    await api().sendText({
      chatId: "11",
      text: "Проверка (без разметки).",
      buttons: [[{ text: "1", data: "rate:1:1" }]],
    });
    expect(tg.sent.at(-1)).toMatchObject({ chatId: 11, text: "Проверка (без разметки).", parseMode: undefined });
    expect(tg.sent.at(-1)!.replyMarkup!.inline_keyboard[0]![0]).toEqual({ text: "1", callback_data: "rate:1:1" });
  });

  it("maps Telegram's refusals: 401, 400 too long, 403 blocked, 429 with retry_after, 409 for getUpdates under a webhook", async () => {
    expect(await refusal(new TelegramApi(tg.url, "42:wrong").getMe())).toMatchObject({
      code: "unauthorized",
      retryable: false,
    });
    expect(await refusal(api().sendText({ chatId: "12", text: "я".repeat(4097) }))).toMatchObject({
      code: "rejected_too_long",
      retryable: false,
    });
    tg.block(13);
    expect(await refusal(api().sendText({ chatId: "13", text: "т" }))).toMatchObject({
      code: "blocked",
      undeliverable: true,
    });
    await api().sendText({ chatId: "14", text: "первое" });
    expect(await refusal(api().sendText({ chatId: "14", text: "второе сразу" }))).toMatchObject({
      code: "rate_limited",
      retryable: true,
      retryAfter: 1,
    });
    await api().setWebhook("https://otklik.example/api/v1/telegram/webhook", "s3cret");
    expect(await refusal(api().getUpdates(0, 0))).toMatchObject({ code: "conflict", retryable: false });
    await api().deleteWebhook();
    expect(await api().getUpdates(0, 0)).toEqual([]);
  });

  it("counts an API that cannot be reached as a temporary failure", async () => {
    expect(await refusal(new TelegramApi("http://127.0.0.1:9", TOKEN).getMe())).toMatchObject({
      code: "network",
      retryable: true,
    });
  });

  it("fetches a file by getFile and the file path, within the size limit", async () => {
    const id = tg.addFile(Buffer.from("%PDF-1.4 test"));
    expect((await api().fetchFile(id, 1000)).toString()).toBe("%PDF-1.4 test");
    expect(await refusal(api().fetchFile(id, 5))).toMatchObject({ code: "file_too_large" });
  });
});

describe("an update as the flow reads it", () => {
  it("reads private messages, edits, photos, documents and buttons; passes over groups and empty messages", () => {
    const chat = { id: 77, type: "private", first_name: "Анна" };
    expect(readUpdate({ update_id: 1, message: { chat, text: "Привет" } })?.inbound).toMatchObject({
      chatId: "77",
      eventId: "1",
      text: "Привет",
      name: "Анна",
      edited: false,
    });
    expect(readUpdate({ update_id: 2, edited_message: { chat, text: "Исправлено" } })?.inbound.edited).toBe(true);
    const photo = readUpdate({
      update_id: 3,
      message: { chat, photo: [{ file_id: "small" }, { file_id: "large", file_unique_id: "u1" }] },
    });
    expect(photo?.inbound.files).toEqual([{ fileId: "large", filename: "photo-u1.jpg" }]);
    const button = readUpdate({ update_id: 4, callback_query: { id: "cb", data: "operator", message: { chat } } });
    expect(button).toMatchObject({ callbackId: "cb", inbound: { button: "operator" } });
    expect(readUpdate({ update_id: 5, message: { chat: { id: -100, type: "group" }, text: "всем" } })).toBeNull();
    expect(readUpdate({ update_id: 6, message: { chat, sticker: {} } })).toBeNull();
    expect(readUpdate({ update_id: 7, message: { chat: { id: "77", type: "private" }, text: "x" } })).toBeNull();
  });
});
