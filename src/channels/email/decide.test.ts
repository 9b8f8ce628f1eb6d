import { describe, expect, it } from "vitest";
import { SenderRateLimiter } from "./autoreply.ts";
import { decideInbound } from "./decide.ts";
import type { InboundMessage } from "./parse.ts";

const DOMAIN = "gosuslugi.example";
const valid = (n: string) => n.endsWith("4");

function message(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: "email",
    messageId: "<m1@mail.example.ru>",
    references: [],
    from: { address: "ivan@mail.example.ru" },
    to: ["support@gosuslugi.example"],
    cc: [],
    subject: "Госуслуги - Электронная подпись",
    text: "Помогите",
    attachments: [],
    autoReply: false,
    receivedAt: new Date(0),
    rawSize: 100,
    flags: [],
    ...overrides,
  };
}

describe("decideInbound", () => {
  it("opens a new request and acknowledges it", async () => {
    expect(await decideInbound(message(), { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "new",
      acknowledge: true,
    });
  });

  it("threads by our Message-ID first, even when the subject names another request", async () => {
    const m = message({
      inReplyTo: "<r12345674.abc@gosuslugi.example>",
      references: ["<r12345674.abc@gosuslugi.example>"],
      requestNumberFromSubject: "22222224",
    });
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "reply",
      requestNumber: "12345674",
      via: "message_id",
      automatic: false,
    });
  });

  it("threads by a Message-ID the registry knows, then by the subject, then by plus-address", async () => {
    const known = message({ references: ["<citizen-first@mail.example.ru>"] });
    const findByMessageId = async (ids: string[]) =>
      ids.includes("<citizen-first@mail.example.ru>") ? "33333334" : undefined;
    expect(await decideInbound(known, { domain: DOMAIN, isValidNumber: valid, findByMessageId })).toMatchObject({
      requestNumber: "33333334",
      via: "known_message_id",
    });
    const bySubject = message({ requestNumberFromSubject: "12345674" });
    expect(await decideInbound(bySubject, { domain: DOMAIN, isValidNumber: valid })).toMatchObject({
      via: "subject",
    });
    const byText = message({ text: "Дополняю обращение № 12345674: скан приложен." });
    expect(await decideInbound(byText, { domain: DOMAIN, isValidNumber: valid })).toMatchObject({
      requestNumber: "12345674",
      via: "text",
    });
    const quotedOnly = message({ text: "Спасибо", quoted: "> Ваше обращение № 12345674 зарегистрировано" });
    expect(await decideInbound(quotedOnly, { domain: DOMAIN, isValidNumber: valid })).toMatchObject({ kind: "new" });
    const bcc = await decideInbound(message(), {
      domain: DOMAIN,
      isValidNumber: valid,
      envelopeRecipients: ["support+12345674@gosuslugi.example"],
    });
    expect(bcc).toMatchObject({ requestNumber: "12345674", via: "address" });
    const byAddress = message({ to: ["support+12345674@gosuslugi.example"] });
    expect(await decideInbound(byAddress, { domain: DOMAIN, isValidNumber: valid })).toMatchObject({
      requestNumber: "12345674",
      via: "address",
    });
  });

  it("says whether a reply comes from the applicant's own address", async () => {
    const m = message({ requestNumberFromSubject: "12345674" });
    const applicantAddress = async (n: string) => (n === "12345674" ? "Ivan@Mail.example.ru" : undefined);
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid, applicantAddress })).toMatchObject({
      kind: "reply",
      senderIsApplicant: true,
    });
    const stranger = message({ requestNumberFromSubject: "12345674", from: { address: "other@mail.example.ru" } });
    expect(await decideInbound(stranger, { domain: DOMAIN, isValidNumber: valid, applicantAddress })).toMatchObject({
      kind: "reply",
      senderIsApplicant: false,
    });
    const noAddress = async () => undefined;
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid, applicantAddress: noAddress })).toMatchObject(
      { senderIsApplicant: false },
    );
  });

  it("opens a new request when the number does not exist in the registry", async () => {
    const m = message({ requestNumberFromSubject: "12345674" });
    const requestExists = async () => false;
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid, requestExists })).toEqual({
      kind: "new",
      acknowledge: true,
    });
  });

  it("adds an automatic reply to its request without pretending a person wrote it", async () => {
    const m = message({
      autoReply: true,
      autoReplyReason: "Auto-Submitted: auto-replied",
      requestNumberFromSubject: "12345674",
    });
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid })).toMatchObject({
      kind: "reply",
      automatic: true,
    });
  });

  it("ties a bounce of our letter to its request", async () => {
    const m = message({
      autoReply: true,
      autoReplyReason: "Return-Path <>",
      bounceOf: "<r12345674.abc@gosuslugi.example>",
    });
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "reply",
      requestNumber: "12345674",
      via: "message_id",
      automatic: true,
    });
  });

  it("keeps machine letters without a thread and opens nothing", async () => {
    const m = message({ autoReply: true, autoReplyReason: "Return-Path <>" });
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "keep_only",
      reason: "Return-Path <>",
    });
  });

  it("opens a request but sends no acknowledgement when the sender asked for none", async () => {
    const m = message({ flags: ["auto_response_suppressed"] });
    expect(await decideInbound(m, { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "new",
      acknowledge: false,
      noAcknowledgementBecause: "sender_declined",
    });
  });

  it("does not acknowledge a letter without a sender, nor a sender past the limit", async () => {
    const noSender = message({ from: { address: "" } });
    expect(await decideInbound(noSender, { domain: DOMAIN, isValidNumber: valid })).toEqual({
      kind: "new",
      acknowledge: false,
      noAcknowledgementBecause: "no_sender",
    });
    const acknowledgements = new SenderRateLimiter({ limit: 2, windowMs: 3_600_000, now: () => 0 });
    const kinds = [];
    for (let i = 0; i < 3; i++)
      kinds.push(await decideInbound(message(), { domain: DOMAIN, isValidNumber: valid, acknowledgements }));
    expect(kinds.map((k) => (k.kind === "new" ? k.acknowledge : null))).toEqual([true, true, false]);
  });
});
