import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { buildFixtures } from "../../../test/fixtures/mail/generate.ts";
import { type InboundMessage, parseMessage } from "./parse.ts";

const DIR = join(import.meta.dirname, "../../../test/fixtures/mail");
const own = ["support@gosuslugi.example"];
const read = (name: string) => readFileSync(join(DIR, name));
const parse = (name: string, options = {}) => parseMessage(read(name), { ownAddresses: own, ...options });

describe("the committed corpus", () => {
  it("is exactly what the generator writes", () => {
    const built = buildFixtures();
    const files = readdirSync(DIR)
      .filter((n) => n.endsWith(".eml"))
      .sort();
    expect(files).toEqual(Object.keys(built).sort());
    for (const name of files) expect(read(name).equals(built[name] as Buffer), name).toBe(true);
  });
});

describe("encodings", () => {
  it("reads UTF-8 quoted-printable with encoded-word headers, setting history and signature apart", async () => {
    const m = await parse("utf8-qp-reply.eml");
    expect(m.from).toEqual({ name: "Иван Петров", address: "ivan.petrov@mail.example.ru" });
    expect(m.subject).toBe("Re: Госуслуги - Электронная подпись");
    expect(m.categoryFromSubject).toBe("e_signature");
    expect(m.text).toBe("Здравствуйте!\nПодпись так и не проверяется, ошибка «Сертификат недействителен».");
    expect(m.signature).toBe("Иван Петров");
    expect(m.quoted).toMatch(
      /^12\.05\.2025, 09:00, Служба поддержки <support@gosuslugi\.example> пишет:\n> Установите плагин/,
    );
    expect(m.inReplyTo).toBe("<r12345674.0a1b2c@gosuslugi.example>");
    expect(m.references).toEqual(["<r12345674.0a1b2c@gosuslugi.example>"]);
    expect(m.sentAt?.toISOString()).toBe("2025-05-12T07:14:00.000Z");
    expect(m.flags).toEqual([]);
  });

  it("reads windows-1251 in base64", async () => {
    const m = await parse("win1251-base64.eml");
    expect(m.from.name).toBe("Мария Сидорова");
    expect(m.subject).toBe("Госуслуги - [Вход / Доступ / Пароль / Коды]");
    expect(m.categoryFromSubject).toBe("access");
    expect(m.text).toContain("Не приходит СМС-код для входа");
  });

  it("reads KOI8-R in 8bit with Q-encoded headers", async () => {
    const m = await parse("koi8r-8bit.eml");
    expect(m.from.name).toBe("Сергей");
    expect(m.categoryFromSubject).toBe("application_status");
    expect(m.text).toBe('Заявление на загранпаспорт третью неделю в статусе "Принято ведомством".\nЧто делать?');
  });

  it("repairs raw windows-1251 bytes in headers and says so", async () => {
    const m = await parse("win1251-raw-headers.eml");
    expect(m.subject).toBe("Госуслуги - Жалоба");
    expect(m.from.name).toBe("Ольга");
    expect(m.categoryFromSubject).toBe("complaint");
    expect(m.flags).toEqual(["raw_8bit_headers"]);
  });

  it.each([
    ["win1251", "windows-1251"],
    ["koi8-r", "KOI8-R"],
  ])("guesses %s for an 8-bit letter that declares no charset", async (charset) => {
    const raw = Buffer.concat([
      Buffer.from("From: a@b.ru\r\nMessage-ID: <g@b.ru>\r\nSubject: "),
      iconv.encode("Госуслуги - Пароль", charset),
      Buffer.from("\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"),
      iconv.encode("Здравствуйте, не работает вход в личный кабинет.", charset),
    ]);
    const m = await parseMessage(raw);
    expect(m.text).toBe("Здравствуйте, не работает вход в личный кабинет.");
    expect(m.subject).toBe("Госуслуги - Пароль");
    expect(m.categoryFromSubject).toBe("access");
    expect(m.flags).toEqual(["charset_guessed"]);
  });

  it("prefers the plain part of multipart/alternative", async () => {
    const m = await parse("alternative-utf8.eml");
    expect(m.text).toBe("Хочу сменить номер телефона в профиле.");
    expect(m.categoryFromSubject).toBe("contacts");
    expect(JSON.stringify(m)).not.toContain("<b>");
  });

  it("turns an HTML-only letter into readable text, dropping scripts, styles and images", async () => {
    const m = await parse("html-only-win1251.eml");
    expect(m.flags).toContain("html_only");
    expect(m.text).toContain("Страница оплаты показывает ошибку 500.");
    expect(m.text).toMatch(/Браузер\s+Firefox 128/);
    expect(m.text).toContain("страница оплаты [https://www.gosuslugi.ru/pay]");
    expect(m.quoted).toContain("> Пришлите снимок экрана.");
    const all = JSON.stringify(m);
    for (const gone of ["<p>", "alert(", "color:red", "cid:x"]) expect(all).not.toContain(gone);
  });
});

describe("attachments", () => {
  it("keeps inline images and Cyrillic names (RFC 2231 and encoded-words), sniffing the real type", async () => {
    const m = await parse("mixed-cyrillic-attachments.eml");
    expect(m.text).toBe("Прикладываю документы.");
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.inline, a.flagged ?? null])).toEqual([
      ["attachment-1.png", "image/png", true, null],
      ["Паспорт скан.pdf", "application/pdf", false, null],
      ["Заявление.pdf", "image/jpeg", false, "type_mismatch"],
    ]);
    expect(m.attachments[0]?.contentId).toBe("shot@x");
    expect(m.attachments[1]?.content.subarray(0, 5).toString()).toBe("%PDF-");
    expect(m.flags).toContain("attachment_type_mismatch");
  });

  it("treats an inline PDF as an attachment and only a picture the HTML refers to as part of the body", async () => {
    const raw = Buffer.from(
      [
        "From: a@mail.example.ru",
        "Message-ID: <apple@mail.example.ru>",
        'Content-Type: multipart/mixed; boundary="m"',
        "",
        "--m",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "See the scan.",
        "--m",
        'Content-Type: application/pdf; name="scan.pdf"',
        'Content-Disposition: inline; filename="scan.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        Buffer.from("%PDF-1.4\n%%EOF\n").toString("base64"),
        "--m--",
        "",
      ].join("\r\n"),
    );
    const m = await parseMessage(raw);
    expect(m.attachments.map((a) => [a.filename, a.inline])).toEqual([["scan.pdf", false]]);
  });

  it("joins a long windows-1251 name split into RFC 2231 continuations", async () => {
    const m = await parse("rfc2231-continuations-win1251.eml");
    expect(m.from.name).toBe("ООО «Альфа»");
    expect(m.text).toBe("Направляем выписку.");
    expect(m.categoryFromSubject).toBe("business");
    expect(m.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ["Выписка из ЕГРЮЛ для подтверждения полномочий представителя.pdf", "application/pdf"],
    ]);
  });

  it("keeps an executable but marks it not downloadable, whatever its name claims", async () => {
    const m = await parse("bad-executable.eml");
    expect(m.text).toBe("См. вложение.");
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.flagged, a.downloadable])).toEqual([
      ["invoice.pdf.exe", "application/x-msdownload", "executable", false],
      ["scan.pdf", "application/x-msdownload", "executable", false],
    ]);
    expect(m.flags).toEqual(["attachment_executable"]);
  });

  it("flags archives without unpacking them (a 100 MB zip bomb stays 100 KB)", async () => {
    const before = process.memoryUsage().rss;
    const m = await parse("bad-zip-bomb.eml");
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.flagged])).toEqual([
      ["docs.zip", "application/zip", "archive"],
      ["log.gz", "application/gzip", "archive"],
    ]);
    expect(m.attachments[0]?.size).toBeLessThan(200_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(60 * 1024 * 1024);
    expect(m.flags).toEqual(["attachment_archive"]);
  });

  it("caps 500 parts at the limit and flags it", async () => {
    const m = await parse("bad-500-parts.eml");
    expect(m.attachments).toHaveLength(50);
    expect(m.attachments[49]?.filename).toBe("part-49.txt");
    expect(m.text).toBe("Many parts.");
    expect(m.flags).toEqual(["attachments_capped"]);
    expect((await parse("bad-500-parts.eml", { maxAttachments: 500 })).attachments).toHaveLength(500);
  });
});

describe("bad input", () => {
  it("reports a missing From, or takes the envelope sender when there is one", async () => {
    const m = await parse("bad-no-from.eml");
    expect(m.from).toEqual({ address: "" });
    expect(m.flags).toEqual(["missing_from"]);
    expect(m.text).toBe("Подскажите часы работы МФЦ.");
    const withEnvelope = await parse("bad-no-from.eml", { envelopeFrom: "Someone@Mail.example.ru" });
    expect(withEnvelope.from).toEqual({ address: "someone@mail.example.ru" });
    expect(withEnvelope.flags).toEqual(["from_from_envelope"]);
  });

  it("shows the body of a multipart letter without a boundary as text rather than losing it", async () => {
    const m = await parse("bad-malformed-mime.eml");
    expect(m.flags).toEqual(["mime_unparseable"]);
    expect(m.text).toContain("Текст письма без границы частей.");
  });

  it("removes NUL bytes from headers and text", async () => {
    const m = await parse("bad-nul-bytes.eml");
    expect(m.subject).toBe("Госуслуги - Ошибка");
    expect(m.text).toBe("Текст с нулевыми байтами.");
    expect(m.flags).toEqual(["nul_bytes_removed"]);
    expect(m.rawSize).toBe(read("bad-nul-bytes.eml").length);
  });

  it("never throws: garbage, an empty buffer, a header-only letter", async () => {
    const garbage = await parseMessage(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x41, 0x0a]));
    expect(garbage.flags).toEqual(expect.arrayContaining(["nul_bytes_removed", "missing_from", "missing_message_id"]));
    const empty = await parseMessage(Buffer.alloc(0));
    expect(empty.flags).toEqual(expect.arrayContaining(["missing_from", "missing_message_id", "empty_body"]));
    const headerOnly = await parseMessage(Buffer.from("From: a@b.ru\r\nSubject: x\r\n\r\n"));
    expect(headerOnly.flags).toEqual(expect.arrayContaining(["empty_body", "missing_message_id"]));
  });

  it("says that an encrypted letter cannot be read", async () => {
    const smime = Buffer.from(
      'From: a@b.ru\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"\r\n' +
        "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAxggE=\r\n",
    );
    expect((await parseMessage(smime)).flags).toContain("encrypted");
    expect((await parseMessage(read("utf8-qp-reply.eml"))).flags).not.toContain("encrypted");
  });

  it.each([
    ["mx.example; dmarc=fail (p=reject) header.from=gosuslugi.ru", true],
    ["mx.example; spf=fail smtp.mailfrom=x.ru; dkim=none", true],
    ["mx.example; spf=fail smtp.mailfrom=x.ru; dkim=pass header.d=x.ru", false],
    ["mx.example; spf=pass; dkim=pass; dmarc=pass", false],
  ])("reads Authentication-Results «%s» (unverified: %s)", async (results, unverified) => {
    const raw = Buffer.from(`Authentication-Results: ${results}\r\nFrom: a@b.ru\r\nMessage-ID: <x@b.ru>\r\n\r\nhi\r\n`);
    expect((await parseMessage(raw)).flags.includes("sender_unverified")).toBe(unverified);
  });

  it("keeps sender, subject and body of a letter beyond mailparser's limits", async () => {
    let body = "";
    for (let i = 0; i < 1200; i++) body += `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`;
    body += "--b1200\r\nContent-Type: text/plain\r\n\r\nГлубоко вложенный текст\r\n";
    const nested = Buffer.from(
      "From: Иван <ivan@mail.example.ru>\r\nSubject: =?utf-8?B?0JPQvtGB0YPRgdC70YPQs9C4IC0g0J/QsNGA0L7Qu9GM?=\r\n" +
        `Message-ID: <deep@mail.example.ru>\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n${body}`,
    );
    const m = await parseMessage(nested);
    expect(m.from).toEqual({ name: "Иван", address: "ivan@mail.example.ru" });
    expect(m.subject).toBe("Госуслуги - Пароль");
    expect(m.categoryFromSubject).toBe("access");
    expect(m.messageId).toBe("<deep@mail.example.ru>");
    expect(m.text).toContain("Глубоко вложенный текст");
    expect(m.flags).toEqual(["mime_unparseable"]);

    const longSubject = Buffer.from(
      `From: a@b.ru\r\nMessage-ID: <l@b.ru>\r\nSubject: ${"я".repeat(1_000_000)}\r\n\r\nhi\r\n`,
    );
    const l = await parseMessage(longSubject);
    expect(l.from.address).toBe("a@b.ru");
    expect(l.subject.length).toBeGreaterThan(1000);
    expect(l.subject.length).toBeLessThan(4096);
    expect(l.text).toBe("hi");
  });

  it("derives a stable Message-ID for a letter without one, so a redelivery deduplicates", async () => {
    const raw = Buffer.from("From: a@b.ru\r\nSubject: x\r\n\r\nhello\r\n");
    const [a, b] = await Promise.all([parseMessage(raw), parseMessage(raw)]);
    expect(a.messageId).toBe(b.messageId);
    expect(a.messageId).toMatch(/^<[0-9a-f]{32}@missing-message-id\.invalid>$/);
  });

  it("passes on a Reply-To that differs from From", async () => {
    const raw = Buffer.from("From: a@b.ru\r\nReply-To: Иван <Ivan@Home.example>\r\nMessage-ID: <r@b.ru>\r\n\r\nhi\r\n");
    expect((await parseMessage(raw)).replyTo).toBe("ivan@home.example");
    expect((await parse("utf8-qp-reply.eml")).replyTo).toBeUndefined();
  });

  it("ignores an unreadable Date instead of inventing one", async () => {
    const m = await parseMessage(Buffer.from("From: a@b.ru\r\nDate: someday\r\n\r\nhi\r\n"));
    expect(m.sentAt).toBeUndefined();
  });

  it("truncates an endless text and says so", async () => {
    const raw = Buffer.from(`From: a@b.ru\r\n\r\n${"а".repeat(200_000)}\r\n`);
    const m = await parseMessage(raw, { maxTextLength: 1000 });
    expect(m.text).toHaveLength(1000);
    expect(m.flags).toContain("text_truncated");
  });
});

describe("loops and threading", () => {
  it("marks an out-of-office reply and still reads the request number", async () => {
    const m = await parse("autoreply-out-of-office.eml");
    expect(m).toMatchObject({
      autoReply: true,
      autoReplyReason: "Auto-Submitted: auto-replied",
      requestNumberFromSubject: "12345674",
    });
  });

  it("marks a bounce and names the letter that bounced", async () => {
    const m = await parse("bounce.eml");
    expect(m.autoReply).toBe(true);
    expect(m.from.address).toBe("mailer-daemon@mx.example.ru");
    expect(m.bounceOf).toBe("<r12345674.0a1b2c@gosuslugi.example>");
    expect((await parse("autoreply-out-of-office.eml")).bounceOf).toBeUndefined();
  });

  it("marks our own letter coming back", async () => {
    const raw = Buffer.from("From: Support <support@gosuslugi.example>\r\nSubject: x\r\n\r\nhi\r\n");
    expect((await parseMessage(raw, { ownAddresses: own })).autoReplyReason).toBe("from our own address");
  });

  it("reads an Outlook reply: number with the injected validator, references, history", async () => {
    const seen: string[] = [];
    const m: InboundMessage = await parse("outlook-reply-win1251.eml", {
      isValidNumber: (n: string) => {
        seen.push(n);
        return n === "12345674";
      },
    });
    expect(seen).toEqual(["12345674"]);
    expect(m.requestNumberFromSubject).toBe("12345674");
    expect(m.categoryFromSubject).toBe("business");
    expect(m.text).toBe("Доверенность приложить не получается, файл больше 5 МБ.");
    expect(m.quoted).toContain("Приложите доверенность к заявлению.");
    expect(m.references).toEqual(["<first@mail.example.ru>", "<r12345674.77aa@gosuslugi.example>"]);
    const refused = await parse("outlook-reply-win1251.eml", { isValidNumber: () => false });
    expect(refused.requestNumberFromSubject).toBeUndefined();
  });
});
