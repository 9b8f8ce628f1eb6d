// The e-mail channel wired into the registry, over real SMTP on loopback: letters in the encodings Russian mail
// still uses become requests, the applicant gets the acknowledgement through a relay (a sink server here),
// replies thread and reopen, operators' answers go out threaded, machines get nothing, loops end.
import { count, inArray, isNull } from "drizzle-orm";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../../test/harness.ts";
import { freePort, letter, SUPPORT, sendRaw, startSink, waitFor } from "../../../test/test-smtp.ts";
import { addStaffMessage } from "../../requests/actions.ts";
import { findApiToken } from "../../staff/service.ts";
import { displayRequestNumber } from "../../text/display.ts";
import { emailInbox, emailOutbox } from "./db-schema.ts";
import { sendLetters } from "./outbound.ts";
import { smtpIntakePort } from "./room.ts";

const header = (raw: string, name: string) =>
  new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, "im")
    .exec(raw)?.[1]
    ?.replace(/\r?\n[ \t]+/g, " ")
    .trim();

let s: TestServer;
let sink: Awaited<ReturnType<typeof startSink>>;
let port: number;
let operator: Awaited<ReturnType<TestServer["staff"]>>;

beforeAll(async () => {
  sink = await startSink();
  s = await createTestServer({
    smtpPort: await freePort(),
    smtpRelay: `smtp://127.0.0.1:${sink.port}`,
    supportAddress: SUPPORT,
    smtpMaxBytes: 300_000,
    emailAckLimit: 3,
  });
  port = smtpIntakePort(s.ctx)!;
  // A supervisor sees every request, whatever department its category routes it to.
  operator = await s.staff("supervisor");
});
afterAll(async () => {
  await s?.close();
  await sink?.close();
});

const api = (method: "GET" | "POST", url: string, payload?: object) =>
  s.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: operator.authorization }, payload });

async function requestsFrom(address: string) {
  const res = await api("GET", `/requests?q=${encodeURIComponent(address)}`);
  return res.json().items as { number: string; category: string | null; channel: string; status: string }[];
}

const lettersTo = (address: string) => sink.letters.filter((l) => l.to.includes(address));

describe("e-mail intake into the registry", () => {
  it("turns a windows-1251 letter into a request with its text and the category from the subject, and acknowledges it", async () => {
    const from = "ivan.cp1251@example.ru";
    const answer = await sendRaw(
      port,
      letter({
        charset: "windows-1251",
        from,
        subject: "Госуслуги - Вход",
        body: "Не могу войти: не приходит СМС с кодом подтверждения.",
        messageId: "<cp1251-1@mail.example.ru>",
      }),
      from,
    );
    expect(answer.response).toMatch(/^250/);
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    expect(req).toMatchObject({ channel: "email", category: "access", status: "new" });
    const detail = (await api("GET", `/requests/${req!.number}`)).json();
    expect(detail.messages[0].body).toContain("не приходит СМС с кодом подтверждения");
    expect(detail.contact).toMatchObject({ name: "Иван Петров" });
    const revealed = await api("POST", `/requests/${req!.number}/reveal`, { reason: "проверка адреса" });
    expect(revealed.json().email).toBe(from);

    const [ack] = await waitFor(async () => (lettersTo(from).length ? lettersTo(from) : undefined));
    expect(header(ack!.raw, "In-Reply-To")).toBe("<cp1251-1@mail.example.ru>");
    expect(header(ack!.raw, "Auto-Submitted")).toBe("auto-replied");
    expect(header(ack!.raw, "Message-ID")).toMatch(new RegExp(`^<r${req!.number}\\.[0-9a-f]+@gosuslugi\\.test>$`));
    const body = ack!.text;
    expect(body).toContain(`номером ${displayRequestNumber(req!.number)}.`);
    expect(body).toMatch(/http:\/\/otklik\.test\/track\/[A-Za-z0-9_-]{43}/);
  });

  it("reads a KOI8-R letter the same way", async () => {
    const from = "koi8@example.ru";
    await sendRaw(
      port,
      letter({
        charset: "koi8-r",
        from,
        subject: "Госуслуги — Электронная подпись",
        body: "Портал не видит мою электронную подпись при подписании заявления.",
        messageId: "<koi8-1@mail.example.ru>",
      }),
      from,
    );
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    expect(req!.category).toBe("e_signature");
    const detail = (await api("GET", `/requests/${req!.number}`)).json();
    expect(detail.messages[0].body).toContain("Портал не видит мою электронную подпись");
  });

  it("makes one request of a letter delivered three times", async () => {
    const from = "twice@example.ru";
    const raw = letter({ from, subject: "Вопрос", body: "Где моё заявление?", messageId: "<dup-1@example.ru>" });
    for (let i = 0; i < 3; i++) await sendRaw(port, raw, from);
    await waitFor(async () => {
      const [left] = await s.ctx.db.select({ n: count() }).from(emailInbox).where(isNull(emailInbox.processedAt));
      return left!.n === 0;
    });
    const found = await requestsFrom(from);
    expect(found).toHaveLength(1);
    const emails = (await api("GET", `/requests/${found[0]!.number}/emails`)).json();
    expect(emails.inbound.filter((l: { outcome: string }) => l.outcome === "new")).toHaveLength(1);
    expect(lettersTo(from)).toHaveLength(1);
  });

  it("refuses mail for other addresses (550) and letters over the limit (552)", async () => {
    await expect(
      sendRaw(port, letter({ from: "a@example.ru", subject: "x", body: "x", messageId: "<r1@x>" }), "a@example.ru", [
        "someone@elsewhere.example",
      ]),
    ).rejects.toMatchObject({ responseCode: 550 });
    const big = letter({ from: "a@example.ru", subject: "x", body: "я".repeat(400_000), messageId: "<big@x>" });
    await expect(sendRaw(port, big, "a@example.ru")).rejects.toMatchObject({ responseCode: 552 });
  });

  it("sends the operator's answer threaded, threads the applicant's reply, and a reply reopens a resolved request", async () => {
    const from = "thread@example.ru";
    await sendRaw(
      port,
      letter({
        from,
        subject: "Госуслуги - Статус заявления",
        body: "Заявление на загранпаспорт две недели в статусе «Отправлено в ведомство».",
        messageId: "<first@example.ru>",
      }),
      from,
    );
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    const number = req!.number;
    const reply = await api("POST", `/requests/${number}/messages`, {
      body: "Срок рассмотрения — до 30 дней. Ждите уведомления.",
      visibility: "public",
    });
    expect(reply.statusCode).toBe(200);
    const answer = await waitFor(async () => lettersTo(from).find((l) => l.text.includes("Срок рассмотрения")));
    expect(header(answer.raw, "In-Reply-To")).toBe("<first@example.ru>");
    expect(header(answer.raw, "Subject")).toBeDefined();
    expect(answer.subject).toBe(`Re: [№ ${number}] Госуслуги - Статус заявления`);
    expect(header(answer.raw, "Auto-Submitted")).toBeUndefined();

    expect((await api("POST", `/requests/${number}/status`, { status: "resolved" })).statusCode).toBe(200);
    const resolved = await waitFor(async () => lettersTo(from).find((l) => l.text.includes("решено")));
    expect(resolved.text).toMatch(/оцените[\s\S]*http:\/\/otklik\.test\/track\//);

    // The applicant answers our letter; the client drops the number from the subject, only the headers thread it.
    const ours = header(answer.raw, "Message-ID")!;
    await sendRaw(
      port,
      letter({
        from,
        subject: "Re: ваш ответ",
        body: "Прошло уже 35 дней, статус не изменился.",
        messageId: "<second@example.ru>",
        headers: [`In-Reply-To: ${ours}`, `References: <first@example.ru> ${ours}`],
      }),
      from,
    );
    const detail = await waitFor(async () => {
      const d = (await api("GET", `/requests/${number}`)).json();
      return d.messages.some((m: { body: string }) => m.body.includes("35 дней")) ? d : undefined;
    });
    expect(detail.status).toBe("in_progress");
    expect(await requestsFrom(from)).toHaveLength(1);
    const last = detail.messages.at(-1);
    expect(last).toMatchObject({ authorType: "applicant", visibility: "public", channel: "email" });
  });

  it("sends the file an operator attached to the answer", async () => {
    const from = "answer-file@example.ru";
    await sendRaw(port, letter({ from, subject: "Справка", body: "Пришлите образец.", messageId: "<af@x>" }), from);
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    const pdf = Buffer.from("%PDF-1.4\n% образец\n%%EOF\n");
    // Through the registry's action, as the staff route calls it.
    const user = (await findApiToken(s.ctx.db, operator.authorization.slice(7)))!;
    const file = await s.ctx.files.put("obrazec.pdf", pdf);
    await addStaffMessage(s.ctx, user, req!.number, {
      body: "Образец во вложении.",
      visibility: "public",
      files: [file],
    });
    const sent = await waitFor(async () => lettersTo(from).find((l) => l.text.includes("Образец во вложении")));
    expect(sent.attachments).toEqual([{ filename: "obrazec.pdf", size: pdf.length }]);
  });

  it("keeps an auto-reply without a request or an acknowledgement", async () => {
    const from = "vacation@example.ru";
    await sendRaw(
      port,
      letter({
        from,
        subject: "Автоответ: в отпуске",
        body: "Я в отпуске до 1 декабря.",
        messageId: "<ooo@example.ru>",
        headers: ["Auto-Submitted: auto-replied"],
      }),
      from,
    );
    const admin = await s.staff("administrator");
    const kept = await waitFor(async () => {
      const res = await s.app.inject({
        method: "GET",
        url: "/api/v1/email/inbox",
        headers: { authorization: admin.authorization },
      });
      return res
        .json()
        .items.find(
          (l: { from: string; outcome: string }) => l.from === "v•••@example.ru" && l.outcome === "keep_only",
        );
    });
    expect(kept.flags).toContain("auto_reply");
    expect(await requestsFrom(from)).toHaveLength(0);
    expect(lettersTo(from)).toHaveLength(0);
    const raw = await s.app.inject({
      method: "GET",
      url: `/api/v1/email/inbox/${kept.id}/raw`,
      headers: { authorization: admin.authorization },
    });
    expect(raw.statusCode).toBe(200);
    expect(raw.body).toContain("Auto-Submitted: auto-replied");
  });

  it("cuts a loop with a careless robot: acknowledgements stop at the per-sender limit", async () => {
    const robot = "robot@robot.example";
    for (let i = 0; i < 6; i++) {
      await sendRaw(
        port,
        letter({ from: robot, subject: `Ваше письмо получено ${i}`, body: "Спасибо.", messageId: `<robot-${i}@r>` }),
        robot,
      );
    }
    await waitFor(async () => (await requestsFrom(robot)).length === 6);
    await s.ctx.worker.kick();
    expect(lettersTo(robot)).toHaveLength(3);
  });

  it("keeps attachments: a PDF downloadable, an executable kept only in the raw letter, which staff can download", async () => {
    const from = "files@example.ru";
    const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
    const exe = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 1)]);
    const client = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    await client.sendMail({
      from,
      to: SUPPORT,
      subject: "Госуслуги - Документы",
      text: "Прикладываю скан справки.",
      messageId: "<files-1@example.ru>",
      attachments: [
        { filename: "справка.pdf", content: pdf, contentType: "application/pdf" },
        { filename: "viewer.exe", content: exe, contentType: "application/octet-stream" },
      ],
    });
    client.close();
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    const detail = (await api("GET", `/requests/${req!.number}`)).json();
    const files = detail.messages[0].attachments;
    expect(files.map((f: { filename: string }) => f.filename)).toEqual(["справка.pdf"]);
    const dl = await api("GET", `/requests/${req!.number}/attachments/${files[0].id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(pdf)).toBe(true);

    const emails = (await api("GET", `/requests/${req!.number}/emails`)).json();
    const [inbound] = emails.inbound;
    expect(inbound.attachments).toEqual(
      expect.arrayContaining([expect.objectContaining({ filename: "viewer.exe", flagged: "executable" })]),
    );
    expect(inbound.flags).toContain("attachment_executable");
    const raw = await api("GET", `/requests/${req!.number}/emails/${inbound.id}/raw`);
    expect(raw.statusCode).toBe(200);
    expect(raw.headers["content-type"]).toContain("message/rfc822");
    expect(raw.body).toMatch(/^Return-Path: <files@example\.ru>/);
    expect(raw.body).toContain("files-1@example.ru");

    // Scoped like the request: a specialist of another department does not see it at all.
    const specialist = await s.staff("specialist", { department: "technical" });
    const hidden = await s.app.inject({
      method: "GET",
      url: `/api/v1/requests/${req!.number}/emails/${inbound.id}/raw`,
      headers: { authorization: specialist.authorization },
    });
    expect(hidden.statusCode).toBe(404);
  });

  it("marks our letter undelivered when its bounce comes back, without reopening anything", async () => {
    const from = "zoya@example.ru";
    await sendRaw(port, letter({ from, subject: "Вопрос", body: "Как войти?", messageId: "<bm@x>" }), from);
    const ack = await waitFor(async () => lettersTo(from)[0]);
    const ours = /^Message-ID:\s*(<[^>]+>)/im.exec(ack.raw)![1]!;
    const bounce = [
      "From: Mail Delivery System <MAILER-DAEMON@mx.example.ru>",
      `To: ${SUPPORT}`,
      "Subject: Undelivered Mail Returned to Sender",
      "Message-ID: <bounce-bm@mx.example.ru>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"',
      "",
      "--rep",
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "The mailbox is full.",
      "--rep",
      "Content-Type: message/delivery-status",
      "",
      "Reporting-MTA: dns; mx.example.ru",
      "",
      `Final-Recipient: rfc822; ${from}`,
      "Action: failed",
      "Status: 5.2.2",
      "--rep",
      "Content-Type: text/rfc822-headers",
      "",
      `From: ${SUPPORT}`,
      `To: ${from}`,
      `Message-ID: ${ours}`,
      "--rep--",
      "",
    ].join("\r\n");
    await sendRaw(port, Buffer.from(bounce), "");
    const [req] = await requestsFrom(from);
    const emails = await waitFor(async () => {
      const e = (await api("GET", `/requests/${req!.number}/emails`)).json();
      return e.outbound[0]?.failedAt ? e : undefined;
    });
    expect(emails.outbound[0]).toMatchObject({ kind: "ack", lastErrorCode: "bounced" });
    const detail = (await api("GET", `/requests/${req!.number}`)).json();
    expect(detail.status).toBe("new");
    expect(detail.messages.at(-1)).toMatchObject({ visibility: "note" });
    expect(lettersTo(from)).toHaveLength(1);
  });

  it("shows a permanent delivery failure on the request", async () => {
    const from = "refused@example.ru";
    await sendRaw(port, letter({ from, subject: "Вопрос", body: "Как сменить почту?", messageId: "<ref@x>" }), from);
    const [req] = await waitFor(async () => {
      const r = await requestsFrom(from);
      return r.length ? r : undefined;
    });
    const emails = await waitFor(async () => {
      const e = (await api("GET", `/requests/${req!.number}/emails`)).json();
      return e.outbound[0]?.failedAt ? e : undefined;
    });
    expect(emails.outbound[0]).toMatchObject({ kind: "ack", lastErrorCode: "550" });
    const detail = (await api("GET", `/requests/${req!.number}`)).json();
    expect(detail.history.map((h: { action: string }) => h.action)).toContain("email_failed");
  });
});

describe("a burst of queued letters", () => {
  it("goes in order as one by one would, over one connection: a refused letter fails for good, a deferred one waits for a retry", async () => {
    const names = ["burst.one", "refused.burst", "deferred.burst", "burst.two"];
    const ids = (
      await s.ctx.db
        .insert(emailOutbox)
        .values(
          names.map((name, i) => ({
            source: `test-burst:${i}`,
            kind: "notice",
            messageId: `<burst-${i}@otklik.test>`,
            to: `${name}@example.ru`,
            subject: `Письмо ${i}`,
            text: `Текст письма ${i}.`,
            auto: true,
          })),
        )
        .returning({ id: emailOutbox.id })
    ).map((r) => r.id);
    const before = sink.letters.length;
    const connected = sink.connections();
    // An id given twice is sent once.
    const failed = await sendLetters(s.ctx, [...ids, ids[0]!]);
    expect([...failed.keys()]).toEqual([ids[2]]);
    expect(sink.letters.slice(before).map((l) => l.subject)).toEqual(["Письмо 0", "Письмо 3"]);
    // The relay's connection is kept open between letters (and may still be open from the tests before).
    expect(sink.connections() - connected).toBeLessThanOrEqual(1);
    const rows = new Map(
      (await s.ctx.db.select().from(emailOutbox).where(inArray(emailOutbox.id, ids))).map((r) => [r.id, r]),
    );
    const state = (id: number) => {
      const r = rows.get(id)!;
      return {
        attempts: r.attempts,
        sent: r.sentAt !== null,
        failed: r.failedAt !== null,
        text: r.text,
        code: r.lastErrorCode,
        retry: r.nextAttemptAt !== null,
      };
    };
    expect(ids.map(state)).toEqual([
      { attempts: 1, sent: true, failed: false, text: null, code: null, retry: false },
      { attempts: 1, sent: false, failed: true, text: "Текст письма 1.", code: "550", retry: false },
      { attempts: 1, sent: false, failed: false, text: "Текст письма 2.", code: "451", retry: true },
      { attempts: 1, sent: true, failed: false, text: null, code: null, retry: false },
    ]);
    // Asked again, only the deferred letter is tried again; nothing already sent or refused goes twice.
    expect([...(await sendLetters(s.ctx, ids)).keys()]).toEqual([ids[2]]);
    expect(sink.letters.length).toBe(before + 2);
  });
});

describe("a merged e-mail request", () => {
  it("tells the applicant once, in the conversation, and a reply quoting the old number lands in the target", async () => {
    const from = "merged.letters@example.ru";
    for (const [i, subject] of ["Госуслуги - Оплата пошлины", "Госуслуги - Оплата пошлины, повторно"].entries()) {
      await sendRaw(
        port,
        letter({ from, subject, body: "Оплата госпошлины не проходит.", messageId: `<merge-${i}@mail.example.ru>` }),
        from,
      );
      await waitFor(async () => ((await requestsFrom(from)).length > i ? true : undefined));
    }
    // The second letter is the duplicate, merged into the first (the queue's order is not the order of arrival).
    const [target, duplicate] = (await requestsFrom(from)).sort((a, b) => Number(a.number) - Number(b.number));
    const merged = await api("POST", `/requests/${duplicate!.number}/merge`, { into: target!.number });
    expect(merged.statusCode).toBe(200);

    const told = (l: { text: string }) => l.text.includes(`объединено с обращением № ${target!.number}`);
    const [notice] = await waitFor(async () => {
      const found = lettersTo(from).filter(told);
      return found.length ? found : undefined;
    });
    expect(notice!.subject).toBe(`Re: [№ ${duplicate!.number}] Госуслуги - Оплата пошлины, повторно`);
    await s.ctx.worker.kick();
    expect(lettersTo(from).filter(told)).toHaveLength(1);

    await sendRaw(
      port,
      letter({
        from,
        subject: `Re: [№ ${duplicate!.number}] Госуслуги - Оплата пошлины, повторно`,
        body: "Прикладываю номер платежа: 42.",
        messageId: "<merge-reply@mail.example.ru>",
      }),
      from,
    );
    await waitFor(async () => {
      const detail = (await api("GET", `/requests/${target!.number}`)).json();
      return detail.messages.some((m: { body: string }) => m.body.includes("номер платежа: 42")) ? true : undefined;
    });
    expect(await requestsFrom(from)).toHaveLength(2);

    // An applicant's letter split off into a request of its own: they are told its number, once.
    const detail = (await api("GET", `/requests/${target!.number}`)).json();
    const line = detail.messages.find((m: { body: string }) => m.body.includes("номер платежа: 42"));
    const split = await api("POST", `/requests/${target!.number}/split`, { messageId: line.id });
    expect(split.statusCode).toBe(200);
    const fresh = split.json().number as string;
    const registered = (l: { text: string }) =>
      l.text.includes(`зарегистрировано под номером ${displayRequestNumber(fresh)}`);
    await waitFor(async () => (lettersTo(from).some(registered) ? true : undefined));
    await s.ctx.worker.kick();
    expect(lettersTo(from).filter(registered)).toHaveLength(1);
  });
});
