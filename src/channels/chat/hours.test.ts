import { describe, expect, it } from "vitest";
import { buildCalendar } from "../../directory/index.ts";
import { chatHours, checkChatHours, hoursText, whenText } from "./hours.ts";

// 2026: 1–8 January are holidays, 31 December 2025 is a day off by transfer in this sample.
const calendar = buildCalendar([
  {
    year: 2026,
    source: "test",
    days: [
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((d) => ({ date: `2026-01-0${d}`, type: "holiday" as const })),
      { date: "2026-11-03", type: "short" as const },
      { date: "2026-11-04", type: "holiday" as const },
    ],
  },
]);

const msk = (s: string) => new Date(`${s}+03:00`);

describe("chat hours", () => {
  it("open on a working day between 9 and 21 Moscow time", () => {
    const h = chatHours(calendar, msk("2026-11-26T12:00:00"));
    expect(h.open).toBe(true);
    expect(h.closesAt).toBe("2026-11-26T21:00:00.000+03:00");
  });
  it("closed at 21:00 sharp, opens the next working morning", () => {
    const h = chatHours(calendar, msk("2026-11-26T21:00:00"));
    expect(h).toMatchObject({ open: false, opensAt: "2026-11-27T09:00:00.000+03:00" });
  });
  it("before nine it opens the same day", () => {
    expect(chatHours(calendar, msk("2026-11-26T08:59:00")).opensAt).toBe("2026-11-26T09:00:00.000+03:00");
  });
  it("weekends and holidays are skipped; a short day still opens", () => {
    expect(chatHours(calendar, msk("2026-11-28T10:00:00")).opensAt).toBe("2026-11-30T09:00:00.000+03:00");
    expect(chatHours(calendar, msk("2026-11-03T10:00:00")).open).toBe(true);
    expect(chatHours(calendar, msk("2026-11-03T22:00:00")).opensAt).toBe("2026-11-05T09:00:00.000+03:00");
    expect(chatHours(calendar, msk("2025-12-31T23:00:00")).opensAt).toBe("2026-01-09T09:00:00.000+03:00");
  });
  it("an instant in another zone is read in Moscow time", () => {
    // 07:30 UTC = 10:30 Moscow.
    expect(chatHours(calendar, new Date("2026-11-26T07:30:00Z")).open).toBe(true);
    expect(chatHours(calendar, new Date("2026-11-26T05:30:00Z")).open).toBe(false);
  });
  it("says when in words", () => {
    const at = msk("2026-11-26T22:00:00");
    expect(whenText("2026-11-27T09:00:00.000+03:00", at)).toBe("завтра в 9:00");
    expect(whenText("2026-11-30T09:00:00.000+03:00", at)).toBe("30 ноября в 9:00");
  });
  it("says when operators are back, in Moscow time", () => {
    expect(chatHours(calendar, msk("2026-11-26T22:00:00")).back).toBe("завтра в 9:00 по московскому времени");
    expect(chatHours(calendar, msk("2026-11-26T12:00:00")).back).toBeNull();
  });
});

describe("chat hours an administrator sets", () => {
  const everyDay = { days: "all" as const, from: 8 * 60, to: 20 * 60 + 30 };
  it("follow the setting: every day, other times", () => {
    // A Saturday: closed on working-day hours, open every day.
    expect(chatHours(calendar, msk("2026-11-28T10:00:00")).open).toBe(false);
    expect(chatHours(calendar, msk("2026-11-28T10:00:00"), everyDay)).toMatchObject({
      open: true,
      closesAt: "2026-11-28T20:30:00.000+03:00",
      text: "с 8:00 до 20:30 по московскому времени ежедневно",
    });
    expect(chatHours(calendar, msk("2026-11-28T21:00:00"), everyDay)).toMatchObject({
      open: false,
      opensAt: "2026-11-29T08:00:00.000+03:00",
      back: "завтра в 8:00 по московскому времени",
    });
    expect(hoursText({ days: "all", from: 0, to: 24 * 60 })).toBe("круглосуточно");
    expect(chatHours(calendar, msk("2026-11-28T03:00:00"), { days: "all", from: 0, to: 24 * 60 }).open).toBe(true);
  });
  it("refuses hours that never open", () => {
    expect(checkChatHours({ days: "working", from: 600, to: 600 })).toMatch(/позже начала/);
    expect(checkChatHours({ days: "working", from: 24 * 60, to: 24 * 60 })).toMatch(/Начало работы/);
    expect(checkChatHours({ days: "working", from: 540, to: 1260 })).toBeNull();
  });
});
