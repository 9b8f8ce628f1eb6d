import { readdirSync, readFileSync } from "node:fs";
import { eq, sql } from "drizzle-orm";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emailOutbox } from "../channels/email/db-schema.ts";
import type { SmsMessage } from "../channels/sms/port.ts";
import { rowsOf } from "../db/outbox.ts";
import { DEMO_ACCOUNTS } from "../portal/registry-data.ts";
import { normalizePhone } from "../requests/contact.ts";
import { groupRequestNumber } from "../requests/number.ts";
import { rotateKeys } from "../security/rotate.ts";
import { blindIndex } from "../security/sealed.ts";
import { inMinutes, LOOKUP_ANSWER, LOOKUP_LIMITS } from "./lookup.ts";
import { backfillApplicants } from "./record.ts";

const SECRET = "test-phone-secret-0123456789";
let s: TestServer;
let operator: Awaited<ReturnType<TestServer["staff"]>>;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;
let outsider: Awaited<ReturnType<TestServer["staff"]>>;
let address = 0;

beforeAll(async () => {
  s = await createTestServer({ phoneSecret: SECRET });
  operator = await s.staff("operator", { department: "first_line" });
  supervisor = await s.staff("supervisor");
  outsider = await s.staff("specialist", { department: "business" });
});
afterAll(() => s?.close());

/** Each test asks from an address of its own, so that the per-address limit counts only its own lookups. */
const nextAddress = () => `10.0.${Math.floor(++address / 250)}.${address % 250}`;

const submit = async (contact: Record<string, string>, text = "Не приходит код подтверждения при входе") => {
  const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, contact } });
  expect(res.statusCode).toBe(201);
  await s.ctx.worker.kick();
  return res.json() as { number: string; trackingUrl: string };
};

const lookup = (number: string, contact: string, remoteAddress = nextAddress()) =>
  s.app.inject({ method: "POST", url: "/api/v1/track/lookup", payload: { number, contact }, remoteAddress });

const lettersFor = async (requestNumber: string) => {
  const rows = await s.ctx.db
    .select({ to: emailOutbox.to, kind: emailOutbox.kind, subject: emailOutbox.subject, sentAt: emailOutbox.sentAt })
    .from(emailOutbox)
    .where(eq(emailOutbox.requestId, sql`(select id from requests where number = ${requestNumber})`));
  return rows.filter((r) => r.kind === "link");
};

const staffGet = (url: string, who = operator) =>
  s.app.inject({ method: "GET", url: `/api/v1${url}`, headers: { authorization: who.authorization } });

const search = async (q: string, who = operator) => {
  const res = await staffGet(`/requests?q=${encodeURIComponent(q)}&limit=200`, who);
  expect(res.statusCode).toBe(200);
  return (res.json().items as { number: string }[]).map((i) => i.number);
};

describe("POST /track/lookup", () => {
  it("answers 202 with the same body for a match, a miss, an unknown number, a wrong contact and a malformed number", async () => {
    const r = await submit({ name: "Анна", email: "Anna.Lookup@example.ru", phone: "8 912 300-00-01" });
    const answers = [
      await lookup(groupRequestNumber(r.number), "anna.lookup@EXAMPLE.ru"),
      await lookup(r.number, "someone.else@example.ru"),
      await lookup("1 030 026", "anna.lookup@example.ru"),
      await lookup("1000009", "anna.lookup@example.ru"),
      await lookup(`№${r.number}`, "+7 999 000-00-00"),
      await lookup("12-ab", "anna.lookup@example.ru"),
      await lookup(r.number, "not a contact"),
    ];
    for (const a of answers) {
      expect(a.statusCode).toBe(202);
      expect(a.json()).toEqual({ message: LOOKUP_ANSWER });
    }
    await s.ctx.worker.kick();
    // Only the match sends a letter, to the address on file.
    const letters = await lettersFor(r.number);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ to: "Anna.Lookup@example.ru" });
    expect(letters[0]!.sentAt).not.toBeNull();
    expect(letters[0]!.subject).toContain(r.number);
  });

  it("sends a fresh link that opens the request, while the first link keeps working", async () => {
    const r = await submit({ email: "fresh.link@example.ru" });
    expect((await lookup(`№ ${groupRequestNumber(r.number)}`, " FRESH.LINK@example.ru ")).statusCode).toBe(202);
    await s.ctx.worker.kick();
    const [row] = rowsOf<{ text: string | null; sent: boolean }>(
      await s.ctx.db.execute(sql`select text, sent_at is not null as sent from email_outbox
        where kind = 'link' and request_id = (select id from requests where number = ${r.number})`),
    );
    expect(row?.sent).toBe(true);
    // The letter's body is dropped once sent; the tracking link is read from the letter in the outbox folder.
    const dir = `${s.dataDir}/outbox`;
    const letters = await Promise.all(readdirSync(dir).map((f) => simpleParser(readFileSync(`${dir}/${f}`))));
    const letter = letters.find(
      (m) => m.text?.includes("Вы запросили ссылку") && m.text.includes(groupRequestNumber(r.number)),
    );
    expect(String(letter?.headers.get("auto-submitted"))).toMatch(/^auto-/);
    expect(JSON.stringify(letter?.to)).toContain("fresh.link@example.ru");
    const token = /\/track\/([A-Za-z0-9_-]{43})/.exec(letter!.text!)![1]!;
    expect(token).not.toBe(r.trackingUrl.split("/").pop());
    const fresh = await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().number).toBe(r.number);
    const first = await s.app.inject({ method: "GET", url: `/api/v1/track/${r.trackingUrl.split("/").pop()}` });
    expect(first.statusCode).toBe(200);
    // The request's history says a link went by e-mail, not to which address.
    const detail = (await staffGet(`/requests/${r.number}`, supervisor)).json();
    const sent = detail.history.filter((h: { action: string }) => h.action === "tracking_link_sent");
    expect(sent).toHaveLength(1);
    expect(sent[0].changes).toEqual({ via: "email" });
  });

  it("texts the link to a phone on file through the SMS gateway, and sends nothing without one", async () => {
    // The SMS room's gateway (the log driver by default) stands aside for this test.
    const configured = s.ctx.services.get("sms");
    s.ctx.services.forget("sms");
    const r = await submit({ phone: "+7 (912) 300-00-02" });
    expect((await lookup(r.number, "8 912 300 00 02")).statusCode).toBe(202);
    await s.ctx.worker.kick();
    // No gateway at all: quietly nothing, no link issued.
    let detail = (await staffGet(`/requests/${r.number}`, supervisor)).json();
    expect(detail.history.some((h: { action: string }) => h.action === "tracking_link_sent")).toBe(false);

    const sent: SmsMessage[] = [];
    s.ctx.services.provide("sms", {
      driver: "test",
      send: async (m) => {
        sent.push(m);
        return { id: String(sent.length) };
      },
    });
    try {
      expect((await lookup(r.number, "+79123000002")).statusCode).toBe(202);
      expect((await lookup(r.number, "+79123000003")).statusCode).toBe(202);
      await s.ctx.worker.kick();
      expect(sent).toHaveLength(1);
      expect(sent[0]!.to).toBe("+79123000002");
      expect(sent[0]!.text).toContain(groupRequestNumber(r.number));
      const token = /\/track\/([A-Za-z0-9_-]{43})/.exec(sent[0]!.text)![1]!;
      expect((await s.app.inject({ method: "GET", url: `/api/v1/track/${token}` })).json().number).toBe(r.number);
      detail = (await staffGet(`/requests/${r.number}`, supervisor)).json();
      expect(detail.history.filter((h: { action: string }) => h.action === "tracking_link_sent")).toHaveLength(1);
    } finally {
      s.ctx.services.provide("sms", configured);
    }
  });

  it("limits lookups per request number, the same way whether the contact matches or not", async () => {
    const r = await submit({ email: "limited@example.ru" });
    for (let i = 0; i < LOOKUP_LIMITS.number; i++) {
      expect((await lookup(r.number, i === 0 ? "limited@example.ru" : "wrong@example.ru")).statusCode).toBe(202);
    }
    const right = await lookup(groupRequestNumber(r.number), "limited@example.ru");
    const wrong = await lookup(r.number, "wrong@example.ru");
    for (const res of [right, wrong]) {
      expect(res.statusCode).toBe(429);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      expect(res.json().code).toBe("rate_limited");
    }
    expect(right.json().detail).toMatch(/^Слишком много попыток найти обращение\. Повторите через 60 минут /);
    expect(right.json().detail).toBe(wrong.json().detail);
    // An unknown number is limited just the same.
    for (let i = 0; i < LOOKUP_LIMITS.number; i++) await lookup("1000009", "x@example.ru");
    expect((await lookup("1 000 009", "x@example.ru")).statusCode).toBe(429);
    await s.ctx.worker.kick();
    expect(await lettersFor(r.number)).toHaveLength(1);
  });

  it("limits lookups per client address", async () => {
    const from = "10.99.0.1";
    for (let i = 0; i < LOOKUP_LIMITS.address; i++) {
      expect((await lookup(String(3_000_000 + i), "a@example.ru", from)).statusCode).toBe(202);
    }
    const over = await lookup("2000000", "a@example.ru", from);
    expect(over.statusCode).toBe(429);
    expect(over.headers["retry-after"]).toBeDefined();
    expect((await lookup("2000000", "a@example.ru", "10.99.0.2")).statusCode).toBe(202);
  });

  it("refuses a body that is not the contract with 400, before anything is counted or looked up", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/track/lookup",
      payload: { number: "1030026" },
      remoteAddress: nextAddress(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("application/problem+json");
  });
});

describe("the refusal's wording", () => {
  it("puts minutes in the right form for 0–101", () => {
    const forms = [0, 1, 2, 5, 11, 21, 22, 25, 101].map((m) => inMinutes(m * 60));
    expect(forms).toEqual([
      "1 минуту",
      "1 минуту",
      "2 минуты",
      "5 минут",
      "11 минут",
      "21 минуту",
      "22 минуты",
      "25 минут",
      "101 минуту",
    ]);
  });
});

describe("the applicant record", () => {
  it("joins a person's phone and e-mail: the call screen shows their e-mail requests, the request page the others", async () => {
    const phone = "8 912 300-00-10";
    const both = await submit({ name: "Олег", email: "oleg.record@example.ru", phone });
    const byMail = await submit({ email: "OLEG.record@example.ru" }, "Не могу загрузить документ");
    const stranger = await submit({ email: "stranger.record@example.ru" }, "Другой человек");

    const ring = await s.app.inject({
      method: "POST",
      url: `/api/v1/phone/events/${SECRET}`,
      payload: { event: "newCall", callId: "applicant-1", from: "+79123000010", to: "88005553535", direction: "in" },
    });
    expect(ring.statusCode).toBe(200);
    const screen = (await staffGet(`/phone/calls/${ring.json().callId}/screen`)).json();
    expect(screen.openRequests.map((r: { number: string }) => r.number)).toContain(both.number);
    const elsewhere = screen.applicantRequests.map((r: { number: string }) => r.number);
    expect(elsewhere).toContain(byMail.number);
    expect(elsewhere).not.toContain(stranger.number);
    expect(elsewhere).not.toContain(both.number);

    const page = (await staffGet(`/requests/${byMail.number}`)).json();
    expect(page.applicantRequests.map((r: { number: string }) => r.number)).toEqual([both.number]);
    expect(page.applicantRequests[0]).toMatchObject({ channel: "web", status: "new" });
  });

  it("unites two records that turn out to be one person, and fills the record for requests made before it", async () => {
    const a = await submit({ email: "first.half@example.ru" });
    const b = await submit({ phone: "+7 912 300-00-20" });
    expect((await staffGet(`/requests/${a.number}`)).json().applicantRequests).toEqual([]);
    const c = await submit({ email: "first.half@example.ru", phone: "89123000020" });
    const numbers = (await staffGet(`/requests/${a.number}`))
      .json()
      .applicantRequests.map((r: { number: string }) => r.number);
    expect(numbers.sort()).toEqual([b.number, c.number].sort());

    // Requests from before the record: emptied (the phone alone finds its own requests only), then filled again by
    // the backfill from the requests' indexes.
    await s.ctx.db.execute(sql`delete from applicants`);
    await s.ctx.db.execute(sql`delete from settings where key = 'applicants_backfilled_to'`);
    const alone = (await staffGet(`/requests/${b.number}`))
      .json()
      .applicantRequests.map((r: { number: string }) => r.number);
    expect(alone).toEqual([c.number]);
    expect(await backfillApplicants(s.ctx.db)).toBeGreaterThanOrEqual(3);
    const again = (await staffGet(`/requests/${b.number}`))
      .json()
      .applicantRequests.map((r: { number: string }) => r.number);
    expect(again.sort()).toEqual([a.number, c.number].sort());
  });

  it("joins a caller's number and the portal account the caller was verified against", async () => {
    const [account] = DEMO_ACCOUNTS as [(typeof DEMO_ACCOUNTS)[0] & { phone: string; snils: string }];
    await s.app.inject({
      method: "POST",
      url: `/api/v1/phone/events/${SECRET}`,
      payload: { event: "newCall", callId: "applicant-acc", from: account.phone, to: "88005553535", direction: "in" },
    });
    const answered = await s.app.inject({
      method: "POST",
      url: `/api/v1/phone/events/${SECRET}`,
      payload: { event: "answer", callId: "applicant-acc", user: operator.email },
    });
    const verified = await s.app.inject({
      method: "POST",
      url: `/api/v1/phone/calls/${answered.json().callId}/verification`,
      headers: { authorization: operator.authorization },
      payload: {
        audience: "citizen",
        answers: { full_name: account.fullName, identifier_digits: account.snils.slice(-4) },
      },
    });
    expect(verified.json().passed).toBe(true);
    const rows = rowsOf<{ kind: string; hash: string }>(
      await s.ctx.db.execute(sql`select kind, hash from applicant_contacts where applicant_id =
        (select applicant_id from applicant_contacts where kind = 'account' and hash = ${blindIndex("identifier", `portal:${account.id}`)})`),
    );
    expect(rows).toContainEqual({ kind: "phone", hash: blindIndex("phone", normalizePhone(account.phone)) });
  });

  it("takes in a number a call's request learns after it was registered", async () => {
    const phoneEvent = (payload: Record<string, unknown>) =>
      s.app.inject({ method: "POST", url: `/api/v1/phone/events/${SECRET}`, payload });
    // The answer arrives before the call's details: the request is registered without a number, then learns it.
    const answered = await phoneEvent({ event: "answer", callId: "learned-1", user: operator.email });
    expect(answered.statusCode).toBe(200);
    await s.ctx.worker.kick();
    const hash = blindIndex("phone", "+79123000040")!;
    const known = async () =>
      rowsOf(await s.ctx.db.execute(sql`select 1 from applicant_contacts where kind = 'phone' and hash = ${hash}`));
    expect(await known()).toHaveLength(0);
    await phoneEvent({
      event: "newCall",
      callId: "learned-1",
      from: "+79123000040",
      to: "88005553535",
      direction: "in",
    });
    await s.ctx.worker.kick();
    expect(await known()).toHaveLength(1);
  });

  it("lists only the requests the employee may see", async () => {
    const mine = await submit({ email: "scoped.person@example.ru" });
    const other = await submit({ email: "scoped.person@example.ru" }, "Вопрос об ОГРНИП");
    const esc = await s.app.inject({
      method: "POST",
      url: `/api/v1/requests/${other.number}/escalate`,
      headers: { authorization: supervisor.authorization },
      payload: { department: "technical", reason: "Нужна проверка специалиста" },
    });
    expect(esc.statusCode).toBe(200);
    const asOperator = (await staffGet(`/requests/${mine.number}`)).json().applicantRequests;
    expect(asOperator.map((r: { number: string }) => r.number)).not.toContain(other.number);
    const asSupervisor = (await staffGet(`/requests/${mine.number}`, supervisor)).json().applicantRequests;
    expect(asSupervisor.map((r: { number: string }) => r.number)).toContain(other.number);
  });
});

describe("console search through blind indexes", () => {
  let ivanov: { number: string };
  let semenov: { number: string };

  beforeAll(async () => {
    ivanov = await submit({
      name: "Иванов Иван Петрович",
      email: "Ivanov.Search@Example.ru",
      phone: "+7 912 300-00-30",
    });
    semenov = await submit({ name: "Пётр Семёнов", phone: "8 (912) 300-00-31" }, "Не приходит СМС");
  });

  it("finds by surname and first name in any case, with ё as е, in any order", async () => {
    expect(await search("иванов")).toContain(ivanov.number);
    expect(await search("ИВАНОВ")).toContain(ivanov.number);
    expect(await search("Иван Иванов")).toContain(ivanov.number);
    expect(await search("семенов")).toContain(semenov.number);
    expect(await search("Семёнов Пётр")).toContain(semenov.number);
    expect(await search("петр семенов")).not.toContain(ivanov.number);
    // Every word must be a word of the name.
    expect(await search("Иванов Семён")).not.toContain(ivanov.number);
  });

  it("finds by phone in any notation, e-mail in any case, number in any spacing", async () => {
    for (const q of ["+79123000031", "8 (912) 300-00-31", "8-912-300-00-31", "+7 912 300 00 31", "9123000031"]) {
      expect(await search(q), q).toContain(semenov.number);
    }
    expect(await search("ivanov.search@example.RU")).toEqual([ivanov.number]);
    for (const q of [
      ivanov.number,
      groupRequestNumber(ivanov.number),
      `№${ivanov.number}`,
      `№ ${groupRequestNumber(ivanov.number)}`,
    ]) {
      expect(await search(q), q).toEqual([ivanov.number]);
    }
  });

  it("keeps the scope: a specialist of another department finds nothing", async () => {
    expect(await search("Иванов", outsider)).not.toContain(ivanov.number);
    expect(await search("+79123000030", outsider)).toEqual([]);
    expect(await search("Иванов", supervisor)).toContain(ivanov.number);
  });

  it("indexes names stored before the index existed, at start", async () => {
    await s.ctx.db.execute(sql`update requests set contact_name_hash = null where number = ${ivanov.number}`);
    expect(await search("Иванов")).not.toContain(ivanov.number);
    await rotateKeys(s.ctx.db, { count: false });
    expect(await search("Иванов")).toContain(ivanov.number);
  });
});
