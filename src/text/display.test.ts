// The machine formats in Novosibirsk (UTC+7), as an applicant's browser there would: Moscow times must not move.
process.env.TZ = "Asia/Novosibirsk";

import { describe, expect, it } from "vitest";
import {
  displayPhone,
  displayRequestNumber,
  fromMoscowLocal,
  moscowDateTime,
  moscowDeadline,
  moscowTime,
  moscowWeekday,
  telHref,
} from "./display.ts";

describe("request numbers", () => {
  it("are grouped by three from the right", () => {
    expect(displayRequestNumber("1030026")).toBe("1 030 026");
    expect(displayRequestNumber("5724")).toBe("5 724");
    expect(displayRequestNumber("123456")).toBe("123 456");
    expect(displayRequestNumber("12345678901")).toBe("12 345 678 901");
    expect(displayRequestNumber("572")).toBe("572");
  });

  it("come out the same whatever spacing they arrive in", () => {
    for (const n of ["1030026", "1 030 026", "№ 1030026", "1-030-026"])
      expect(displayRequestNumber(n)).toBe("1 030 026");
  });
});

describe("phone numbers", () => {
  it("write a Russian number the way it is dialled at home", () => {
    for (const p of ["+78005553535", "88005553535", "8 (800) 555-35-35", "+7 800 555 35 35", "8005553535"]) {
      expect(displayPhone(p)).toBe("8 800 555-35-35");
      expect(telHref(p)).toBe("tel:+78005553535");
    }
    expect(displayPhone("+7 (495) 727-47-47")).toBe("8 495 727-47-47");
    expect(displayPhone("+79123456789")).toBe("8 912 345-67-89");
  });

  it("keep a foreign number international", () => {
    expect(displayPhone("+375 17 123-45-67")).toBe("+375171234567");
    expect(telHref("+375 17 123-45-67")).toBe("tel:+375171234567");
  });

  it("leave text that is not a phone number alone", () => {
    expect(displayPhone("нет")).toBe("нет");
    expect(displayPhone("+7 *** ***-45-67")).toBe("+7 *** ***-45-67");
    expect(telHref("+7 *** ***-45-67")).toBeNull();
    expect(telHref("8 800 555-35-35 доб. 2")).toBeNull();
    expect(telHref("12")).toBeNull();
    expect(telHref("1234567890123456789")).toBeNull();
  });
});

describe("Moscow time on a machine in another zone", () => {
  const at = new Date("2026-12-06T19:00:00Z"); // 22:00 in Moscow, 02:00 the next day in Novosibirsk

  it("is not the machine's own time", () => {
    expect(at.getHours()).toBe(2);
    expect(at.getDate()).toBe(7);
  });

  const now = new Date("2026-12-06T10:00:00Z");

  it("is written in Moscow and says so", () => {
    expect(moscowDateTime(at, now)).toBe("6 декабря в 22:00");
    expect(moscowTime(at)).toBe("22:00");
    expect(moscowWeekday(at)).toBe("воскресенье");
    expect(moscowDeadline(at, now)).toBe("6 декабря в 22:00 по московскому времени (воскресенье)");
  });

  it("keeps midnight as 00, not 24", () => {
    expect(moscowDateTime(new Date("2026-03-07T21:00:00Z"), now)).toBe("8 марта в 00:00");
    expect(moscowDateTime(new Date("2026-01-01T06:05:00Z"), now)).toBe("1 января в 09:05");
  });

  it("reads a typed Moscow time as Moscow's, not the machine's", () => {
    expect(fromMoscowLocal("2026-12-06T22:00")?.toISOString()).toBe("2026-12-06T19:00:00.000Z");
    expect(fromMoscowLocal("2026-07-01T09:30:15")?.toISOString()).toBe("2026-07-01T06:30:15.000Z");
    expect(fromMoscowLocal("")).toBeNull();
    expect(fromMoscowLocal("2026-13-45T99:00")).toBeNull();
  });

  it("names the year when it is not the Moscow year under way", () => {
    expect(moscowDateTime(new Date("2030-01-15T12:00:00Z"), now)).toBe("15 января 2030 г. в 15:00");
    // Already 2027 in Moscow, still 2026 in UTC.
    const newYear = new Date("2026-12-31T21:30:00Z");
    expect(moscowDateTime(newYear, newYear)).toBe("1 января в 00:30");
    expect(moscowDateTime(newYear, now)).toBe("1 января 2027 г. в 00:30");
  });
});
