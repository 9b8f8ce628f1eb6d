import { describe, expect, it } from "vitest";
import { CATEGORY_CODES } from "../requests/categories.ts";
import { NEXT_LEVEL } from "./escalation.ts";
import { linkedMessage } from "./incidents.ts";
import { recheckMoment } from "./manual.ts";

describe("re-check moment", () => {
  it("is 09:00 Moscow time on the chosen day by default, whatever the server's zone", () => {
    expect(recheckMoment("2026-11-30")).toEqual(new Date("2026-11-30T06:00:00Z"));
    expect(recheckMoment("2027-01-01")).toEqual(new Date("2027-01-01T06:00:00Z"));
  });
  it("is the start of the department's working day in its zone", () => {
    const hours = { zone: "Asia/Vladivostok", startMinute: 8 * 60, endMinute: 17 * 60 };
    // 08:00 in Vladivostok (UTC+10) is 22:00 UTC the day before.
    expect(recheckMoment("2026-11-30", hours)).toEqual(new Date("2026-11-29T22:00:00Z"));
  });
  it("refuses what is not a date", () => {
    for (const bad of ["", "30.11.2026", "2026-13-01", "2026-02-30", "2026-11-30T10:00"]) {
      expect(recheckMoment(bad), bad).toBeNull();
    }
  });
});

describe("move up a level", () => {
  it("names a department, or none, for every category", () => {
    for (const c of CATEGORY_CODES) expect(NEXT_LEVEL[c], c).not.toBeUndefined();
    expect(NEXT_LEVEL.access).toBe("accounts");
    expect(NEXT_LEVEL.complaint).toBeNull();
  });
});

describe("incident message", () => {
  it("gives the recovery time in Moscow time, or says it is not known yet", () => {
    const known = linkedMessage({
      title: "СМС",
      publicMessage: "Мы знаем о проблеме.",
      expectedRecoveryAt: new Date("2026-12-01T15:30:00Z"),
    });
    // The year is written only when it is not the current one (src/text/display.ts).
    expect(known).toMatch(
      /^Мы знаем о проблеме\.\n\nОжидаемое время восстановления: 1 декабря( 2026 г\.)? в 18:30 по московскому времени\.$/,
    );
    const unknown = linkedMessage({ title: "СМС", publicMessage: "Мы знаем.", expectedRecoveryAt: null });
    expect(unknown).toMatch(/пока неизвестно/);
  });
});
