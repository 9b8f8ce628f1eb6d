// The phone channel's pure parts: numbers as PBXs report them, the checklist, the wallboard arithmetic, TwiML.
import { describe, expect, it } from "vitest";
import { innCheckDigits, ogrnCheckDigit } from "../../verification/identifiers.ts";
import { assertCallOpen, callWindow } from "./call-window.ts";
import { checklistFor, evaluate, normalizeName } from "./checklist.ts";
import { lineForNumber, normalizeCallerNumber } from "./numbers.ts";
import { twiml } from "./twiml.ts";
import { computeBoard } from "./wallboard.ts";

describe("caller numbers", () => {
  it.each([
    ["89001234567", "+79001234567"],
    ["79001234567", "+79001234567"],
    ["+7 (900) 123-45-67", "+79001234567"],
    ["9001234567", "+79001234567"],
    ["8-800-555-35-35", "+78005553535"],
    ["84957770000", "+74957770000"],
    ["0079001234567", "+79001234567"],
    ["810491701234567", "+491701234567"],
  ])("%s → %s", (raw, e164) => expect(normalizeCallerNumber(raw)).toBe(e164));

  it.each(["anonymous", "Unknown", "", "101", "123"])("%s is no number", (raw) =>
    expect(normalizeCallerNumber(raw)).toBeNull(),
  );

  it("finds the line dialled, the published main one when two share a number", () => {
    const base = { published: true, role: "main" } as const;
    const lines = [
      { ...base, id: "a", e164: "+74957777777", number: "+7 495 777-77-77", published: false },
      { ...base, id: "b", e164: "+74957777777", number: "+7 (495) 777-77-77" },
      { ...base, id: "c", e164: "+7872334455", number: "+7 872 33-44-55" },
    ] as unknown as Parameters<typeof lineForNumber>[0];
    expect(lineForNumber(lines, "84957777777")?.id).toBe("b");
    expect(lineForNumber(lines, "+7872334455")?.id).toBe("c");
    expect(lineForNumber(lines, "+79990000000")).toBeUndefined();
  });
});

describe("verification checklist", () => {
  const inn12Body = "5001007322";
  const inn12 = inn12Body + innCheckDigits(inn12Body);
  const ogrnipBody = "30450011600015";
  const ogrnip = ogrnipBody + ogrnCheckDigit(ogrnipBody);

  it("names the seed's items for each audience and topic", () => {
    const codes = (a: string, t: string | null) => checklistFor(a, t).map((i) => i.code);
    expect(codes("citizen", "application_status")).toEqual([
      "phone_in_profile",
      "full_name",
      "identifier_digits",
      "application",
      "snils",
    ]);
    expect(codes("legal_entity", "business")).toEqual(["full_name", "inn_legal", "ogrn"]);
    expect(codes("entrepreneur", null)).toEqual(["full_name", "inn_person", "ogrnip", "cabinet"]);
    expect(codes("citizen", "technical")).toEqual(
      expect.arrayContaining(["error_text", "error_time", "os", "browser"]),
    );
  });

  it("passes an entrepreneur with a valid ИНН and ОГРНИП, refuses a 10-digit ИНН in the 12-digit field", () => {
    const items = checklistFor("entrepreneur", "business");
    expect(evaluate(items, { full_name: true, cabinet: true, inn_person: inn12, ogrnip }).passed).toBe(true);
    const wrong = evaluate(items, { full_name: true, cabinet: true, inn_person: "7707083893", ogrnip });
    expect(wrong.passed).toBe(false);
    expect(wrong.problems[0]).toMatchObject({ code: "inn_person", message: expect.stringMatching(/12 цифр/) });
  });

  const account = {
    id: "a-1",
    fullName: "Сидоров Пётр Николаевич",
    phone: "+79001112233",
    snils: "11223344595",
    locked: false,
  };
  const facts = { account, phone: "+79001112233", applicationAccountId: null };

  it("compares a citizen's answers with the account: name without case, «ё» or extra spaces", () => {
    const items = checklistFor("citizen", "technical");
    const r = evaluate(items, { full_name: "  сидоров петр   николаевич ", identifier_digits: "4595" }, facts);
    expect(r.results).toMatchObject({ phone_in_profile: "match", full_name: "match", identifier_digits: "match" });
    expect(r.passed).toBe(true);
    expect(r.results.os).toBe("missing");
    expect(evaluate(items, { full_name: "Сидоров Пётр", identifier_digits: "4595" }, facts).passed).toBe(false);
    expect(evaluate(items, { full_name: account.fullName, identifier_digits: "1234" }, facts).passed).toBe(false);
  });

  it("an optional item given wrong fails the check; no account, no pass", () => {
    const items = checklistFor("citizen", null);
    const right = { full_name: account.fullName, identifier_digits: "4595" };
    expect(evaluate(items, { ...right, snils: "112-233-445 96" }, facts)).toMatchObject({
      passed: false,
      results: { snils: "invalid" },
    });
    expect(evaluate(items, right, { ...facts, account: null }).passed).toBe(false);
    expect(evaluate(items, right).passed).toBe(false);
    expect(
      evaluate(items, { ...right, phone_in_profile: "+79001112234" }, { ...facts, phone: "+79001112234" }),
    ).toMatchObject({
      passed: false,
      results: { phone_in_profile: "mismatch" },
    });
  });

  it("names compare by letters only", () => {
    expect(normalizeName("Пётр  ИВАНОВ-Петров.")).toBe("петр иванов-петров");
  });
});

describe("the call's window", () => {
  const t = (min: number) => new Date(Date.UTC(2026, 10, 25, 9, min));
  it("opens at the answer and closes 15 minutes after the hangup, or 2 h 15 min after an answer never hung up", () => {
    expect(callWindow({ answeredAt: null, endedAt: t(5) })).toBeNull();
    expect(callWindow({ answeredAt: t(0), endedAt: t(10) })).toEqual({ opens: t(0), closes: t(25) });
    expect(callWindow({ answeredAt: t(0), endedAt: null })?.closes).toEqual(t(135));
    expect(() => assertCallOpen({ answeredAt: t(0), endedAt: t(10) }, t(25))).not.toThrow();
    expect(() => assertCallOpen({ answeredAt: t(0), endedAt: t(10) }, t(26))).toThrow(/15 минут/);
  });
});

describe("wallboard arithmetic", () => {
  const now = new Date("2026-11-25T10:00:00Z");
  const day = new Date("2026-11-24T21:00:00Z");
  const at = (s: number) => new Date(now.getTime() - s * 1000);
  it("counts waiting, longest wait, answered, abandoned and the share answered within 20 s", () => {
    const board = computeBoard(
      [
        { queue: "q", state: "ringing", userId: null, startedAt: at(90), answeredAt: null, endedAt: null },
        { queue: "q", state: "ringing", userId: null, startedAt: at(30), answeredAt: null, endedAt: null },
        { queue: "q", state: "answered", userId: 7, startedAt: at(300), answeredAt: at(290), endedAt: null },
        { queue: "q", state: "ended", userId: 8, startedAt: at(600), answeredAt: at(560), endedAt: at(400) },
        { queue: "q", state: "abandoned", userId: null, startedAt: at(700), answeredAt: null, endedAt: at(650) },
        // Yesterday's and a stale ringing call do not count.
        { queue: "q", state: "ended", userId: 8, startedAt: at(50_000), answeredAt: at(49_990), endedAt: at(49_000) },
        { queue: "q", state: "ringing", userId: null, startedAt: at(3 * 3600), answeredAt: null, endedAt: null },
      ],
      now,
      day,
    );
    expect(board.queues[0]).toEqual({
      queue: "q",
      waiting: 2,
      longestWaitSeconds: 90,
      answeredToday: 2,
      abandonedToday: 1,
      serviceLevel: 33.3,
    });
    expect([...board.onCalls]).toEqual([7]);
    expect(board.total.waiting).toBe(2);
  });
});

describe("TwiML", () => {
  it("escapes text and attributes and speaks Russian", () => {
    const xml = twiml([
      { gather: { action: "/ivr?step=menu&attempt=1", numDigits: 1, say: ["Нажмите <1> & ждите"] } },
      { enqueue: "first_line" },
      { hangup: true },
    ]);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" action="/ivr?step=menu&amp;attempt=1" method="POST" numDigits="1" timeout="6" language="ru-RU"><Say language="ru-RU">Нажмите &lt;1&gt; &amp; ждите</Say></Gather><Enqueue>first_line</Enqueue><Hangup/></Response>',
    );
  });
});
