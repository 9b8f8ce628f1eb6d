import { describe, expect, it } from "vitest";
import type { NewsKind } from "./policy.ts";
import { moscowTime, noticeLetter, smsSegments, smsText } from "./texts.ts";

const KINDS: NewsKind[] = [
  "registered",
  "reply",
  "asked",
  "escalated",
  "incident",
  "incident_resolved",
  "resolved",
  "merged",
];
// 22:00 in Moscow is 19:00 UTC, and 02:00 the next day in Novosibirsk: the text must say Moscow's.
const due = new Date("2026-12-06T19:00:00Z");
const facts = {
  number: "1030026",
  trackingUrl: "https://otklik.example/track/abc",
  dueAt: due,
  message: "Текст ответа.",
  into: "1030034",
};

describe("due times", () => {
  it("are written in Moscow time and say so", () => {
    // The year is written only when it is not this one.
    expect(moscowTime(due)).toMatch(/^6 декабря (2026 г\. )?в 22:00 по московскому времени$/);
  });
});

describe("letters", () => {
  it("carry the number, the link and the unsubscribe link; the acknowledgement its due time", () => {
    for (const kind of KINDS) {
      const text = noticeLetter(kind, facts, "https://otklik.example/unsubscribe/t");
      expect(text, kind).toContain("1 030 026");
      expect(text, kind).toContain("https://otklik.example/track/abc");
      expect(text, kind).toContain("https://otklik.example/unsubscribe/t");
    }
    expect(noticeLetter("registered", facts, "u")).toContain("в 22:00 по московскому времени (воскресенье)");
    expect(noticeLetter("resolved", facts, "u")).toContain("оцените работу службы поддержки (от 1 до 5)");
    expect(noticeLetter("reply", facts, "u")).toContain("Текст ответа.");
    expect(noticeLetter("merged", facts, "u")).toContain(
      "Ваше обращение № 1 030 026 объединено с обращением № 1 030 034: они об одном и том же вопросе.",
    );
    expect(smsText("merged", facts)).toBe(
      "Обращение № 1 030 026 объединено с № 1 030 034. https://otklik.example/track/abc",
    );
  });

  it("make sense without a tracking link", () => {
    const text = noticeLetter("resolved", { ...facts, trackingUrl: undefined }, "u");
    expect(text).toContain("оцените работу службы поддержки на странице обращения");
    expect(text).not.toContain("undefined");
  });

  it("name no empty number when a merge's target is gone", () => {
    const gone = { ...facts, into: undefined };
    for (const text of [noticeLetter("merged", gone, "u"), smsText("merged", gone)]) {
      expect(text).toContain("объединено с другим");
      expect(text).not.toMatch(/№\s*[:.,;]|№\s*$/m);
    }
  });
});

describe("SMS", () => {
  it("carry the number and the link, never the words of an answer", () => {
    for (const kind of KINDS) {
      const text = smsText(kind, facts);
      expect(text, kind).toContain("№ 1 030 026");
      expect(text, kind).toContain("https://otklik.example/track/abc");
      expect(text, kind).not.toContain("Текст ответа");
    }
    expect(smsText("registered", facts)).toBe(
      `Обращение № 1 030 026 зарегистрировано. Ответим до ${moscowTime(due)}. https://otklik.example/track/abc Отказаться от остальных СМС: ответьте СТОП.`,
    );
  });

  it("are counted in parts: 70 Cyrillic characters in one, 67 in each of several; 160 and 153 in the GSM alphabet", () => {
    expect(smsSegments("а".repeat(70))).toEqual({ encoding: "ucs2", units: 70, segments: 1 });
    expect(smsSegments("а".repeat(71))).toEqual({ encoding: "ucs2", units: 71, segments: 2 });
    expect(smsSegments("а".repeat(134)).segments).toBe(2);
    expect(smsSegments("а".repeat(135)).segments).toBe(3);
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "gsm7", units: 160, segments: 1 });
    expect(smsSegments("a".repeat(161)).segments).toBe(2);
    // A character of the extension table takes two places.
    expect(smsSegments("€".repeat(80))).toEqual({ encoding: "gsm7", units: 160, segments: 1 });
    expect(smsSegments(`${"a".repeat(159)}€`).segments).toBe(2);
    // One Cyrillic letter turns the whole text into UCS-2.
    expect(smsSegments(`${"a".repeat(69)}я`).segments).toBe(1);
    expect(smsSegments(`${"a".repeat(70)}я`).encoding).toBe("ucs2");
  });
});
