// The mailer against a real SMTP sink (smtp-server on loopback) and against the outbox folder.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { classifySendError, createMailer } from "./mailer.ts";
import { parseMessage } from "./parse.ts";
import { type SmtpIntake, startSmtpIntake } from "./smtp-intake.ts";
import { formatSubject } from "./subject.ts";
import { requestNumberFromMessageIds } from "./threading.ts";

const FROM = "Служба поддержки <support@gosuslugi.example>";
const DOMAIN = "gosuslugi.example";
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sink() {
  const received: Array<{ raw: Buffer; rcptTo: string[] }> = [];
  const server: SmtpIntake = await startSmtpIntake({
    host: "127.0.0.1",
    port: 0,
    supportAddresses: ["ivan@mail.example.ru"],
    maxSize: 5_000_000,
    store: async (raw, envelope) => {
      received.push({ raw, rcptTo: envelope.rcptTo });
    },
  });
  cleanups.push(() => server.close());
  return { received, url: `smtp://127.0.0.1:${server.port}` };
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), "otklik-outbox-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("createMailer over SMTP", () => {
  it("delivers a threaded Cyrillic reply with our Message-ID and a plain-text part", async () => {
    const { received, url } = await sink();
    const mailer = createMailer({ relayUrl: url, outboxDir: await tempDir(), from: FROM, domain: DOMAIN });
    cleanups.push(() => mailer.close());
    const messageId = await mailer.send({
      to: "ivan@mail.example.ru",
      subject: formatSubject("Госуслуги - Электронная подпись", "12345674", { reply: true }),
      text: "Здравствуйте, Иван!\nПереустановите плагин «Госуслуги».",
      html: "<p>Здравствуйте, Иван!</p>",
      requestNumber: "12345674",
      inReplyTo: "<question@mail.example.ru>",
      references: ["<first@mail.example.ru>", "<question@mail.example.ru>"],
    });
    expect(messageId).toMatch(/^<r12345674\.[0-9a-f]{32}@gosuslugi\.example>$/);
    expect(received).toHaveLength(1);
    const raw = received[0]?.raw ?? Buffer.alloc(0);
    // Every byte on the wire is 7-bit: Cyrillic travels encoded.
    expect(raw.every((b) => b < 0x80)).toBe(true);
    const headerText = raw.toString("latin1");
    expect(headerText).toMatch(/^In-Reply-To: <question@mail\.example\.ru>\r$/m);
    expect(headerText).toMatch(/^References: <first@mail\.example\.ru> <question@mail\.example\.ru>\r$/m);
    expect(headerText).toMatch(/multipart\/alternative/);
    expect(headerText).not.toMatch(/^Auto-Submitted/m);

    const back = await parseMessage(raw);
    expect(back.messageId).toBe(messageId);
    expect(back.subject).toBe("Re: [№ 12345674] Госуслуги - Электронная подпись");
    expect(back.text).toBe("Здравствуйте, Иван!\nПереустановите плагин «Госуслуги».");
    expect(back.from).toEqual({ name: "Служба поддержки", address: "support@gosuslugi.example" });
    expect(requestNumberFromMessageIds([back.messageId], DOMAIN)).toBe("12345674");
  });

  it("marks automatic letters so that robots do not answer them, and our parser sees them as automatic", async () => {
    const { received, url } = await sink();
    const mailer = createMailer({ relayUrl: url, outboxDir: await tempDir(), from: FROM, domain: DOMAIN });
    cleanups.push(() => mailer.close());
    await mailer.send({
      to: "ivan@mail.example.ru",
      subject: "Обращение зарегистрировано",
      text: "Номер 12345674.",
      auto: true,
    });
    const back = await parseMessage(received[0]?.raw ?? Buffer.alloc(0), {
      ownAddresses: ["support@gosuslugi.example"],
    });
    expect(back.autoReply).toBe(true);
    expect(back.autoReplyReason).toBe("Auto-Submitted: auto-replied");
  });

  it("sends attachments with Cyrillic names", async () => {
    const { received, url } = await sink();
    const mailer = createMailer({ relayUrl: url, outboxDir: await tempDir(), from: FROM, domain: DOMAIN });
    cleanups.push(() => mailer.close());
    const pdf = Buffer.from("%PDF-1.4\n%%EOF\n");
    await mailer.send({
      to: "ivan@mail.example.ru",
      subject: "Памятка",
      text: "Во вложении памятка.",
      attachments: [{ filename: "Памятка по электронной подписи.pdf", content: pdf }],
    });
    const back = await parseMessage(received[0]?.raw ?? Buffer.alloc(0));
    expect(back.attachments.map((a) => [a.filename, a.contentType, a.content.equals(pdf)])).toEqual([
      ["Памятка по электронной подписи.pdf", "application/pdf", true],
    ]);
  });

  it("fails permanently when the relay refuses the recipient, temporarily when the relay is down", async () => {
    const { url } = await sink();
    const mailer = createMailer({ relayUrl: url, outboxDir: await tempDir(), from: FROM, domain: DOMAIN });
    cleanups.push(() => mailer.close());
    const refused = await mailer.send({ to: "nobody@else.example", subject: "x", text: "y" }).catch((e) => e);
    expect(refused.responseCode).toBe(550);
    expect(classifySendError(refused)).toBe("permanent");

    const down = createMailer({
      relayUrl: "smtp://127.0.0.1:1",
      outboxDir: await tempDir(),
      from: FROM,
      domain: DOMAIN,
    });
    cleanups.push(() => down.close());
    const error = await down.send({ to: "ivan@mail.example.ru", subject: "x", text: "y" }).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(classifySendError(error)).toBe("temporary");
    expect(classifySendError({ responseCode: 451 })).toBe("temporary");
  });
});

describe("createMailer without a relay", () => {
  it("writes each letter as a complete .eml into the outbox and nothing else", async () => {
    const dir = await tempDir();
    const mailer = createMailer({ outboxDir: join(dir, "outbox"), from: FROM, domain: DOMAIN });
    const ids = await Promise.all(
      [1, 2, 3].map((i) => mailer.send({ to: "ivan@mail.example.ru", subject: `Ответ ${i}`, text: `Текст ${i}` })),
    );
    const files = (await readdir(join(dir, "outbox"))).sort();
    expect(files).toHaveLength(3);
    expect(files.every((f) => f.endsWith(".eml") && !f.startsWith("."))).toBe(true);
    const parsed = await Promise.all(files.map(async (f) => parseMessage(await readFile(join(dir, "outbox", f)))));
    expect(parsed.map((p) => p.messageId).sort()).toEqual([...ids].sort());
    expect(parsed.map((p) => p.text).sort()).toEqual(["Текст 1", "Текст 2", "Текст 3"]);
    expect(new Set(ids).size).toBe(3);
  });

  it("keeps a caller's own Message-ID", async () => {
    const dir = await tempDir();
    const mailer = createMailer({ outboxDir: dir, from: FROM, domain: DOMAIN });
    expect(await mailer.send({ to: "a@b.ru", subject: "x", text: "y", messageId: "<fixed@gosuslugi.example>" })).toBe(
      "<fixed@gosuslugi.example>",
    );
    const [file] = await readdir(dir);
    expect((await readFile(join(dir, file ?? ""), "latin1")).includes("Message-ID: <fixed@gosuslugi.example>")).toBe(
      true,
    );
  });
});
