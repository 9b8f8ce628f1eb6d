// Personal data at rest: what reaches the database is ciphertext, it reads back whole, lookups still find it, and
// the keys can be rotated (old key kept for reading, rotation, old key removed) with everything still readable.
import { eq, type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { emailInbox } from "../channels/email/db-schema.ts";
import { processLetter, storeLetter } from "../channels/email/inbox.ts";
import { BuiltinPortal } from "../portal/builtin.ts";
import { portalAccounts } from "../portal/db-schema.ts";
import { newKey, parseDataKeys } from "./keys.ts";
import { keyStatus, rotateKeys } from "./rotate.ts";
import { loadKeyring, startEncryption } from "./start.ts";

const K1 = newKey();
const K2 = newKey();
const INDEX_1 = Buffer.alloc(32, 1);
const INDEX_2 = Buffer.alloc(32, 2);
const PHONE_SECRET = "test-phone-secret-0123456789";

let s: TestServer;
let supervisor: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  s = await createTestServer({
    dataKeys: parseDataKeys(`k1:${K1}`),
    indexKey: INDEX_1,
    phoneSecret: PHONE_SECRET,
    supportAddress: "support@otklik.local",
  });
  supervisor = await s.staff("supervisor");
});
afterAll(() => s?.close());

const rows = async <T>(q: SQL) => ((await s.ctx.db.execute(q)) as unknown as { rows: T[] }).rows;
const api = (method: "GET" | "POST", url: string, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: supervisor.authorization }, payload });

async function submit(contact: { name?: string; email?: string; phone?: string }) {
  const res = await s.app.inject({
    method: "POST",
    url: "/api/v1/requests",
    payload: { text: "Не приходит код подтверждения при входе на портал.", contact },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().number as string;
}
const found = async (q: string) =>
  ((await api("GET", `/requests?q=${encodeURIComponent(q)}`)).json().items as { number: string }[]).map(
    (r) => r.number,
  );
const reveal = (number: string) => api("POST", `/requests/${number}/reveal`, { reason: "Перезвонить заявителю" });
const rawContacts = async (number: string) =>
  (
    await rows<{ contact_name: string; contact_email: string; contact_phone: string; contact_email_hash: string }>(
      sql`select contact_name, contact_email, contact_phone, contact_email_hash from requests where number = ${number}`,
    )
  )[0]!;

describe("contacts at rest", () => {
  it("stores a request's contacts as ciphertext, reads them back whole and finds the request by them", async () => {
    const number = await submit({
      name: "Мария Ивановна",
      email: "Maria.Ivanova@Example.ru",
      phone: "8 912 345-67-01",
    });
    const raw = await rawContacts(number);
    for (const v of [raw.contact_name, raw.contact_email, raw.contact_phone]) expect(v).toMatch(/^v1:k1:/);
    const everything = JSON.stringify(raw);
    for (const plain of ["Мария", "Maria", "maria", "example.ru", "9123456701"])
      expect(everything).not.toContain(plain);

    const revealed = await reveal(number);
    expect(revealed.statusCode, revealed.body).toBe(200);
    expect(revealed.json()).toMatchObject({ email: "Maria.Ivanova@Example.ru", phone: "+79123456701" });
    const detail = (await api("GET", `/requests/${number}`)).json();
    expect(detail.contact.phone).toBe("+7•••••6701");

    expect(await found("maria.ivanova@example.ru")).toEqual([number]);
    expect(await found("+7 (912) 345-67-01")).toEqual([number]);
    expect(await found("other@example.ru")).toEqual([]);
  });

  it("encrypts the caller's number on the call and finds the caller's requests by it", async () => {
    const earlier = await submit({ email: "caller@example.ru", phone: "+79005550123" });
    const post = (event: string) =>
      s.app.inject({
        method: "POST",
        url: `/api/v1/phone/events/${PHONE_SECRET}`,
        payload: { event, callId: "enc-call-1", from: "8 900 555-01-23", to: "8 800 555-35-35", direction: "in" },
      });
    expect((await post("newCall")).statusCode).toBe(200);
    const answered = await post("answer");
    const callId = answered.json().callId as number;
    const [call] = await rows<{ from_number: string; from_hash: string | null; to_number: string }>(
      sql`select from_number, from_hash, to_number from phone_calls where id = ${callId}`,
    );
    expect(call!.from_number).toMatch(/^v1:k1:/);
    expect(call!.to_number).toMatch(/^v1:k1:/);
    expect(call!.from_number).not.toContain("9005550123");
    expect(call!.from_hash).toBeTruthy();
    const screen = await api("GET", `/phone/calls/${callId}/screen`);
    expect(screen.statusCode, screen.body).toBe(200);
    expect(screen.json().caller.phone).toBe("+79005550123");
    // The caller's open request was found by the blind index: the call joined it instead of opening another.
    expect(screen.json().request?.number).toBe(earlier);
  });

  it("encrypts the sender of a letter and still recognises a redelivered copy by it", async () => {
    const letter = Buffer.from(
      [
        'From: "Пётр Сидоров" <Petr.Sidorov@Example.ru>',
        "To: support@otklik.local",
        "Subject: Не могу войти",
        "Message-ID: <enc-letter-1@example.ru>",
        "Date: Thu, 26 Nov 2026 09:00:00 +0300",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Здравствуйте! Не приходит код при входе.",
        "",
      ].join("\r\n"),
    );
    const envelope = {
      mailFrom: "petr.sidorov@example.ru",
      rcptTo: ["support@otklik.local"],
      remoteAddress: "127.0.0.1",
      via: "smtp" as const,
    };
    const settle = async (id: number) => {
      await processLetter(s.ctx, id);
      const [r] = await rows<{ outcome: string | null }>(sql`select outcome from email_inbox where id = ${id}`);
      return r!.outcome;
    };
    const first = await storeLetter(s.ctx, letter, envelope);
    expect(await settle(first)).toBe("new");
    const second = await storeLetter(s.ctx, letter, envelope);
    expect(await settle(second)).toBe("duplicate");
    const inbox = await rows<{ from_address: string; from_hash: string; raw: Uint8Array; envelope: string }>(
      sql`select from_address, from_hash, raw, envelope from email_inbox where id in (${first}, ${second})`,
    );
    for (const r of inbox) {
      expect(r.from_address).toMatch(/^v1:k1:/);
      expect(r.from_address.toLowerCase()).not.toContain("sidorov");
      expect(r.envelope).toMatch(/^v1:k1:/);
      // The raw letter too: its headers name the sender.
      const raw = Buffer.from(r.raw);
      expect(raw.subarray(0, 4).toString()).toBe("OTK1");
      expect(raw.toString("latin1").toLowerCase()).not.toContain("sidorov");
    }
    const [kept] = await s.ctx.db.select({ raw: emailInbox.raw }).from(emailInbox).where(eq(emailInbox.id, first));
    expect(kept!.raw.equals(letter)).toBe(true);
    expect(await found("petr.sidorov@example.ru")).toHaveLength(1);
    const [number] = await found("petr.sidorov@example.ru");
    expect((await reveal(number!)).json().email).toBe("petr.sidorov@example.ru");
    // The acknowledgement waiting in the outbox names its recipient in ciphertext too.
    const outbox = await rows<{ to: string }>(
      sql`select o."to" from email_outbox o join requests r on r.id = o.request_id where r.number = ${number!}`,
    );
    expect(outbox.length).toBeGreaterThan(0);
    for (const o of outbox) expect(o.to).toMatch(/^v1:k1:/);
  });

  it("encrypts a chat visitor's contacts", async () => {
    const res = await s.app.inject({
      method: "POST",
      url: "/api/v1/chat/sessions",
      payload: { contact: { name: "Олег", email: "oleg@example.ru", phone: "+79005550999" } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const [c] = await rows<{ contact_name: string; contact_email: string; contact_phone: string }>(
      sql`select contact_name, contact_email, contact_phone from chat_conversations
        where id = ${res.json().conversationId as number}`,
    );
    expect(Object.values(c!).every((v) => v.startsWith("v1:k1:"))).toBe(true);
    expect(JSON.stringify(c)).not.toMatch(/Олег|oleg|9005550999/);
  });

  it("encrypts the built-in registry's identifiers and finds an account by СНИЛС and phone", async () => {
    const accounts = await rows<{ snils: string | null; phone: string | null; full_name: string }>(
      sql`select snils, phone, full_name from portal_accounts`,
    );
    expect(accounts.length).toBeGreaterThan(0);
    for (const a of accounts) {
      expect(a.full_name).toMatch(/^v1:k1:/);
      if (a.snils) expect(a.snils).toMatch(/^v1:k1:/);
      if (a.phone) expect(a.phone).toMatch(/^v1:k1:/);
    }
    const portal = new BuiltinPortal(s.ctx.db);
    const [one] = await s.ctx.db.select().from(portalAccounts).limit(1);
    expect(one?.snils).toMatch(/^\d{3}-\d{3}-\d{3} \d{2}$|^\d{11}$/);
    expect((await portal.findAccount({ snils: one!.snils! }))?.id).toBe(one!.id);
    if (one!.phone) expect((await portal.findAccount({ phone: one!.phone }))?.id).toBe(one!.id);
  });
});

describe("key rotation", () => {
  it("moves every value from k1 (and plaintext left from before) to k2, then reads and finds them with k2 alone", async () => {
    const underK1 = await submit({ name: "Анна", email: "anna@example.ru", phone: "+79005550201" });
    const legacy = await submit({ email: "placeholder@example.ru" });
    // A row as it was before encryption: plaintext and no blind index.
    await s.ctx.db.execute(sql`update requests set contact_email = 'Legacy@Example.ru', contact_email_hash = null,
      contact_phone = '+79005550202', contact_phone_hash = null where number = ${legacy}`);
    expect((await reveal(legacy)).json().email).toBe("Legacy@Example.ru");
    // A raw letter as it was before encryption.
    const plainLetter = Buffer.from("From: old@example.ru\r\nSubject: old\r\n\r\nold letter\r\n");
    const [oldLetter] = await rows<{ id: number }>(
      sql`insert into email_inbox (raw, size, envelope) values (${plainLetter}, ${plainLetter.length},
        '{"mailFrom":"old@example.ru","rcptTo":[],"remoteAddress":"127.0.0.1","via":"smtp"}') returning id`,
    );

    loadKeyring({ dataKeys: parseDataKeys(`k2:${K2},k1:${K1}`), indexKey: INDEX_1 });
    const report = await rotateKeys(s.ctx.db, { batch: 7 });
    expect(report.tables.requests).toBeGreaterThanOrEqual(2);
    expect(Object.keys(report.keys)).toEqual(["k2"]);
    expect((await rotateKeys(s.ctx.db)).tables.requests).toBe(0);
    for (const n of [underK1, legacy]) {
      const raw = await rawContacts(n);
      expect(raw.contact_email).toMatch(/^v1:k2:/);
    }
    const [letterRow] = await rows<{ raw: Uint8Array; envelope: string }>(
      sql`select raw, envelope from email_inbox where id = ${oldLetter!.id}`,
    );
    expect(Buffer.from(letterRow!.raw).subarray(0, 7).toString()).toBe("OTK1\u0002k2");
    expect(letterRow!.envelope).toMatch(/^v1:k2:/);

    loadKeyring({ dataKeys: parseDataKeys(`k2:${K2}`), indexKey: INDEX_1 });
    expect((await reveal(underK1)).json()).toMatchObject({ email: "anna@example.ru", phone: "+79005550201" });
    expect((await reveal(legacy)).json()).toMatchObject({ email: "Legacy@Example.ru", phone: "+79005550202" });
    expect(await found("legacy@example.ru")).toEqual([legacy]);
    expect(await found("+79005550201")).toEqual([underK1]);
    const [reread] = await s.ctx.db
      .select({ raw: emailInbox.raw, envelope: emailInbox.envelope })
      .from(emailInbox)
      .where(eq(emailInbox.id, Number(oldLetter!.id)));
    expect(reread!.raw.equals(plainLetter)).toBe(true);
    expect(reread!.envelope.mailFrom).toBe("old@example.ru");
    expect(await keyStatus(s.ctx.db)).toEqual({ k2: expect.any(Number) });
  });

  it("seals at start what an earlier version left in plaintext", async () => {
    const number = await submit({ email: "placeholder2@example.ru" });
    await s.ctx.db.execute(sql`update requests set contact_email = 'before@example.ru', contact_email_hash = null
      where number = ${number}`);
    expect(await found("before@example.ru")).toEqual([]);
    const report = await startEncryption(s.ctx.db, { ...s.ctx.config, dataKeys: parseDataKeys(`k2:${K2}`) });
    expect(report.tables.requests).toBe(1);
    expect((await rawContacts(number)).contact_email).toMatch(/^v1:k2:/);
    expect(await found("before@example.ru")).toEqual([number]);
  });

  it("rebuilds the blind indexes when the index key changes, and lookups keep working", async () => {
    const number = await submit({ email: "reindex@example.ru", phone: "+79005550301" });
    loadKeyring({ dataKeys: parseDataKeys(`k2:${K2}`), indexKey: INDEX_2 });
    expect(await found("reindex@example.ru")).toEqual([]);
    const report = await rotateKeys(s.ctx.db);
    expect(report.reindexed).toBe(true);
    expect(await found("reindex@example.ru")).toEqual([number]);
    expect(await found("+79005550301")).toEqual([number]);
    expect((await rotateKeys(s.ctx.db)).reindexed).toBe(false);
  });

  it("answers a clear code when a stored value's key is no longer configured", async () => {
    const number = await submit({ email: "lost@example.ru" });
    loadKeyring({ dataKeys: parseDataKeys(`k3:${newKey()}`), indexKey: INDEX_2 });
    try {
      const res = await reveal(number);
      expect(res.statusCode).toBe(500);
      expect(res.json().code).toBe("data_key_missing");
      expect(res.body).toContain("«k2»");
      expect(res.body).not.toContain("lost@");
      await expect(rotateKeys(s.ctx.db)).rejects.toMatchObject({ code: "data_key_missing" });
    } finally {
      loadKeyring({ dataKeys: parseDataKeys(`k2:${K2}`), indexKey: INDEX_2 });
    }
    expect((await reveal(number)).json().email).toBe("lost@example.ru");
  });
});
