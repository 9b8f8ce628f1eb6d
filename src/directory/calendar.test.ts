import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  addDays,
  buildCalendar,
  dayStatus,
  isIsoDate,
  isWorkingDay,
  parseCalendarYear,
  weekdayOf,
} from "./calendar.ts";
import { calendarFromXml, calendarYearToYaml } from "./calendar-xml.ts";
import { loadCalendar } from "./load.ts";

function workingDaysIn(year: number, isWorking: (d: string) => boolean): number {
  let n = 0;
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) if (isWorking(d)) n++;
  return n;
}

describe("the shipped production calendar", () => {
  it("covers 2025–2027 and names its source for every year", async () => {
    const cal = await loadCalendar();
    expect(cal.years).toEqual([2025, 2026, 2027]);
    expect(cal.sources).toHaveLength(3);
    for (const s of cal.sources) expect(s).toMatch(/xmlcalendar/);
    expect(cal.sources[1]).toMatch(/№ 1466/);
  });
  it("has the official count of working days: 247 in each of 2025, 2026 and 2027", async () => {
    const cal = await loadCalendar();
    for (const year of [2025, 2026, 2027])
      expect(
        workingDaysIn(year, (d) => isWorkingDay(cal, d)),
        String(year),
      ).toBe(247);
  });
  it("knows the transfers of 2025: 8 May and 13 June off, Saturday 1 November working", async () => {
    const cal = await loadCalendar();
    expect(isWorkingDay(cal, "2025-05-08")).toBe(false);
    expect(isWorkingDay(cal, "2025-06-13")).toBe(false);
    expect(isWorkingDay(cal, "2025-11-01")).toBe(true);
    expect(isWorkingDay(cal, "2025-11-03")).toBe(false);
    expect(dayStatus(cal, "2025-05-08").entry?.from).toBe("2025-02-23");
  });
  it("marks holidays, shortened days and ordinary days", async () => {
    const cal = await loadCalendar();
    expect(dayStatus(cal, "2026-01-07")).toMatchObject({ working: false, holiday: true, covered: true });
    expect(dayStatus(cal, "2026-01-07").entry?.title).toBe("Рождество Христово");
    expect(dayStatus(cal, "2026-11-03")).toMatchObject({ working: true, short: true });
    expect(dayStatus(cal, "2026-03-10")).toMatchObject({ working: true, short: false, holiday: false });
    expect(dayStatus(cal, "2026-03-14")).toMatchObject({ working: false, holiday: false });
    expect(dayStatus(cal, "2029-03-14")).toMatchObject({ working: true, covered: false });
  });
});

describe("date helpers", () => {
  it("computes ISO weekdays and adds days across months and years", () => {
    expect(weekdayOf("2026-11-26")).toBe(4);
    expect(weekdayOf("2026-03-01")).toBe(7);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });
  it("accepts only real dates", () => {
    expect(isIsoDate("2026-02-28")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("26-02-01")).toBe(false);
  });
});

describe("calendar data validation", () => {
  it("rejects a date from another year, an unknown type and a missing source", () => {
    expect(() =>
      parseCalendarYear({ year: 2026, source: "x", days: [{ date: "2025-01-01", type: "holiday" }] }),
    ).toThrow(/2026/);
    expect(() => parseCalendarYear({ year: 2026, source: "x", days: [{ date: "2026-01-01", type: "party" }] })).toThrow(
      /party/,
    );
    expect(() => parseCalendarYear({ year: 2026, days: [] })).toThrow(/source/);
  });
  it("says so in a sentence that begins with the file or the year named", () => {
    expect(() =>
      parseCalendarYear(
        { year: 2026, source: "x", days: [{ date: "2025-01-01", type: "holiday" }] },
        "Календарь 2026.yaml",
      ),
    ).toThrow("Календарь 2026.yaml (days[0]): дата «2025-01-01» не из 2026 года или не в формате ГГГГ-ММ-ДД.");
    expect(() => parseCalendarYear({ year: 2026, days: [] })).toThrow("Календарь: не указан источник (source).");
  });
});

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2027" lang="ru" date="2026.09.02" country="ru">
    <holidays>
        <holiday id="1" title="Новогодние каникулы"/>
        <holiday id="3" title="День защитника Отечества"/>
    </holidays>
    <days>
        <day d="01.01" t="1" h="1"/>
        <day d="02.20" t="2"/>
        <day d="02.22" t="1" f="02.20"/>
        <day d="02.23" t="1" h="3"/>
        <day d="03.02" t="3"/>
        <day d="11.06" t="3"/>
    </days>
</calendar>`;

describe("import from the xmlcalendar format", () => {
  it("converts holidays, transfers, shortened and working weekend days", () => {
    const year = calendarFromXml(XML, "Постановление № 1");
    expect(year.year).toBe(2027);
    expect(year.source).toBe("xmlcalendar/data, ru/2027/calendar.xml (редакция 2026-09-02)");
    expect(year.decree).toBe("Постановление № 1");
    expect(year.days).toEqual([
      { date: "2027-01-01", type: "holiday", title: "Новогодние каникулы" },
      { date: "2027-02-20", type: "short" },
      { date: "2027-02-22", type: "day_off", from: "2027-02-20" },
      { date: "2027-02-23", type: "holiday", title: "День защитника Отечества" },
      // 2 March 2027 is a Tuesday: «working» there says nothing new and is dropped; 6 November is a Saturday.
      { date: "2027-11-06", type: "working" },
    ]);
  });
  it("round-trips through the project's YAML and keeps the source", () => {
    const year = calendarFromXml(XML);
    const text = calendarYearToYaml(year);
    expect(text).toMatch(/^# Производственный календарь России на 2027 год/);
    expect(parseCalendarYear(parse(text))).toEqual(year);
    const cal = buildCalendar([parseCalendarYear(parse(text))]);
    expect(isWorkingDay(cal, "2027-02-20")).toBe(true);
    expect(isWorkingDay(cal, "2027-02-22")).toBe(false);
  });
  it("refuses what is not a calendar", () => {
    expect(() => calendarFromXml("<html></html>")).toThrow(/calendar/);
    expect(() => calendarFromXml('<calendar year="2027"><days><day d="01.01" t="9"/></days></calendar>')).toThrow(
      /t="9"/,
    );
  });
});
