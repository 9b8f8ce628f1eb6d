// The VK channel against the stand-in (test/vk-api.ts): the Callback API (confirmation, the secret key, «ok» at once
// and the work after, a repeated event taken once), the bot first and a request of channel vk, operators' answers and
// the rating keyboard through messages.send with random_id, VK's limit errors retried, a user who cannot be written
// to, files both ways, a long answer split.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { multipartBody } from "../../../test/multipart-body.ts";
import { startVkApi, type VkStandIn } from "../../../test/vk-api.ts";
import { applicantContacts } from "../../applicants/db-schema.ts";
import { contactHashOf } from "../../notifications/gate.ts";
import { requestHistory as history, messages, requests } from "../../requests/schema.ts";
import { configureChat } from "../chat/settings.ts";
import { messengerContacts, messengerOutbox } from "../messenger/db-schema.ts";
import { contactOf } from "../messenger/inbound.ts";
import { randomIdOf } from "./api.ts";
import { vkEvents } from "./db-schema.ts";

const TOKEN = "vk1.a.stand-in-community-token-0123456789";
const GROUP = 229_000_001;
const SECRET = "s3cretKeyOfTheCallbackServer";
const CONFIRMATION = "a1b2c3d4";
const WORKING_HOURS = () => new Date("2026-11-26T12:00:00+03:00");
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

let vk: VkStandIn;
let s: TestServer;
let peerSeq = 700_000;
const newPeer = () => ++peerSeq;

beforeAll(async () => {
  vk = await startVkApi({ token: TOKEN, groupId: GROUP, retryDelayMs: 50 });
  s = await createTestServer({
    port: 0,
    host: "127.0.0.1",
    vkGroupId: GROUP,
    vkToken: TOKEN,
    vkSecret: SECRET,
    vkConfirmation: CONFIRMATION,
    vkApi: vk.url,
  });
  configureChat(s.ctx, { now: WORKING_HOURS });
  vk.connect(`${s.url}/api/v1/vk/callback`, SECRET);
});
afterAll(async () => {
  await s?.close();
  await vk?.close();
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

const sentTo = (peer: number) => vk.sent.filter((m) => m.peerId === peer);
const sentText = (peer: number, re: RegExp) => until(() => sentTo(peer).find((m) => re.test(m.text)));

async function requestOf(peer: number) {
  const m = await sentText(peer, /зарегистрировано под номером \d/);
  const number = /номером ([\d ]+)\./.exec(m.text)![1]!.replaceAll(" ", "");
  return until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.number, number)))[0]);
}

const staffPost = (authorization: string, url: string, payload: unknown) =>
  s.app.inject({ method: "POST", url: `/api/v1${url}`, headers: { authorization }, payload: payload as object });

/** The chat's contact as stored (contactOf would make a blocked chat deliverable again: it is the applicant writing). */
async function storedContact(peer: number) {
  const [c] = await s.ctx.db
    .select()
    .from(messengerContacts)
    .where(
      and(
        eq(messengerContacts.channel, "vk"),
        eq(messengerContacts.chatHash, contactHashOf("messenger", `vk:${peer}`)),
      ),
    );
  return c!;
}

/** Everything queued for the chat has gone (or failed). */
async function settled(peer: number) {
  const contact = await storedContact(peer);
  await until(async () => {
    const rows = await s.ctx.db.select().from(messengerOutbox).where(eq(messengerOutbox.contactId, contact.id));
    return rows.length > 0 && rows.every((r) => r.sentAt || r.failedAt);
  });
}

const linesOf = async (requestId: number) => s.ctx.db.select().from(messages).where(eq(messages.requestId, requestId));

describe("vk: the Callback API", () => {
  it("confirms the server's address with the confirmation string, as text/plain", async () => {
    const c = await vk.confirm();
    expect(c).toMatchObject({ status: 200, body: CONFIRMATION });
    expect(c.type).toMatch(/^text\/plain/);
    const other = await s.app.inject({
      method: "POST",
      url: "/api/v1/vk/callback",
      payload: { type: "confirmation", group_id: GROUP + 1 },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe("vk_wrong_group");
  });

  it("refuses an event without the secret key; VK repeats it while the answer is not «ok»", async () => {
    const e = vk.event("message_new", { message: { peer_id: 5, from_id: 5, text: "без ключа", out: 0 } });
    const tries = await vk.deliver(e, { secret: "wrongSecretKey1" });
    expect(tries).toHaveLength(6);
    for (const t of tries) expect(t.status).toBe(403);
    const [stored] = await s.ctx.db.select().from(vkEvents).where(eq(vkEvents.eventId, e.event_id));
    expect(stored).toBeUndefined();
    const bare = await s.app.inject({ method: "POST", url: "/api/v1/vk/callback", payload: { ...e } });
    expect(bare.statusCode).toBe(403);
    expect(bare.json().code).toBe("vk_unauthenticated");
    const bad = await s.app.inject({ method: "POST", url: "/api/v1/vk/callback", payload: { type: "message_new" } });
    expect(bad.statusCode).toBe(400);
  });

  it("answers «ok» at once, while VK is slow, and handles the event after", async () => {
    const peer = newPeer();
    vk.slow(1500);
    try {
      const { posted } = vk.text(peer, "Не приходит смс с кодом подтверждения на телефон");
      const tries = await posted;
      expect(tries).toHaveLength(1);
      expect(tries[0]).toMatchObject({ status: 200, body: "ok" });
      expect(tries[0]!.ms).toBeLessThan(1000);
      expect(sentTo(peer)).toHaveLength(0);
      await sentText(peer, /Вот что может помочь|не нашёл/);
    } finally {
      vk.slow(0);
    }
  });

  it("takes an event whose event_id is short or long, and a long message in parts answered by the bot once", async () => {
    // VK's ids are its own: «g1» is too short for a chat id as it was, and was refused — and retried — forever.
    const peer = newPeer();
    vk.allow(peer);
    const message = { date: Math.floor(Date.now() / 1000), from_id: peer, id: 1, out: 0, peer_id: peer };
    const short = vk.event("message_new", { message: { ...message, text: "Не приходит код подтверждения" } });
    short.event_id = "g1";
    expect((await vk.deliver(short))[0]).toMatchObject({ status: 200, body: "ok" });
    const req = await requestOf(peer);
    expect((await linesOf(req.id)).map((m) => m.body)).toContain("Не приходит код подтверждения");

    // 9,500 characters: three parts on the request, one turn of the bot.
    const other = newPeer();
    const long = `${"Подробно описываю проблему со входом в личный кабинет. ".repeat(170)}Конец.`;
    expect(long.length).toBeGreaterThan(8000);
    await vk.text(other, long).posted;
    const made = await requestOf(other);
    const lines = await until(async () => {
      const all = await linesOf(made.id);
      return all.filter((m) => m.authorType === "applicant").length === 3 ? all : undefined;
    });
    const parts = lines.filter((m) => m.authorType === "applicant").map((m) => m.body);
    expect(parts.every((p) => p.length <= 4000)).toBe(true);
    expect(parts.join(" ")).toBe(long);
    await settled(other);
    expect((await linesOf(made.id)).filter((m) => m.authorType === "bot")).toHaveLength(1);
  });

  it("takes a repeated event_id once", async () => {
    const peer = newPeer();
    const { event, posted } = vk.text(peer, "Как изменить номер телефона в профиле портала?");
    await posted;
    const req = await requestOf(peer);
    const again = await vk.deliver(event);
    expect(again[0]).toMatchObject({ status: 200, body: "ok" });
    await new Promise((r) => setTimeout(r, 500));
    const stored = await s.ctx.db.select().from(vkEvents).where(eq(vkEvents.eventId, event.event_id));
    expect(stored).toHaveLength(1);
    // Handled and emptied: the message's text is not kept in the event once it is on the request.
    await until(
      async () => (await s.ctx.db.select().from(vkEvents).where(eq(vkEvents.id, stored[0]!.id)))[0]!.handledAt,
    );
    const [handled] = await s.ctx.db.select().from(vkEvents).where(eq(vkEvents.id, stored[0]!.id));
    expect(handled!.body).toBeNull();
    const applicantLines = (await linesOf(req.id)).filter((l) => l.authorType === "applicant");
    expect(applicantLines).toHaveLength(1);
  });
});

describe("vk: the bot first, the request, the operator's answer", () => {
  it("answers with the bot's buttons, registers a request of channel vk, delivers an operator's answer with random_id", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Не могу войти в личный кабинет, пишет что пароль неверный");
    const bot = await sentText(peer, /Вот что может помочь|не нашёл/);
    expect(bot.keyboard!.inline).toBe(true);
    const labels = bot.keyboard!.buttons.flat().map((b) => b.action.label);
    expect(labels).toEqual(expect.arrayContaining(["Связаться с оператором", "Оставить обращение"]));
    expect(bot.keyboard!.buttons.flat().every((b) => b.action.type === "callback")).toBe(true);
    const req = await requestOf(peer);
    expect(req).toMatchObject({ channel: "vk", status: "new" });
    expect((await linesOf(req.id)).map((l) => l.authorType)).toEqual(["applicant", "bot"]);
    // The applicant record knows the chat as a messenger contact (by its blind index), with the name from users.get.
    const contact = await contactOf(s.ctx, "vk", String(peer));
    expect(contact.name).toBe("Анна Петрова");
    const [linked] = await s.ctx.db
      .select()
      .from(applicantContacts)
      .where(and(eq(applicantContacts.kind, "messenger"), eq(applicantContacts.hash, contact.chatHash)));
    expect(linked).toBeDefined();

    // A press of «Связаться с оператором» comes as message_event and is answered.
    const operatorButton = bot.keyboard!.buttons.flat().find((b) => b.action.label === "Связаться с оператором")!;
    const { event } = vk.press(peer, operatorButton.action.payload!);
    await sentText(peer, /Подключаем оператора/);
    const pressId = (event.object as { event_id: string }).event_id;
    await until(() => vk.answeredEvents.find((a) => a.eventId === pressId));

    const answer = await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Пароль сброшен, ссылка для входа отправлена.",
      visibility: "public",
    });
    expect(answer.statusCode).toBe(200);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Внутренняя заметка: проверить журнал входов",
      visibility: "note",
    });
    const got = await sentText(peer, /Пароль сброшен/);
    // The answer's outbox row, marked sent once VK has answered.
    const row = await until(async () => {
      const rows = await s.ctx.db
        .select()
        .from(messengerOutbox)
        .where(and(eq(messengerOutbox.contactId, contact.id), eq(messengerOutbox.requestId, req.id)));
      return rows.find((r) => r.sentAt && r.source.startsWith("message:"));
    });
    expect(got.randomId).toBe(randomIdOf(String(peer), `${row.id}:0`));
    expect(sentTo(peer).some((m) => /Внутренняя заметка/.test(m.text))).toBe(false);

    // The applicant answers in VK: a line on the same request; an edit is a new line marked as one.
    const { event: said } = vk.text(peer, "Спасибо, получилось войти");
    await until(async () => (await linesOf(req.id)).some((l) => l.body === "Спасибо, получилось войти"));
    vk.edit(peer, (said.object as { message: { id: number } }).message.id, "Спасибо, получилось войти с телефона");
    const edited = await until(async () =>
      (await linesOf(req.id)).find((l) => l.body.startsWith("Исправленное сообщение:")),
    );
    expect(edited.body).toContain("с телефона");
  });

  it("takes a text button's payload as a press", async () => {
    const peer = newPeer();
    vk.text(peer, "Не приходит письмо для подтверждения почты");
    await requestOf(peer);
    vk.text(peer, "Связаться с оператором", { payload: JSON.stringify({ b: "operator" }) });
    await sentText(peer, /Подключаем оператора/);
  });

  it("a resolved request brings the rating keyboard 1–5; a press rates it and is answered with a snackbar", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Как изменить адрес электронной почты в профиле?");
    const req = await requestOf(peer);
    expect(
      (await staffPost(op.authorization, `/requests/${req.number}/status`, { status: "resolved" })).statusCode,
    ).toBe(200);
    const invite = await sentText(peer, /решено/);
    const keys = invite.keyboard!.buttons.flat();
    expect(keys.map((k) => k.action.label)).toEqual(["1", "2", "3", "4", "5"]);
    vk.press(peer, keys[3]!.action.payload!);
    await until(async () => (await s.ctx.db.select().from(requests).where(eq(requests.id, req.id)))[0]!.rating === 4);
    await until(() =>
      vk.answeredEvents.find(
        (a) => a.peerId === peer && (a.eventData as { text?: string } | undefined)?.text === "Спасибо за оценку!",
      ),
    );
  });
});

describe("vk: VK's limits and refusals", () => {
  it("retries error 6, 9 and 10 and then delivers; splits a long answer within 4,096 characters, one a second", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Подскажите, как подать заявление на загранпаспорт через портал?");
    const req = await requestOf(peer);
    await until(() => sentTo(peer).length >= 2);
    vk.script("messages.send", 6, 9, 10);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Ответ после отказов VK.",
      visibility: "public",
    });
    await sentText(peer, /Ответ после отказов VK/);
    for (const code of [6, 9, 10]) expect(vk.refusals).toContainEqual({ method: "messages.send", code });

    const paragraph = "Проверьте данные заявления и сроки рассмотрения. ".repeat(40).trim();
    const long = Array.from({ length: 5 }, (_, i) => `${i + 1}. ${paragraph}`).join("\n\n");
    expect(long.length).toBeGreaterThan(8192);
    await staffPost(op.authorization, `/requests/${req.number}/messages`, { body: long, visibility: "public" });
    const parts = await until(() => {
      const got = sentTo(peer).filter((m) => m.text.includes("Проверьте данные"));
      return got.length >= 3 && got;
    });
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4096);
    expect(parts.map((p) => p.text).join("\n\n")).toBe(long);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.at - parts[i - 1]!.at).toBeGreaterThanOrEqual(950);
    expect(vk.refusals.filter((r) => r.code === 914)).toHaveLength(0);
  });

  it("901: the chat is marked undeliverable and the request's history tells the operator; writing again undoes it", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Не могу записаться к врачу через портал");
    const req = await requestOf(peer);
    vk.revoke(peer);
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
    expect(row.changes).toMatchObject({ channel: "vk", code: "denied" });
    const contact = await storedContact(peer);
    expect(contact.undeliverableAt).not.toBeNull();
    expect(vk.refusals).toContainEqual({ method: "messages.send", code: 901 });
    vk.text(peer, "Регион — Москва");
    await until(async () => {
      const [again] = await s.ctx.db.select().from(messengerContacts).where(eq(messengerContacts.id, contact.id));
      return again!.undeliverableAt === null;
    });
  });

  it("message_deny: the chat is undeliverable at once, nothing is sent, the operator is told; message_allow undoes it", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Не работает оплата госпошлины на портале");
    const req = await requestOf(peer);
    await settled(peer);
    await vk.deny(peer).posted;
    const row = await until(async () => {
      const rows = await s.ctx.db
        .select()
        .from(history)
        .where(and(eq(history.requestId, req.id), eq(history.action, "messenger_undeliverable")));
      return rows[0];
    });
    expect(row.changes).toMatchObject({ channel: "vk", code: "message_deny" });
    const before = vk.calls.filter((c) => c.method === "messages.send").length;
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Проверьте, пожалуйста, банковскую карту.",
      visibility: "public",
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(vk.calls.filter((c) => c.method === "messages.send").length).toBe(before);
    expect(sentTo(peer).some((m) => /банковскую карту/.test(m.text))).toBe(false);
    // message_allow: the chat takes messages again, and the next answer goes.
    expect((await storedContact(peer)).undeliverableAt).not.toBeNull();
    await vk.permit(peer).posted;
    const contact = await storedContact(peer);
    await until(async () => {
      const [c] = await s.ctx.db.select().from(messengerContacts).where(eq(messengerContacts.id, contact.id));
      return c!.undeliverableAt === null;
    });
    await staffPost(op.authorization, `/requests/${req.number}/messages`, {
      body: "Оплата прошла, спасибо за терпение.",
      visibility: "public",
    });
    await sentText(peer, /Оплата прошла/);
  });
});

describe("vk: files both ways", () => {
  it("takes a photo (its largest size) and a document within the web form's checks, refuses what the form refuses", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Прикладываю справку, не принимают заявление");
    const req = await requestOf(peer);
    vk.text(peer, "Вот справка", { attachments: [vk.doc(PDF, "справка", "pdf"), vk.photo(PNG, peer)] });
    await until(async () => (await linesOf(req.id)).some((l) => l.body === "Вот справка"));
    const detail = (
      await s.app.inject({
        method: "GET",
        url: `/api/v1/requests/${req.number}`,
        headers: { authorization: op.authorization },
      })
    ).json();
    const files = JSON.stringify(detail);
    expect(files).toContain("справка.pdf");
    expect(files).toMatch(/photo-\d+\.jpg/);
    expect(files).not.toContain(`photo-${peer}`);
    const photo = (detail.messages as { attachments?: { id: string; filename: string }[] }[])
      .flatMap((m) => m.attachments ?? [])
      .find((a) => a.filename.startsWith("photo-"))!;
    const got = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${req.number}/attachments/${photo.id}`,
      headers: { authorization: op.authorization },
    });
    expect(got.rawPayload.equals(PNG)).toBe(true);

    vk.text(peer, "", {
      attachments: [vk.doc(Buffer.from("4d5a90000300000004000000ffff0000", "hex"), "setup", "exe")],
    });
    await sentText(peer, /«setup\.exe» не принят/);
  });

  it("sends an operator's document through docs upload and a picture through photos upload", async () => {
    const op = await s.staff("operator");
    const peer = newPeer();
    vk.text(peer, "Пришлите, пожалуйста, бланк заявления");
    const req = await requestOf(peer);
    const form = multipartBody([
      { name: "body", value: "Бланк и образец во вложении." },
      { name: "visibility", value: "public" },
      { name: "files", value: PDF, filename: "бланк.pdf", type: "application/pdf" },
      { name: "files", value: PNG, filename: "образец.png", type: "image/png" },
    ]);
    const r = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${req.number}/messages`,
      headers: { authorization: op.authorization, ...form.headers },
      payload: form.payload,
    });
    expect(r.statusCode).toBe(200);
    const withFiles = await until(() => {
      const got = sentTo(peer).filter((m) => m.attachments.length > 0);
      return got.length >= 2 && got;
    });
    const doc = withFiles.find((m) => m.attachments[0]!.kind === "doc")!.attachments[0]!;
    expect(doc.filename).toBe("бланк.pdf");
    expect(doc.bytes.equals(PDF)).toBe(true);
    const pic = withFiles.find((m) => m.attachments[0]!.kind === "photo")!.attachments[0]!;
    expect(pic.bytes.equals(PNG)).toBe(true);
    for (const m of [
      "photos.getMessagesUploadServer",
      "photos.saveMessagesPhoto",
      "docs.getMessagesUploadServer",
      "docs.save",
    ]) {
      expect(vk.calls.some((c) => c.method === m)).toBe(true);
    }
  });
});
