import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { audit, verifyChain } from "../audit/audit.ts";
import { chatConversations } from "../channels/chat/db-schema.ts";
import { maxUpdates } from "../channels/max/db-schema.ts";
import { messengerContacts, messengerOutbox, messengerThreads } from "../channels/messenger/db-schema.ts";
import { vkEvents } from "../channels/vk/db-schema.ts";
import { normalizePhone } from "../requests/contact.ts";
import { PURGED_TEXT } from "../requests/core/index.ts";
import { requests } from "../requests/schema.ts";
import { blindIndex } from "../security/sealed.ts";
import { purge } from "./retention.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

const rows = async <T>(q: ReturnType<typeof sql>) => ((await s.ctx.db.execute(q)) as unknown as { rows: T[] }).rows;

/** The purge with the periods every test here assumes: requests a year, raw mail 90 days, audit five years. */
const purgeNow = () =>
  purge(s.ctx.database, s.ctx.requests, s.ctx.files, {
    requestDays: 365,
    rawMailDays: 90,
    auditDays: 1825,
    eventDays: 30,
  });

/** A web-form request (with its background jobs run); its id and number. */
async function submit(text: string, contact?: Record<string, string>) {
  const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text, contact } });
  expect(res.statusCode, res.body).toBe(201);
  await s.ctx.worker.kick();
  const number = res.json().number as string;
  const [row] = await rows<{ id: number }>(sql`select id from requests where number = ${number}`);
  return { id: Number(row!.id), number };
}

/** Resolved 400 days ago: past the period. */
const resolveLongAgo = (id: number) =>
  s.ctx.db.execute(
    sql`update requests set status = 'resolved', resolved_at = now() - interval '400 days' where id = ${id}`,
  );

describe("retention", () => {
  it("purges the personal data of requests resolved longer ago than the period, and nothing younger", async () => {
    const op = await s.staff("operator", { department: "first_line" });
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    const tokens = new Map<string, string>();
    const make = async (text: string) => {
      const form = new FormData();
      form.append(
        "data",
        JSON.stringify({ text, contact: { name: "Мария", email: "maria@example.ru", phone: "+79001112233" } }),
      );
      form.append("files", new Blob([png], { type: "image/png" }), "screen.png");
      const res = await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: form as never });
      expect(res.statusCode, res.body).toBe(201);
      const number = res.json().number as string;
      tokens.set(number, String(res.json().trackingUrl).split("/").pop()!);
      for (const status of ["in_progress", "resolved"]) {
        await s.app.inject({
          method: "POST",
          url: `/api/v1/requests/${number}/status`,
          headers: { authorization: op.authorization },
          payload: { status },
        });
      }
      return number;
    };
    const old = await make("Старое обращение с личными данными");
    const fresh = await make("Свежее обращение");
    // A rating and its change: each history row keeps the applicant's comment until the purge.
    const rating = `/api/v1/track/${tokens.get(old)}/rating`;
    await s.app.inject({ method: "POST", url: rating, payload: { score: 5, comment: "Звоните Марии: +79001112233" } });
    await s.app.inject({ method: "PUT", url: rating, payload: { score: 4, comment: "Пишите maria@example.ru" } });
    await s.ctx.db.execute(sql`update requests set resolved_at = now() - interval '400 days' where number = ${old}`);
    // The notifications of both went out: the acknowledgement and the resolution, by letter and by SMS.
    const texted = (number: string) =>
      rows<{ n: number }>(
        sql`select count(*)::int as n from sms_outbox s join requests r on r.id = s.request_id where r.number = ${number}`,
      ).then((r) => r[0]!.n);
    for (let i = 0; i < 100 && ((await texted(old)) < 2 || (await texted(fresh)) < 2); i++) {
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(await texted(old)).toBe(2);

    const report = await purgeNow();
    expect(report.requests).toBe(1);
    expect(report.files).toBe(1);

    const [o] = await rows<{ contact_email: string | null; subject: string; category: string | null; status: string }>(
      sql`select contact_email, contact_email_hash, contact_phone_hash, subject, category, status
        from requests where number = ${old}`,
    );
    // The blind indexes go with the contacts: a search by the old address finds nothing.
    expect(o).toMatchObject({
      contact_email: null,
      contact_email_hash: null,
      contact_phone_hash: null,
      subject: "",
      status: "resolved",
    });
    const [rated] = await rows<{ rating: number; rating_comment: string | null }>(
      sql`select rating, rating_comment from requests where number = ${old}`,
    );
    expect(rated).toEqual({ rating: 4, rating_comment: null });
    const ratingHistory = await rows<{ action: string; changes: Record<string, unknown> }>(
      sql`select h.action, h.changes from request_history h join requests r on r.id = h.request_id
        where r.number = ${old} and h.action like 'rat%' order by h.id`,
    );
    expect(ratingHistory).toEqual([
      { action: "rated", changes: { score: 5 } },
      { action: "rating_changed", changes: { score: [5, 4] } },
    ]);
    const oldBodies = await rows<{ body: string }>(
      sql`select m.body from messages m join requests r on r.id = m.request_id where r.number = ${old}`,
    );
    expect(oldBodies.every((m) => m.body === PURGED_TEXT)).toBe(true);
    // The numbers texted, the policy's log and the link kept for later notices go with the contacts.
    expect(await texted(old)).toBe(0);
    expect(await texted(fresh)).toBe(2);
    const [left] = await rows<{ sealed: string | null; logged: number }>(
      sql`select r.tracking_sealed as sealed,
        (select count(*)::int from notification_log l where l.request_id = r.id) as logged
        from requests r where r.number = ${old}`,
    );
    expect(left).toEqual({ sealed: null, logged: 0 });
    // Kept, and encrypted at rest: ciphertext in the column, the address when read through the schema.
    const [f] = await rows<{ contact_email: string }>(sql`select contact_email from requests where number = ${fresh}`);
    expect(f!.contact_email).toMatch(/^v1:/);
    const [kept] = await s.ctx.db
      .select({ email: requests.contactEmail })
      .from(requests)
      .where(eq(requests.number, fresh));
    expect(kept!.email).toBe("maria@example.ru");
    const freshFiles = await rows<{ id: string }>(
      sql`select a.id from attachments a join requests r on r.id = a.request_id where r.number = ${fresh}`,
    );
    expect(freshFiles).toHaveLength(1);

    expect((await purgeNow()).requests).toBe(0);
  });

  it("forgets failed sign-ins under unknown e-mails a day after the last", async () => {
    await s.ctx.db.execute(sql`insert into login_failures (email_hash, failed, updated_at) values
      ('old-hash', 3, now() - interval '25 hours'), ('fresh-hash', 3, now() - interval '1 hour')`);
    await purgeNow();
    const left = await rows<{ email_hash: string }>(
      sql`select email_hash from login_failures where email_hash in ('old-hash', 'fresh-hash')`,
    );
    expect(left.map((r) => r.email_hash)).toEqual(["fresh-hash"]);
  });

  it("trims the audit log from its head and the chain still verifies", async () => {
    for (let i = 0; i < 4; i++) {
      await s.ctx.db.transaction((tx) =>
        audit(tx, { actorId: null, action: "test", subjectType: "x", subjectId: String(i) }),
      );
    }
    // The head up to the second test entry is made old (earlier tests' entries too: making a token is audited).
    const aged = (
      (await s.ctx.db.execute(
        sql`update audit_log set at = now() - interval '3000 days'
          where id <= (select id from audit_log where subject_id = '1' and action = 'test') returning id`,
      )) as unknown as { rows: unknown[] }
    ).rows.length;
    expect(aged).toBeGreaterThanOrEqual(2);
    // Editing `at` breaks those links; purging them removes exactly the broken head.
    const report = await purgeNow();
    expect(report.audit).toBe(aged);
    const v = await verifyChain(s.ctx.db);
    expect(v.brokenAt).toBeNull();
  });

  it("removes a purged request's unsent messenger replies, and handled messenger updates past the events' period", async () => {
    const old = (await submit("Старое обращение из мессенджера")).id;
    const fresh = (await submit("Свежее обращение из мессенджера")).id;
    await resolveLongAgo(old);
    const [contact] = await s.ctx.db
      .insert(messengerContacts)
      .values({ channel: "telegram", chatHash: "retention-test-chat", chatId: "9000001", name: "Мария" })
      .returning({ id: messengerContacts.id });
    // Replies that never went (the applicant blocked the bot): their texts are the operator's answers.
    await s.ctx.db.insert(messengerOutbox).values([
      { contactId: contact!.id, source: "retention:old", requestId: old, text: "Ответ по старому обращению" },
      { contactId: contact!.id, source: "retention:fresh", requestId: fresh, text: "Ответ по свежему обращению" },
    ]);
    const day = 86_400_000;
    const at = (days: number) => new Date(Date.now() - days * day);
    await s.ctx.db.insert(vkEvents).values([
      { eventId: "retention-vk-old", type: "message_new", handledAt: at(40) },
      { eventId: "retention-vk-recent", type: "message_new", handledAt: at(2) },
      // Not handled yet (a crash before its job ran): kept whatever its age, with its body, for the job.
      { eventId: "retention-vk-waiting", type: "message_new", body: "{}", receivedAt: at(40) },
    ]);
    await s.ctx.db.insert(maxUpdates).values([
      { updateKey: "retention-max-old", type: "message_created", handledAt: at(40) },
      { updateKey: "retention-max-recent", type: "message_created", handledAt: at(2) },
    ]);

    const report = await purgeNow();
    expect(report.requests).toBe(1);
    expect(report.updates).toBe(2);
    const outbox = await rows<{ source: string }>(
      sql`select source from messenger_outbox where source like 'retention:%' order by source`,
    );
    expect(outbox.map((r) => r.source)).toEqual(["retention:fresh"]);
    const vk = await rows<{ event_id: string }>(
      sql`select event_id from vk_events where event_id like 'retention-%' order by event_id`,
    );
    expect(vk.map((r) => r.event_id)).toEqual(["retention-vk-recent", "retention-vk-waiting"]);
    const max = await rows<{ update_key: string }>(
      sql`select update_key from max_updates where update_key like 'retention-%' order by update_key`,
    );
    expect(max.map((r) => r.update_key)).toEqual(["retention-max-recent"]);
  });

  it("removes a messenger chat's record once every conversation it had is past the period", async () => {
    const day = 86_400_000;
    const at = (days: number) => new Date(Date.now() - days * day);
    const purged = (await submit("Обращение из мессенджера, решённое давно")).id;
    const open = (await submit("Обращение из мессенджера в работе")).id;
    await resolveLongAgo(purged);
    const conversation = async (requestId: number | null, createdAt: Date) =>
      (
        await s.ctx.db
          .insert(chatConversations)
          .values({ tokenHash: `retention-${Math.random()}`, channel: "telegram", requestId, createdAt })
          .returning({ id: chatConversations.id })
      )[0]!.id;
    const contact = async (name: string, createdAt: Date, conversations: number[], current?: number) => {
      const [c] = await s.ctx.db
        .insert(messengerContacts)
        .values({
          channel: "telegram",
          chatHash: `retention-${name}`,
          chatId: name,
          createdAt,
          conversationId: current,
        })
        .returning({ id: messengerContacts.id });
      for (const conversationId of conversations) {
        await s.ctx.db.insert(messengerThreads).values({ conversationId, contactId: c!.id });
      }
      return c!.id;
    };
    await contact("purged", at(400), [await conversation(purged, at(400))]);
    await contact("open", at(400), [await conversation(open, at(1))]);
    // Talking to the bot now, no request yet: the conversation it is in is its only one.
    await contact("talking", at(400), [], await conversation(null, at(1)));
    await contact("abandoned", at(400), [await conversation(null, at(400))]);
    await contact("new", at(1), []);

    const report = await purgeNow();
    expect(report.contacts).toBe(2);
    const left = await rows<{ chat_hash: string }>(
      sql`select chat_hash from messenger_contacts where chat_hash in
        ('retention-purged', 'retention-open', 'retention-talking', 'retention-abandoned', 'retention-new')
        order by chat_hash`,
    );
    expect(left.map((r) => r.chat_hash)).toEqual(["retention-new", "retention-open", "retention-talking"]);
  });

  it("drops from the applicant record the contacts that only purged requests bore, and the applicant left without any", async () => {
    const gone = { email: "old.applicant@example.ru", phone: "+79005550001" };
    const old = await submit("Не приходит код подтверждения при входе", gone);
    await submit("Не приходит код подтверждения при входе", { email: "kept.applicant@example.ru" });
    const applicantOf = async (kind: "email" | "phone", hash: string | null) =>
      (
        await rows<{ applicant_id: string }>(
          sql`select applicant_id from applicant_contacts where kind = ${kind} and hash = ${hash}`,
        )
      )[0]?.applicant_id;
    const oldEmail = blindIndex("email", gone.email);
    const oldPhone = blindIndex("phone", normalizePhone(gone.phone));
    const keptEmail = blindIndex("email", "kept.applicant@example.ru");
    const person = await applicantOf("email", oldEmail);
    expect(person).toBeDefined();
    expect(await applicantOf("phone", oldPhone)).toBe(person);
    // A portal account verified on a call joined the same person.
    await s.ctx.db.execute(
      sql`insert into applicant_contacts (kind, hash, applicant_id) values ('account', 'retention-account', ${person})`,
    );
    await resolveLongAgo(old.id);
    await s.ctx.db.execute(sql`update applicant_contacts set created_at = now() - interval '400 days'`);
    await s.ctx.db.execute(sql`update applicants set created_at = now() - interval '400 days'`);

    const report = await purgeNow();
    expect(report.applicants).toBe(1);
    expect(await applicantOf("email", oldEmail)).toBeUndefined();
    expect(await applicantOf("phone", oldPhone)).toBeUndefined();
    const left = await rows<{ n: number }>(
      sql`select (select count(*)::int from applicant_contacts where applicant_id = ${person})
        + (select count(*)::int from applicants where id = ${person}) as n`,
    );
    expect(left[0]!.n).toBe(0);
    // Another applicant's contact, borne by a request still kept, stays.
    expect(await applicantOf("email", keptEmail)).toBeDefined();
  });
  it("blanks the numbers of calls that never became a request once they began before the period", async () => {
    const op = await s.staff("operator", { department: "first_line" });
    const open = await submit("Не приходит код подтверждения при входе");
    const purged = await submit("Не приходит код подтверждения при входе");
    await resolveLongAgo(purged.id);
    const caller = blindIndex("phone", normalizePhone("+79005550002"))!;
    const other = blindIndex("phone", normalizePhone("+79005550003"))!;
    const call = async (key: string, daysAgo: number, hash: string, requestId: number | null) => {
      const [row] = await rows<{ id: string }>(sql`
        insert into phone_calls (external_id, from_number, from_hash, to_number, to_hash, state, started_at, request_id)
        values (${key}, 'sealed-caller', ${hash}, 'sealed-line', 'line-hash', 'ended',
          now() - make_interval(days => ${daysAgo}), ${requestId})
        returning id`);
      // The verification belongs to the call's request, as the operator's check of the caller on that request does.
      await s.ctx.db.execute(sql`insert into phone_verifications
          (call_id, request_id, user_id, audience, topic, items, passed, account_id)
        values (${row!.id}, ${requestId}, ${op.id}, 'citizen', 'access', '{}'::jsonb, true, ${`account-${key}`})`);
      return Number(row!.id);
    };
    const old = await call("retention-call-old", 400, caller, null);
    const recent = await call("retention-call-recent", 10, other, null);
    const kept = await call("retention-call-open", 400, other, open.id);
    // A call of a request whose data the purge takes: it goes with the request, not counted among these calls.
    const gone = await call("retention-call-purged", 400, other, purged.id);
    // The caller is known to the applicant record by this old call alone.
    const [person] = await rows<{ id: string }>(
      sql`insert into applicants (created_at) values (now() - interval '400 days') returning id`,
    );
    await s.ctx.db.execute(sql`insert into applicant_contacts (kind, hash, applicant_id, created_at)
      values ('phone', ${caller}, ${person!.id}, now() - interval '400 days')`);

    const report = await purgeNow();
    expect(report.calls).toBe(1);
    const calls = await rows<{
      id: string;
      from_hash: string | null;
      from_number: string | null;
      to_number: string | null;
      account_id: string | null;
    }>(
      sql`select c.id, c.from_hash, c.from_number, c.to_number, v.account_id
        from phone_calls c join phone_verifications v on v.call_id = c.id
        where c.id in (${old}, ${recent}, ${kept}, ${gone}) order by c.id`,
    );
    expect(calls.map((c) => [Number(c.id), c.from_hash, c.from_number, c.to_number, c.account_id])).toEqual([
      [old, null, null, null, null],
      [recent, other, "sealed-caller", "sealed-line", "account-retention-call-recent"],
      [kept, other, "sealed-caller", "sealed-line", "account-retention-call-open"],
      [gone, null, null, null, null],
    ]);
    // With the number gone from the call, nothing bears it: the applicant record forgets it and the person.
    const left = await rows<{ n: number }>(
      sql`select (select count(*)::int from applicant_contacts where hash = ${caller})
        + (select count(*)::int from applicants where id = ${person!.id}) as n`,
    );
    expect(left[0]!.n).toBe(0);
    expect((await purgeNow()).calls).toBe(0);
  });
});
