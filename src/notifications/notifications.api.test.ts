// The notification policy end to end: requests from the web form reach the applicant by e-mail (through the relay, a
// sink server here) and by SMS (through the HTTP driver, a stand-in gateway here) — the acknowledgement with number,
// Moscow due time and link, answers, a request for more information, the resolution with the invitation to rate.
// A note never leaves; an unsubscribe and the hourly limit hold back what is not essential; the gateway's limits and
// outages are retried, its refusals recorded.
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { startSmsGateway } from "../../test/sms-gateway.ts";
import { SUPPORT, startSink, waitFor } from "../../test/test-smtp.ts";
import { chatConversations, chatMessages } from "../channels/chat/db-schema.ts";
import { deliverManyByEmail } from "../channels/email/outbound.ts";
import { smsOutbox } from "../channels/sms/db-schema.ts";
import { sendSms } from "../channels/sms/outbound.ts";
import type { Delivery } from "../requests/core/index.ts";
import { requestRowByNumber } from "../requests/queries.ts";
import { requestHistory } from "../requests/schema.ts";
import { blindIndex } from "../security/sealed.ts";
import { displayRequestNumber } from "../text/display.ts";
import { notificationLog } from "./db-schema.ts";
import { type Admission, admit, admitMany } from "./gate.ts";
import type { Verdict } from "./policy.ts";
import { smsSegments } from "./texts.ts";

let s: TestServer;
let sink: Awaited<ReturnType<typeof startSink>>;
let gateway: Awaited<ReturnType<typeof startSmsGateway>>;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  sink = await startSink();
  gateway = await startSmsGateway({ token: "gateway-token-1" });
  s = await createTestServer({
    smtpRelay: `smtp://127.0.0.1:${sink.port}`,
    supportAddress: SUPPORT,
    smsUrl: gateway.url,
    smsToken: "gateway-token-1",
    smsSender: "Gosuslugi",
    notifyHourlyLimit: 4,
  });
  operator = await s.staff("supervisor");
});
afterAll(async () => {
  await s?.close();
  await sink?.close();
  await gateway?.close();
});

const staff = (method: "GET" | "POST", url: string, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: operator.authorization }, payload });

async function submit(contact: { email?: string; phone?: string; name?: string }, text = "Не приходит СМС с кодом.") {
  const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, contact } });
  expect(res.statusCode).toBe(201);
  return res.json() as { number: string; trackingUrl: string; dueAt: string };
}

const reply = async (number: string, body: string, visibility: "public" | "note" = "public") =>
  expect((await staff("POST", `/requests/${number}/messages`, { body, visibility })).statusCode).toBeLessThan(300);
const setStatus = async (number: string, status: string) =>
  expect((await staff("POST", `/requests/${number}/status`, { status })).statusCode).toBe(200);

const lettersTo = (address: string) => sink.letters.filter((l) => l.to.includes(address));
const waitLetters = (address: string, n: number) =>
  waitFor(async () => (lettersTo(address).length >= n ? lettersTo(address) : undefined));
const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, "im")
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, " ")
    .trim();

async function outcomes(number: string, medium: "email" | "sms") {
  const row = await requestRowByNumber(s.ctx.db, number);
  const rows = await s.ctx.db
    .select({ kind: notificationLog.kind, outcome: notificationLog.outcome })
    .from(notificationLog)
    .where(and(eq(notificationLog.requestId, row!.id), eq(notificationLog.medium, medium)))
    .orderBy(notificationLog.id);
  return rows.map((r) => `${r.kind}:${r.outcome}`);
}

describe("a web-form applicant who gave an e-mail address", () => {
  it("gets the acknowledgement, each answer, the question and the resolution with the invitation to rate; never a note", async () => {
    const email = "olga.form@example.ru";
    const r = await submit({ email, name: "Ольга" });
    const [ack] = await waitLetters(email, 1);
    expect(ack!.subject).toContain(`[№ ${r.number}]`);
    expect(ack!.text).toContain(`зарегистрировано под номером ${displayRequestNumber(r.number)}`);
    expect(ack!.text).toContain("по московскому времени");
    const due = new Intl.DateTimeFormat("ru-RU", {
      timeZone: "Europe/Moscow",
      hour: "2-digit",
      minute: "2-digit",
    }).format(new Date(r.dueAt));
    expect(ack!.text).toContain(due);
    expect(ack!.text).toContain(r.trackingUrl);
    expect(ack!.text).toMatch(/http:\/\/otklik\.test\/unsubscribe\/e\.[\w-]+\.[\w-]+/);
    expect(header(ack!.raw, "Auto-Submitted")).toBe("auto-replied");
    expect(header(ack!.raw, "List-Unsubscribe")).toMatch(
      /^<http:\/\/otklik\.test\/api\/v1\/notifications\/unsubscribe\//,
    );

    await reply(r.number, "Внутренняя заметка: проверить журнал входа.", "note");
    await reply(r.number, "Проверьте, пожалуйста, папку «Спам» и номер телефона в профиле.");
    const letters = await waitLetters(email, 2);
    expect(letters[1]!.text).toContain("папку «Спам»");
    expect(letters[1]!.text).toContain(r.trackingUrl);

    expect(
      (await staff("POST", `/requests/${r.number}/ask`, { question: "Какой у вас оператор связи?" })).statusCode,
    ).toBe(200);
    const asked = (await waitLetters(email, 3))[2]!;
    expect(asked.text).toContain("нужны уточнения");
    expect(asked.text).toContain("Какой у вас оператор связи?");

    await setStatus(r.number, "resolved");
    const resolved = (await waitLetters(email, 4))[3]!;
    expect(resolved.text).toContain(`обращение № ${displayRequestNumber(r.number)} решено`);
    expect(resolved.text).toContain("оцените работу службы поддержки (от 1 до 5)");
    expect(resolved.text).toContain(r.trackingUrl);

    // Exactly four letters, none of them carrying the note.
    await new Promise((res) => setTimeout(res, 300));
    expect(lettersTo(email)).toHaveLength(4);
    for (const l of lettersTo(email)) expect(l.text).not.toContain("Внутренняя заметка");
    expect(await outcomes(r.number, "email")).toEqual([
      "registered:queued",
      "reply:queued",
      "asked:queued",
      "resolved:queued",
    ]);
  });

  it("an incident's end that resolves the request makes one letter: the resolution, carrying the notice", async () => {
    const email = "pavel.once@example.ru";
    const r = await submit({ email });
    await waitLetters(email, 1);
    const row = await requestRowByNumber(s.ctx.db, r.number);
    await s.ctx.db.transaction((tx) =>
      s.ctx.requests.link(tx, row!.id, {
        incidentId: 1,
        body: "Сбой отправки СМС-кодов устранён, коды приходят.",
        action: "incident_resolved",
        resolve: true,
      }),
    );
    const [, resolved] = await waitLetters(email, 2);
    expect(resolved!.text).toContain("решено");
    expect(resolved!.text).toContain("Сбой отправки СМС-кодов устранён");
    expect(resolved!.text).toContain("оцените");
    await new Promise((done) => setTimeout(done, 300));
    expect(lettersTo(email)).toHaveLength(2);
    expect(await outcomes(r.number, "email")).toEqual(["registered:queued", "resolved:queued"]);
  });
});

describe("every channel, one notice per event", () => {
  const register = (channel: "email" | "chat" | "phone", contact: { email?: string; phone?: string }) =>
    s.ctx.requests.register({ text: "Не могу войти в личный кабинет.", channel, contact });

  it("an e-mail request's applicant gets the conversation's letter for an answer, never a notice beside it", async () => {
    const email = "writes.letters@example.ru";
    const r = await register("email", { email });
    await reply(r.number, "Ответ на ваше письмо.");
    const [answer] = await waitLetters(email, 1);
    expect(answer!.subject).toMatch(/^Re: \[№ \d+\]/);
    expect(answer!.text).toContain("Ответ на ваше письмо.");
    await new Promise((done) => setTimeout(done, 300));
    // The acknowledgement of a letter is the intake's (not tested here: the request did not come over SMTP).
    expect(lettersTo(email)).toHaveLength(1);
    expect(await outcomes(r.number, "email")).toEqual([]);
  });

  it("a chat applicant with an address hears answers in the open chat only, by letter once the chat is closed", async () => {
    const email = "chats.a.lot@example.ru";
    const r = await register("chat", { email });
    await waitLetters(email, 1);
    const row = await requestRowByNumber(s.ctx.db, r.number);
    const [conv] = await s.ctx.db
      .insert(chatConversations)
      .values({ tokenHash: `test-${r.number}`, requestId: row!.id, state: "operator" })
      .returning({ id: chatConversations.id });
    await reply(r.number, "Ответ, пока чат открыт.");
    // The chat shows it...
    await waitFor(async () => {
      const lines = await s.ctx.db.select().from(chatMessages).where(eq(chatMessages.conversationId, conv!.id));
      return lines.some((l) => l.body === "Ответ, пока чат открыт.");
    });
    await s.ctx.db.update(chatConversations).set({ state: "closed" }).where(eq(chatConversations.id, conv!.id));
    await reply(r.number, "Ответ после чата.");
    const letters = await waitLetters(email, 2);
    expect(letters[1]!.text).toContain("Ответ после чата.");
    await new Promise((done) => setTimeout(done, 300));
    // ...and no letter repeats it.
    expect(lettersTo(email).some((l) => l.text.includes("пока чат открыт"))).toBe(false);
    expect(await outcomes(r.number, "email")).toEqual(["registered:queued", "reply:queued"]);
  });

  it("a caller gets the number and the rating invitation by SMS on the number they called from", async () => {
    const phone = "+79123456704";
    const r = await register("phone", { phone });
    const mine = () => gateway.sent.filter((m) => m.to === phone);
    await waitFor(async () => mine().length === 1);
    expect(mine()[0]!.text).toContain(`№ ${displayRequestNumber(r.number)} зарегистрировано`);
    await setStatus(r.number, "resolved");
    await waitFor(async () => mine().length === 2);
    expect(mine()[1]!.text).toContain("Оцените ответ");
  });

  it("a form filled in with the support mailbox's own address gets no letter (no loop through our own intake)", async () => {
    const r = await submit({ email: SUPPORT.toUpperCase() });
    await setStatus(r.number, "resolved");
    await new Promise((done) => setTimeout(done, 1000));
    expect(sink.letters.filter((l) => l.to.some((t) => t.toLowerCase() === SUPPORT))).toHaveLength(0);
  });

  it("an applicant who gave both hears by letter and by SMS, once on each", async () => {
    const email = "both.ways@example.ru";
    const phone = "+79123456705";
    const r = await submit({ email, phone });
    await waitLetters(email, 1);
    await waitFor(async () => gateway.sent.some((m) => m.to === phone));
    await setStatus(r.number, "resolved");
    await waitLetters(email, 2);
    await waitFor(async () => gateway.sent.filter((m) => m.to === phone).length === 2);
    await new Promise((done) => setTimeout(done, 300));
    expect(lettersTo(email)).toHaveLength(2);
    expect(gateway.sent.filter((m) => m.to === phone)).toHaveLength(2);
  });
});

describe("unsubscribe and the hourly limit", () => {
  it("the link in the letter stops answers by e-mail; the resolution still comes", async () => {
    const email = "stop.please@example.ru";
    const r = await submit({ email });
    const [ack] = await waitLetters(email, 1);
    const token = /\/unsubscribe\/([\w.-]+)/.exec(ack!.text)![1]!;

    const before = await s.app.inject({ method: "GET", url: `/api/v1/notifications/unsubscribe/${token}` });
    expect(before.json()).toEqual({ medium: "email", unsubscribed: false });
    const done = await s.app.inject({ method: "POST", url: `/api/v1/notifications/unsubscribe/${token}`, payload: {} });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ medium: "email", unsubscribed: true });
    // A mail program's one-click form is taken too, and changes nothing more.
    const oneClick = await s.app.inject({
      method: "POST",
      url: `/api/v1/notifications/unsubscribe/${token}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.statusCode).toBe(200);

    await reply(r.number, "Ответ, который не придёт письмом.");
    await setStatus(r.number, "resolved");
    const [, resolved] = await waitLetters(email, 2);
    expect(resolved!.text).toContain("решено");
    expect(lettersTo(email).some((l) => l.text.includes("не придёт письмом"))).toBe(false);
    expect(await outcomes(r.number, "email")).toEqual(["registered:queued", "reply:unsubscribed", "resolved:queued"]);
  });

  it("a forged or cut link is refused with a sentence, never a 500", async () => {
    for (const token of ["e.abc.def", "x".repeat(100), `e.${"A".repeat(43)}.${"B".repeat(32)}`]) {
      const res = await s.app.inject({
        method: "POST",
        url: `/api/v1/notifications/unsubscribe/${token}`,
        payload: {},
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("invalid_unsubscribe_link");
    }
  });

  it("holds answers past the hourly limit for one address; the resolution goes regardless", async () => {
    const email = "busy.person@example.ru";
    const r = await submit({ email });
    await waitLetters(email, 1);
    for (let i = 1; i <= 4; i++) {
      await reply(r.number, `Ответ номер ${i}.`);
      if (i < 4) await waitLetters(email, 1 + i);
    }
    await setStatus(r.number, "resolved");
    await waitFor(async () => (await outcomes(r.number, "email")).length === 6);
    // The last answer and the resolution may be decided in either order: the answer is held back either way.
    expect((await outcomes(r.number, "email")).sort()).toEqual([
      "registered:queued",
      "reply:queued",
      "reply:queued",
      "reply:queued",
      "reply:rate_limited",
      "resolved:queued",
    ]);
    const letters = await waitLetters(email, 5);
    expect(letters.some((l) => l.text.includes("Ответ номер 4."))).toBe(false);
    expect(letters.at(-1)!.text).toContain("решено");
  });
});

describe("a web-form applicant who gave a phone number", () => {
  it("gets the acknowledgement and the resolution by SMS at the gateway, short and without the answer's words", async () => {
    const r = await submit({ phone: "8 (912) 345-67-01" });
    const [ack] = await waitFor(async () => {
      const mine = gateway.sent.filter((m) => m.to === "+79123456701");
      return mine.length ? mine : undefined;
    });
    expect(ack!.text).toContain(`№ ${displayRequestNumber(r.number)} зарегистрировано`);
    expect(ack!.text).toContain("по московскому времени");
    expect(ack!.sender).toBe("Gosuslugi");
    // The link is a short one that leads to the same tracking page.
    expect(ack!.text).toContain("ответьте СТОП");
    const short = /http:\/\/otklik\.test\/s\/([\w-]{11})\s/.exec(ack!.text)![1]!;
    const followed = await s.app.inject({ method: "GET", url: `/api/v1/notifications/links/${short}` });
    expect(followed.json()).toEqual({ trackingPath: new URL(r.trackingUrl).pathname });
    const wrong = await s.app.inject({ method: "GET", url: `/api/v1/notifications/links/${short.slice(0, 10)}x` });
    expect(wrong.statusCode).toBe(404);

    await reply(r.number, "Секретный ответ оператора.");
    await setStatus(r.number, "resolved");
    const texts = await waitFor(async () => {
      const mine = gateway.sent.filter((m) => m.to === "+79123456701");
      return mine.length >= 3 ? mine : undefined;
    });
    expect(texts[1]!.text).toMatch(
      new RegExp(`^Ответ по обращению № ${displayRequestNumber(r.number)}: http://otklik\\.test/s/[\\w-]{11}$`),
    );
    // 70 Cyrillic characters make one SMS: an answer's notice with its short link fits one.
    expect(smsSegments(texts[1]!.text).segments).toBe(1);
    expect(texts[2]!.text).toContain("решено. Оцените ответ:");
    for (const t of texts) expect(t.text).not.toContain("Секретный");
    const row = await requestRowByNumber(s.ctx.db, r.number);
    // Once the gateway took them, each is marked sent and its text is dropped.
    const rows = await waitFor(async () => {
      const all = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.requestId, row!.id));
      return all.length === 3 && all.every((x) => x.sentAt) ? all : undefined;
    });
    expect(rows.every((x) => x.text === null)).toBe(true);
  });

  it("a reply «СТОП» forwarded by the gateway stops the texts that are not essential; «СТАРТ» brings them back", async () => {
    const phone = "+79123456703";
    const r = await submit({ phone: "8 912 345 67 03" });
    const mine = () => gateway.sent.filter((m) => m.to === phone);
    await waitFor(async () => mine().length === 1);
    const inbound = (text: string, token = "gateway-token-1") =>
      s.app.inject({
        method: "POST",
        url: "/api/v1/sms/inbound",
        headers: { authorization: `Bearer ${token}` },
        payload: { from: "8 (912) 345-67-03", text },
      });
    expect((await inbound("Стоп", "wrong")).statusCode).toBe(401);
    expect((await inbound("Спасибо, жду")).json()).toEqual({ command: null });
    expect((await inbound(" стоп! ")).json()).toEqual({ command: "stop" });

    await reply(r.number, "Первый ответ.");
    await setStatus(r.number, "resolved");
    await waitFor(async () => mine().length === 2);
    expect(mine()[1]!.text).toContain("решено");
    expect(await outcomes(r.number, "sms")).toEqual(["registered:queued", "reply:unsubscribed", "resolved:queued"]);

    expect((await inbound("START")).json()).toEqual({ command: "start" });
    await reply(r.number, "Второй ответ.");
    await waitFor(async () => mine().length === 3);
    expect(mine()[2]!.text).toContain("Ответ по обращению");
  });

  it("a gateway that answers 429 or 503 is tried again; one answer of 4xx marks the SMS failed, on the request's history", async () => {
    gateway.script({ status: 429, retryAfter: "1", code: "too_many" });
    const r = await submit({ phone: "+7 912 345-67-02" });
    const row = await requestRowByNumber(s.ctx.db, r.number);
    const [queued] = await waitFor(async () => {
      const rows = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.requestId, row!.id));
      return rows[0]?.lastErrorCode ? rows : undefined;
    });
    expect(queued!.lastErrorCode).toBe("rate_limited");
    expect(queued!.sentAt).toBeNull();
    expect(queued!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());

    // Before the time the provider asked for: not tried.
    const asked = gateway.requests();
    await expect(sendSms(s.ctx, queued!.id)).rejects.toThrow();
    expect(gateway.requests()).toBe(asked);
    // Later, an outage: retried again after that.
    gateway.script({ status: 503 });
    await expect(sendSms(s.ctx, queued!.id, new Date(Date.now() + 3600_000))).rejects.toThrow();
    const [afterOutage] = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.id, queued!.id));
    expect(afterOutage!.lastErrorCode).toBe("provider_503");
    await sendSms(s.ctx, queued!.id, new Date(Date.now() + 2 * 3600_000));
    const [sent] = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.id, queued!.id));
    expect(sent!.sentAt).not.toBeNull();
    expect(gateway.sent.filter((m) => m.to === "+79123456702")).toHaveLength(1);

    gateway.script({ status: 422, code: "number_blocked" });
    await setStatus(r.number, "resolved");
    const failed = await waitFor(async () => {
      const rows = await s.ctx.db.select().from(smsOutbox).where(eq(smsOutbox.requestId, row!.id));
      return rows.find((x) => x.failedAt);
    });
    expect(failed.lastErrorCode).toBe("rejected_number_blocked");
    const history = await s.ctx.db.select().from(requestHistory).where(eq(requestHistory.requestId, row!.id));
    expect(history.some((h) => h.action === "sms_failed")).toBe(true);
    expect((await s.app.inject({ method: "GET", url: "/api/v1/health" })).statusCode).toBe(200);
  });
});

describe("the gate for a burst", () => {
  it("gives each notification the verdict one at a time would: the burst counts towards the hour, a source repeated keeps its answer", async () => {
    const r = await submit({ name: "Без адреса" });
    const requestId = (await requestRowByNumber(s.ctx.db, r.number))!.id;
    const burst = (contact: string): Admission[] => [
      ...[1, 2, 3, 4, 5].map((k) => ({
        medium: "email" as const,
        source: `${contact}:reply:${k}`,
        contact,
        requestId,
        news: "reply" as const,
      })),
      { medium: "email", source: `${contact}:reply:2`, contact, requestId, news: "reply" },
      { medium: "email", source: `${contact}:resolved`, contact, requestId, news: "resolved" },
    ];
    const together = await s.ctx.db.transaction((tx) => admitMany(s.ctx, tx, burst("gate.together@example.ru")));
    // The limit is four an hour: the fifth answer is held back; the resolution is essential and goes regardless.
    expect(together).toEqual(["send", "send", "send", "send", "rate_limited", "send", "send"]);
    const oneByOne: Verdict[] = [];
    for (const a of burst("gate.one@example.ru"))
      oneByOne.push(await s.ctx.db.transaction((tx) => admit(s.ctx, tx, a)));
    expect(oneByOne).toEqual(together);
    // What was decided is kept once per source, and a second burst gets the same answers.
    const kept = await s.ctx.db.select().from(notificationLog).where(eq(notificationLog.requestId, requestId));
    expect(kept).toHaveLength(12);
    expect(await s.ctx.db.transaction((tx) => admitMany(s.ctx, tx, burst("gate.together@example.ru")))).toEqual(
      together,
    );
  });
});

describe("a burst of registrations from the form", () => {
  it("tells each applicant the number once, however often their deliveries come, together or one by one", async () => {
    const addresses = ["burst.a@example.ru", "burst.b@example.ru", "burst.a@example.ru", SUPPORT];
    const made: Awaited<ReturnType<typeof submit>>[] = [];
    for (const email of addresses) made.push(await submit({ email }, "Не могу записаться к врачу через портал."));
    const deliveries: Delivery[] = [];
    for (const r of made) {
      deliveries.push({
        kind: "registered",
        requestId: (await requestRowByNumber(s.ctx.db, r.number))!.id,
        number: r.number,
      });
    }
    // The same deliveries handed over together twice, besides the worker's own.
    expect((await deliverManyByEmail(s.ctx, deliveries)).size).toBe(0);
    expect((await deliverManyByEmail(s.ctx, deliveries)).size).toBe(0);
    await s.ctx.worker.kick();
    await waitLetters("burst.b@example.ru", 1);
    await waitLetters("burst.a@example.ru", 2);
    await s.ctx.worker.kick();
    const told = (address: string) =>
      lettersTo(address)
        .filter((l) => l.text.includes("зарегистрировано под номером"))
        .map((l) => l.subject)
        .sort();
    const subject = (i: number) => `[№ ${made[i]!.number}] Обращение зарегистрировано`;
    expect(told("burst.a@example.ru")).toEqual([subject(0), subject(2)].sort());
    expect(told("burst.b@example.ru")).toEqual([subject(1)]);
    // A form filled in with the support mailbox's own address writes to nobody.
    expect(lettersTo(SUPPORT).filter((l) => l.subject.includes(made[3]!.number))).toEqual([]);
    for (const r of made.slice(0, 3)) expect(await outcomes(r.number, "email")).toEqual(["registered:queued"]);
  });

  it("queues the others when the database refuses one notice of the burst, and fails that one alone", async () => {
    const addresses = ["refused.one@example.ru", "refused.two@example.ru", "refused.three@example.ru"];
    // The outbox refuses every letter about the second applicant's request, as a constraint refuses a row: set up
    // before the requests exist, so that the worker's own deliveries meet it too.
    await s.ctx.db.execute(
      sql.raw(`create or replace function test_refuse_letter() returns trigger language plpgsql as $$
        begin
          if exists (select 1 from requests r where r.id = new.request_id
              and r.contact_email_hash = '${blindIndex("email", addresses[1])}') then
            raise exception 'letter refused';
          end if;
          return new;
        end $$`),
    );
    await s.ctx.db.execute(
      sql.raw(`create trigger test_refuse_letter before insert on email_outbox
        for each row execute function test_refuse_letter()`),
    );
    try {
      const made: Awaited<ReturnType<typeof submit>>[] = [];
      for (const email of addresses) made.push(await submit({ email }, "Не приходит код подтверждения на почту."));
      const deliveries: Delivery[] = [];
      for (const r of made) {
        const requestId = (await requestRowByNumber(s.ctx.db, r.number))!.id;
        deliveries.push({ kind: "registered", requestId, number: r.number });
      }
      const failed = await deliverManyByEmail(s.ctx, deliveries);
      expect([...failed.keys()]).toEqual([1]);
      expect(String((failed.get(1) as { cause?: unknown }).cause)).toContain("letter refused");
      expect(await outcomes(made[0]!.number, "email")).toEqual(["registered:queued"]);
      expect(await outcomes(made[2]!.number, "email")).toEqual(["registered:queued"]);
      // The gate's verdict went back with the refused letter: tried again, it is decided anew.
      expect(await outcomes(made[1]!.number, "email")).toEqual([]);
    } finally {
      await s.ctx.db.execute(sql.raw("drop trigger test_refuse_letter on email_outbox"));
      await s.ctx.db.execute(sql.raw("drop function test_refuse_letter()"));
    }
  });
});
