// The MAX driver's reading of MAX's answers, against the stand-in, and the reading of MAX's updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MaxBotApi, startMaxBotApi } from "../../../test/max-bot-api.ts";
import { ConfigError, loadConfig } from "../../config.ts";
import { MessengerError } from "../messenger/port.ts";
import { MaxApi, type MaxUpdate } from "./api.ts";
import { readUpdate, updateKeyOf } from "./updates.ts";

const TOKEN = "max-stand-in-token-for-the-driver-test";
let mx: MaxBotApi;
beforeAll(async () => {
  mx = await startMaxBotApi({ token: TOKEN });
});
afterAll(() => mx?.close());

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MessengerError);
  return e as MessengerError;
};

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

describe("the MAX driver", () => {
  const api = () => new MaxApi(mx.url, TOKEN, undefined, 15_000, [50, 100]);

  it("sends plain text with an inline keyboard of callback buttons, the token in the Authorization header", async () => {
    await api().sendText({
      chatId: "11",
      text: "Проверка (без *разметки*).",
      buttons: [[{ text: "1", data: "rate:1:1" }]],
    });
    expect(mx.sent.at(-1)).toMatchObject({ userId: 11, text: "Проверка (без *разметки*).", format: undefined });
    expect(mx.sent.at(-1)!.keyboard![0]![0]).toEqual({ type: "callback", text: "1", payload: "rate:1:1" });
  });

  it("maps MAX's refusals: 401, 400 for a text over 4,000 characters, 403 for a stopped bot, 429, 5xx", async () => {
    expect(await refusal(new MaxApi(mx.url, "wrong-token-of-the-bot").me())).toMatchObject({
      code: "unauthorized",
      retryable: false,
    });
    await api().sendText({ chatId: "12", text: "я".repeat(4000) });
    expect(await refusal(api().sendText({ chatId: "12", text: "я".repeat(4001) }))).toMatchObject({
      code: "rejected_too_long",
      retryable: false,
      undeliverable: false,
    });
    mx.block(13);
    expect(await refusal(api().sendText({ chatId: "13", text: "т" }))).toMatchObject({
      code: "blocked",
      undeliverable: true,
    });
    mx.script({ status: 429, code: "too.many.requests", message: "Too many requests", retryAfter: 3 });
    expect(await refusal(api().sendText({ chatId: "14", text: "т" }))).toMatchObject({
      code: "rate_limited",
      retryable: true,
      retryAfter: 3,
    });
    mx.script({ status: 503, code: "service.unavailable", message: "Service unavailable" });
    expect(await refusal(api().sendText({ chatId: "14", text: "т" }))).toMatchObject({
      code: "provider_503",
      retryable: true,
    });
    mx.script({ status: 404, code: "chat.not.found", message: "Chat 15 not found" });
    expect(await refusal(api().sendText({ chatId: "15", text: "т" }))).toMatchObject({
      code: "chat_not_found",
      undeliverable: true,
    });
    // A 404 of an address MAX does not know is no sign of the chat.
    expect(await refusal(api().call("GET", "no-such-method"))).toMatchObject({
      code: "rejected_404",
      undeliverable: false,
    });
  });

  it("the stand-in refuses past 30 requests a second; the driver's own pace stays under it", async () => {
    const raw = Array.from({ length: 40 }, () =>
      fetch(`${mx.url}/me`, { headers: { authorization: TOKEN } }).then((r) => r.status),
    );
    expect((await Promise.all(raw)).filter((s) => s === 429).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1100));
    const before = mx.refusals.filter((r) => r.status === 429).length;
    const paced = api();
    await Promise.all(Array.from({ length: 40 }, () => paced.me()));
    expect(mx.refusals.filter((r) => r.status === 429).length).toBe(before);
  });

  it("uploads a file and sends it again while MAX answers attachment.not.ready; a picture goes as an image", async () => {
    const before = mx.refusals.filter((r) => r.code === "attachment.not.ready").length;
    await api().sendFile({ chatId: "16", filename: "бланк.pdf", contentType: "application/pdf", bytes: PDF });
    expect(mx.refusals.filter((r) => r.code === "attachment.not.ready").length).toBe(before + 1);
    const doc = mx.sent.at(-1)!;
    expect(doc.file).toMatchObject({ type: "file", filename: "бланк.pdf" });
    expect(doc.file!.bytes.equals(PDF)).toBe(true);
    await api().sendFile({ chatId: "16", filename: "a.png", contentType: "image/png", bytes: Buffer.from("png") });
    expect(mx.sent.at(-1)!.file!.type).toBe("image");
  });

  it("fetches an applicant's file only from MAX's hosts and within the size limit", async () => {
    const url = mx.addFile(PDF);
    expect((await api().fetchFile(url, 1024)).equals(PDF)).toBe(true);
    expect(await refusal(api().fetchFile(url, 10))).toMatchObject({ code: "file_too_large" });
    expect(await refusal(api().fetchFile("https://evil.example/files/x", 1024))).toMatchObject({
      code: "file_unavailable",
    });
    expect(await refusal(api().fetchFile("http://i.oneme.ru/i?r=1", 1024))).toMatchObject({
      code: "file_unavailable",
    });
  });
});

describe("reading MAX's updates", () => {
  const user = { user_id: 77, first_name: "Анна", last_name: "Петрова", is_bot: false };
  const message = (chatType: string, body: object, sender: object = user) => ({
    sender,
    recipient: { chat_id: 900, chat_type: chatType },
    timestamp: 1,
    body: { mid: "mid.00000000000000aa", seq: 1, ...body },
  });

  it("reads a dialog's message with its files, and passes over a group chat's and a bot's", () => {
    const u: MaxUpdate = {
      update_type: "message_created",
      timestamp: 5,
      message: message("dialog", {
        text: "Вот справка",
        attachments: [
          { type: "file", payload: { url: "https://fd.oneme.ru/f/1", token: "t" }, filename: "справка.pdf", size: 9 },
          { type: "image", payload: { url: "https://i.oneme.ru/i?r=2", token: "t", photo_id: 31 } },
          { type: "sticker", payload: { url: "https://i.oneme.ru/s", code: "c" } },
        ],
      }),
    };
    const read = readUpdate(u);
    expect(read).toMatchObject({
      kind: "message",
      inbound: {
        chatId: "77",
        name: "Анна Петрова",
        text: "Вот справка",
        edited: false,
        files: [
          { fileId: "https://fd.oneme.ru/f/1", filename: "справка.pdf" },
          { fileId: "https://i.oneme.ru/i?r=2", filename: "photo-31.jpg" },
        ],
      },
    });
    expect(readUpdate({ ...u, message: message("chat", { text: "в группе" }) })).toBeNull();
    expect(readUpdate({ ...u, message: message("dialog", { text: "бот" }, { ...user, is_bot: true }) })).toBeNull();
  });

  it("keys an update by what identifies it: a repeated delivery has the same key, an edit a key of its own", () => {
    const created: MaxUpdate = {
      update_type: "message_created",
      timestamp: 5,
      message: message("dialog", { text: "а" }),
    };
    const edited: MaxUpdate = {
      update_type: "message_edited",
      timestamp: 9,
      message: message("dialog", { text: "б" }),
    };
    expect(updateKeyOf(created)).toBe(updateKeyOf({ ...created }));
    expect(updateKeyOf(edited)).not.toBe(updateKeyOf(created));
    const a = readUpdate(created);
    const b = readUpdate(edited);
    expect(a && "inbound" in a && a.inbound.eventId).not.toBe(b && "inbound" in b && b.inbound.eventId);
    expect(b).toMatchObject({ kind: "message", inbound: { edited: true, text: "б" } });
  });

  it("reads a pressed button, the bot started and stopped", () => {
    const press: MaxUpdate = {
      update_type: "message_callback",
      timestamp: 6,
      callback: { timestamp: 6, callback_id: "cb.1", payload: "operator", user },
      message: message("dialog", { text: "…" }, { user_id: 1, first_name: "Бот", is_bot: true }),
    };
    expect(readUpdate(press)).toMatchObject({
      kind: "button",
      callbackId: "cb.1",
      inbound: { chatId: "77", button: "operator" },
    });
    expect(readUpdate({ ...press, message: message("chat", { text: "…" }) })).toBeNull();
    expect(readUpdate({ update_type: "bot_started", timestamp: 7, chat_id: 900, user })).toMatchObject({
      kind: "started",
      chatId: "77",
      name: "Анна Петрова",
    });
    expect(readUpdate({ update_type: "bot_stopped", timestamp: 8, chat_id: 900, user })).toEqual({
      kind: "stopped",
      chatId: "77",
    });
    expect(readUpdate({ update_type: "dialog_muted", timestamp: 8, chat_id: 900, user })).toBeNull();
  });
});

describe("the MAX settings", () => {
  it("are read with the default API address; without a token the channel is off", () => {
    expect(loadConfig({ OTKLIK_MAX_TOKEN: TOKEN })).toMatchObject({
      maxBotToken: TOKEN,
      maxBotApi: "https://platform-api2.max.ru",
      maxBotSecret: undefined,
    });
    expect(loadConfig({}).maxBotToken).toBeUndefined();
  });

  it("stop the start when one is malformed or the secret comes without a token, naming it", () => {
    expect(() => loadConfig({ OTKLIK_MAX_TOKEN: "short" })).toThrow(/OTKLIK_MAX_TOKEN/);
    expect(() => loadConfig({ OTKLIK_MAX_TOKEN: TOKEN, OTKLIK_MAX_SECRET: "a b" })).toThrow(/OTKLIK_MAX_SECRET/);
    expect(() => loadConfig({ OTKLIK_MAX_SECRET: "secret-of-the-hook" })).toThrow(ConfigError);
    expect(() => loadConfig({ OTKLIK_MAX_SECRET: "secret-of-the-hook" })).toThrow(/OTKLIK_MAX_TOKEN/);
    expect(() => loadConfig({ OTKLIK_MAX_TOKEN: TOKEN, OTKLIK_MAX_API: "ftp://x.example" })).toThrow(/OTKLIK_MAX_API/);
  });
});
