// The VK driver's reading of VK's answers against the stand-in, and the reading of Callback API events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVkApi, type VkStandIn } from "../../../test/vk-api.ts";
import { ConfigError, loadConfig } from "../../config.ts";
import { MessengerError } from "../messenger/port.ts";
import { randomIdOf, VkApi } from "./api.ts";
import { readEvent } from "./events.ts";

const TOKEN = "vk1.a.driver-test-token-of-the-stand-in";
let vk: VkStandIn;
beforeAll(async () => {
  vk = await startVkApi({ token: TOKEN, groupId: 77 });
});
afterAll(() => vk?.close());

type VkAnswer = { response?: unknown; error?: { error_code: number } };

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MessengerError);
  return e as MessengerError;
};

/** A user who wrote to the community, so that it may write back. */
const writer = (peer: number) => vk.allow(peer);

describe("the VK driver", () => {
  const api = (log?: { error: (...a: unknown[]) => void }) => new VkApi(vk.url, TOKEN, log as never);

  it("sends a text with an inline keyboard of callback buttons and a random_id; a retry with the same key is one message", async () => {
    writer(11);
    await api().sendText({ chatId: "11", text: "Проверка", buttons: [[{ text: "1", data: "rate:1:1" }]], key: "5:0" });
    const m = vk.sent.at(-1)!;
    expect(m).toMatchObject({ peerId: 11, text: "Проверка", randomId: randomIdOf("11", "5:0") });
    expect(m.keyboard).toEqual({
      inline: true,
      buttons: [[{ action: { type: "callback", label: "1", payload: '{"b":"rate:1:1"}' }, color: "secondary" }]],
    });
    const count = vk.sent.length;
    await new Promise((r) => setTimeout(r, 1100));
    await api().sendText({ chatId: "11", text: "Проверка", key: "5:0" });
    expect(vk.sent).toHaveLength(count);
    // The same key in another chat, or another key, is another message.
    expect(randomIdOf("12", "5:0")).not.toBe(randomIdOf("11", "5:0"));
    expect(randomIdOf("11", "5:1")).not.toBe(randomIdOf("11", "5:0"));
  });

  it("maps VK's errors: 5 final and logged without the token, 6/9/10 retried, 901/902 undeliverable, 914 final", async () => {
    const logged: unknown[] = [];
    const wrong = new VkApi(vk.url, "vk1.a.wrong-token-000000000000", { error: (...a: unknown[]) => logged.push(a) });
    expect(await refusal(wrong.sendText({ chatId: "13", text: "т" }))).toMatchObject({
      code: "unauthorized",
      retryable: false,
    });
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).not.toContain("wrong-token");
    writer(14);
    // Error 6 is waited out in the driver three times before the caller hears of it.
    vk.script("messages.send", 6, 6, 6, 6);
    expect(await refusal(api().sendText({ chatId: "14", text: "т" }))).toMatchObject({
      code: "rate_limited",
      retryable: true,
      retryAfter: 1,
    });
    vk.script("messages.send", 6);
    await api().sendText({ chatId: "14", text: "после паузы" });
    expect(vk.sent.at(-1)!.text).toBe("после паузы");
    for (const [code, expected] of [
      [9, { code: "flood_control", retryable: true }],
      [10, { code: "provider_10", retryable: true }],
    ] as const) {
      vk.script("messages.send", code);
      expect(await refusal(api().sendText({ chatId: "14", text: "т" }))).toMatchObject(expected);
    }
    expect(await refusal(api().sendText({ chatId: "15", text: "никто не писал" }))).toMatchObject({
      code: "denied",
      undeliverable: true,
    });
    writer(16);
    vk.private(16);
    expect(await refusal(api().sendText({ chatId: "16", text: "т" }))).toMatchObject({
      code: "privacy",
      undeliverable: true,
    });
    writer(17);
    expect(await refusal(api().sendText({ chatId: "17", text: "я".repeat(4097) }))).toMatchObject({
      code: "rejected_too_long",
      retryable: false,
    });
  });

  it("the stand-in refuses a call without a version or past 20 calls a second; the driver paces below it", async () => {
    const raw = await fetch(`${vk.url}/users.get?user_ids=1&access_token=${TOKEN}`).then(
      (r) => r.json() as Promise<VkAnswer>,
    );
    expect(raw.error?.error_code).toBe(8);
    // The calls of the tests before have left the stand-in's window.
    await new Promise((r) => setTimeout(r, 1100));
    const before = vk.refusals.filter((r) => r.code === 6).length;
    const started = Date.now();
    const d = api();
    const names = await Promise.all(Array.from({ length: 40 }, (_, i) => d.userName(String(i + 1))));
    expect(names.every((n) => n === "Анна Петрова")).toBe(true);
    // 15 a second, evenly spaced: 40 calls take more than two seconds and VK's limit is met seldom, if at all (a
    // loaded machine can bunch a few up; the driver then waits a second and calls again, so every call is answered).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    const paced = vk.refusals.filter((r) => r.code === 6).length - before;
    expect(paced).toBeLessThanOrEqual(5);
    // Unpaced, the same 40 calls meet VK's limit for at least a third of them.
    await new Promise((r) => setTimeout(r, 1100));
    const burst = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${vk.url}/users.get`, {
          method: "POST",
          body: new URLSearchParams({ user_ids: "1", access_token: TOKEN, v: "5.199" }),
        }).then((r) => r.json() as Promise<VkAnswer>),
      ),
    );
    expect(burst.filter((b) => b.error?.error_code === 6).length).toBeGreaterThanOrEqual(14);
  });

  it("counts an API that cannot be reached as a temporary failure", async () => {
    expect(await refusal(new VkApi("http://127.0.0.1:9/method", TOKEN).userName("1"))).toMatchObject({
      code: "network",
      retryable: true,
    });
  });

  it("fetches an attachment from its address within the size limit, and only from VK's hosts", async () => {
    const doc = vk.doc(Buffer.from("%PDF-1.4 test"), "a", "pdf");
    expect((await api().fetchFile(doc.doc.url, 1000)).toString()).toBe("%PDF-1.4 test");
    expect(await refusal(api().fetchFile(doc.doc.url, 5))).toMatchObject({ code: "file_too_large" });
    expect(await refusal(api().fetchFile("http://169.254.169.254/latest/meta-data", 1000))).toMatchObject({
      code: "file_unavailable",
    });
    expect(await refusal(api().fetchFile("not an address", 1000))).toMatchObject({ code: "file_unavailable" });
  });
});

describe("a Callback API event as the flow reads it", () => {
  const message = (m: Record<string, unknown>) => ({ message: { peer_id: 5, from_id: 5, out: 0, ...m } });

  it("reads messages, edits, photos (largest size), documents, text and callback buttons; passes over the rest", () => {
    expect(readEvent("message_new", "e1", message({ text: "Привет" }))).toEqual({
      kind: "message",
      inbound: { chatId: "5", eventId: "e1", text: "Привет", files: [], edited: false },
    });
    expect(readEvent("message_edit", "e2", { peer_id: 5, from_id: 5, text: "Исправлено" })).toMatchObject({
      inbound: { edited: true, text: "Исправлено" },
    });
    const files = readEvent(
      "message_new",
      "e3",
      message({
        text: "",
        attachments: [
          {
            type: "photo",
            photo: {
              id: 9,
              owner_id: 5,
              sizes: [
                { width: 75, height: 50, url: "https://sun9-1.userapi.com/s.jpg" },
                { width: 1280, height: 960, url: "https://sun9-1.userapi.com/w.jpg" },
                { width: 604, height: 400, url: "https://sun9-1.userapi.com/x.jpg" },
              ],
            },
          },
          { type: "doc", doc: { id: 1, title: "справка", ext: "pdf", url: "https://vk.com/doc5_1" } },
          { type: "doc", doc: { id: 2, title: "скан.PDF", ext: "pdf", url: "https://vk.com/doc5_2" } },
          { type: "sticker", sticker: {} },
        ],
      }),
    );
    expect(files).toMatchObject({
      inbound: {
        files: [
          { fileId: "https://sun9-1.userapi.com/w.jpg", filename: "photo-9.jpg" },
          { fileId: "https://vk.com/doc5_1", filename: "справка.pdf" },
          { fileId: "https://vk.com/doc5_2", filename: "скан.PDF" },
        ],
      },
    });
    expect(readEvent("message_new", "e4", message({ text: "Оператор", payload: '{"b":"operator"}' }))).toMatchObject({
      inbound: { button: "operator", text: "" },
    });
    expect(
      readEvent("message_event", "e5", { user_id: 5, peer_id: 5, event_id: "ev", payload: { b: "rate:3:4" } }),
    ).toEqual({
      kind: "button",
      inbound: { chatId: "5", eventId: "e5", text: "", button: "rate:3:4" },
      answer: { eventId: "ev", userId: "5" },
    });
    expect(readEvent("message_deny", "e6", { user_id: 5 })).toEqual({ kind: "deny", chatId: "5" });
    expect(readEvent("message_allow", "e7", { user_id: 5, key: "x" })).toEqual({ kind: "allow", chatId: "5" });
    // A community chat of several people, the community's own outgoing message, a sticker alone, a foreign type.
    expect(
      readEvent("message_new", "e8", { message: { peer_id: 2_000_000_001, from_id: 5, text: "всем" } }),
    ).toBeNull();
    expect(readEvent("message_edit", "e9", { peer_id: 5, from_id: 5, out: 1, text: "наше" })).toBeNull();
    expect(readEvent("message_new", "e10", message({ text: "", attachments: [{ type: "sticker" }] }))).toBeNull();
    expect(readEvent("wall_post_new", "e11", { id: 1 })).toBeNull();
    expect(readEvent("message_new", "e12", "строка")).toBeNull();
  });
});

describe("the VK settings", () => {
  const full = {
    OTKLIK_VK_GROUP_ID: "229000001",
    OTKLIK_VK_TOKEN: TOKEN,
    OTKLIK_VK_SECRET: "s3cretKeyOfTheServer",
    OTKLIK_VK_CONFIRMATION: "a1b2c3d4",
  };

  it("are read together, with the API's default address", () => {
    expect(loadConfig(full)).toMatchObject({
      vkGroupId: 229_000_001,
      vkSecret: "s3cretKeyOfTheServer",
      vkApi: "https://api.vk.com/method",
    });
    expect(loadConfig({}).vkToken).toBeUndefined();
  });

  it("stop the start when one is missing or malformed, naming it", () => {
    const { OTKLIK_VK_SECRET: _, ...partial } = full;
    expect(() => loadConfig(partial)).toThrow(ConfigError);
    expect(() => loadConfig(partial)).toThrow(/OTKLIK_VK_SECRET/);
    expect(() => loadConfig({ ...full, OTKLIK_VK_SECRET: "short" })).toThrow(/OTKLIK_VK_SECRET/);
    expect(() => loadConfig({ ...full, OTKLIK_VK_GROUP_ID: "-5" })).toThrow(/OTKLIK_VK_GROUP_ID/);
    expect(() => loadConfig({ ...full, OTKLIK_VK_API: "ftp://api.vk.com" })).toThrow(/OTKLIK_VK_API/);
  });
});
