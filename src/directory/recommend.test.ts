import { Value } from "@sinclair/typebox/value";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProductionCalendar } from "./calendar.ts";
import { loadCalendar, loadDirectoryFile, loadRegions } from "./load.ts";
import { DirectoryQueryError, type RecommendOptions, type RecommendQuery, recommend } from "./recommend.ts";
import type { RegionIndex } from "./regions.ts";
import { RecommendAnswerSchema } from "./schema.ts";
import type { DirectoryLine } from "./types.ts";

let lines: DirectoryLine[];
let calendar: ProductionCalendar;
let regions: RegionIndex;
beforeAll(async () => {
  [lines, calendar, regions] = await Promise.all([
    loadDirectoryFile().then((d) => d.lines),
    loadCalendar(),
    loadRegions(),
  ]);
});

// Tuesday 3 March 2026, 10:00 in Moscow: an ordinary working morning.
const WEEKDAY = "2026-03-03T10:00:00+03:00";
const ask = (query: RecommendQuery, options?: RecommendOptions) => recommend(lines, calendar, regions, query, options);
const ids = (query: RecommendQuery, options?: RecommendOptions) => ask(query, options).map((i) => i.id);

describe("which line, from where", () => {
  it("puts the caller's own regional line first, then the federal lines", () => {
    const items = ask({ topic: "information", region: "Воронежская обл.", at: WEEKDAY });
    expect(items.map((i) => i.id)).toEqual(["region-voronezh", "federal-main", "federal-reserve"]);
    expect(items[0]?.why).toMatch(/Региональная линия: Воронежская область/);
    expect(items.every((i) => !i.regionalFallback)).toBe(true);
  });
  it("gives a region without a line of its own the federal lines, and says so", () => {
    const items = ask({ topic: "information", region: "Якутия", at: WEEKDAY });
    expect(items.map((i) => i.id)).toEqual(["federal-main", "federal-reserve"]);
    for (const item of items) {
      expect(item.regionalFallback).toBe(true);
      expect(item.why).toMatch(/^В Республике Саха \(Якутия\) нет своей линии/);
    }
  });
  it("treats a region whose seed line was withdrawn as a region without a line", () => {
    expect(ids({ topic: "information", region: "Дагестан", at: WEEKDAY })).toEqual(["federal-main", "federal-reserve"]);
    expect(ids({ topic: "information", region: "Новосибирская область", at: WEEKDAY })).toEqual([
      "federal-main",
      "federal-reserve",
    ]);
  });
  it("serves Moscow and the Moscow region from the Moscow centre", () => {
    expect(ids({ topic: "information", region: "Москва", at: WEEKDAY })[0]).toBe("moscow-centre");
    expect(ids({ topic: "information", region: "Подмосковье", at: WEEKDAY })[0]).toBe("moscow-centre");
  });
  it("without a region offers no regional line", () => {
    expect(ids({ topic: "information", at: WEEKDAY })).toEqual(["federal-main", "federal-reserve"]);
  });
});

describe("calls from abroad", () => {
  it("offers only lines reachable from abroad, never 8‑800, with the dialling instruction", () => {
    const items = ask({ topic: "access", abroad: true, at: WEEKDAY });
    expect(items.map((i) => i.id)).toEqual(["intl-main", "intl-reserve"]);
    for (const item of items) {
      expect(item.e164.startsWith("+7800")).toBe(false);
      expect(item.dial).toMatch(/^00 7 495 .* 011 7 495/);
      expect(item.why).toContain("011");
    }
  });
  it("never offers an 8‑800 number abroad, even if the data marks it reachable", () => {
    const bad = lines.map((l) => (l.id === "federal-main" ? { ...l, abroad: true } : l));
    const items = recommend(bad, calendar, regions, { topic: "access", abroad: true, at: WEEKDAY });
    expect(items.map((i) => i.id)).not.toContain("federal-main");
  });
  it("keeps the international lines out of domestic answers", () => {
    expect(ids({ topic: "access", at: WEEKDAY })).not.toContain("intl-main");
  });
});

describe("overload", () => {
  it("puts the reserve before its overloaded main line", () => {
    expect(ids({ topic: "information", at: WEEKDAY }, { overloaded: new Set(["federal-main"]) })).toEqual([
      "federal-reserve",
      "federal-main",
    ]);
    const items = ask({ topic: "information", abroad: true, at: WEEKDAY }, { overloaded: new Set(["intl-main"]) });
    expect(items.map((i) => i.id)).toEqual(["intl-reserve", "intl-main"]);
    expect(items[0]?.why).toMatch(/перегружена — сначала звоните/);
    expect(items[1]?.overloaded).toBe(true);
  });
});

describe("what, as whom, and when", () => {
  it("offers the topical line and tells when a closed line opens", () => {
    // Saturday 7 March 2026: the urgent hotline works on working days only; next is Tuesday 10 March (9th is off).
    const items = ask({ topic: "application_status", at: "2026-03-07T12:00:00+03:00" });
    expect(items.map((i) => i.id)).toEqual(["federal-main", "federal-reserve", "urgent-hotline"]);
    const hotline = items[2]!;
    expect(hotline).toMatchObject({ open: false, opensAt: "2026-03-10T09:00:00.000+03:00", closesAt: null });
    expect(hotline.why).toMatch(/откроется 10\.03 09:00 мск/);
  });
  it("ranks the topical line above the general one while both are open", () => {
    const items = ask({ topic: "application_status", at: WEEKDAY });
    expect(items.map((i) => i.id)).toEqual(["urgent-hotline", "federal-main", "federal-reserve"]);
    expect(items[0]).toMatchObject({ open: true, closesAt: "2026-03-03T18:00:00.000+03:00" });
  });
  it("shows opening times in the caller's local time too", () => {
    const hotline = ask({
      topic: "application_status",
      region: "Камчатка",
      at: "2026-03-07T12:00:00+03:00",
    }).find((i) => i.id === "urgent-hotline")!;
    expect(hotline.local).toEqual({
      timezone: "Asia/Kamchatka",
      opensAt: "2026-03-10T18:00:00.000+12:00",
      closesAt: null,
    });
    expect(hotline.why).toMatch(/по вашему времени 18:00/);
  });
  it("gives each audience its own lines", () => {
    expect(ids({ topic: "business", audience: "legal_entity", at: WEEKDAY })).toEqual([
      "legal-entities",
      "federal-main",
      "federal-reserve",
    ]);
    expect(ids({ topic: "technical", audience: "entrepreneur", at: WEEKDAY })).toEqual([
      "entrepreneur-forms",
      "federal-main",
      "federal-reserve",
    ]);
    expect(ids({ topic: "business", at: WEEKDAY })).not.toContain("legal-entities");
  });
  it("puts a line with unknown hours after the lines whose hours are known", () => {
    const items = ask({ topic: "documents", at: WEEKDAY });
    expect(items.at(-1)).toMatchObject({ id: "documents-line", open: null, opensAt: null, closesAt: null });
    expect(items.at(-1)?.why).toMatch(/часы работы не указаны/);
  });
  it("takes «now» from the options when the query has no time", () => {
    const now = new Date("2026-03-07T09:00:00Z");
    expect(ask({ topic: "application_status" }, { now })).toEqual(
      ask({ topic: "application_status", at: now.toISOString() }),
    );
  });
});

describe("the answer", () => {
  it("matches its published JSON schema", () => {
    for (const query of [
      { topic: "access", region: "Якутия", at: WEEKDAY },
      { topic: "access", abroad: true, at: WEEKDAY },
      { topic: "documents", at: "2026-01-01T00:00:00Z" },
    ])
      expect(Value.Check(RecommendAnswerSchema, ask(query))).toBe(true);
  });
  it("is the same for the same question (no hidden state)", () => {
    const q = { topic: "application_status", region: "Амурская область", at: WEEKDAY };
    expect(JSON.stringify(ask(q))).toBe(JSON.stringify(ask(q)));
  });
  it.each([
    [{ topic: "weather" }, "topic_unknown"],
    [{ topic: "access", audience: "robot" }, "audience_unknown"],
    [{ topic: "access", region: "Атлантида" }, "region_unknown"],
    [{ topic: "access", at: "вчера" }, "at_invalid"],
  ])("rejects %o with %s", (query, code) => {
    expect(() => ask(query)).toThrow(DirectoryQueryError);
    try {
      ask(query);
    } catch (err) {
      expect((err as DirectoryQueryError).code).toBe(code);
    }
  });
});

describe("the moment asked about", () => {
  const codeOf = (at: string | Date) => {
    try {
      ask({ topic: "access", at });
      return "ok";
    } catch (err) {
      return err instanceof DirectoryQueryError ? err.code : `threw ${(err as Error).name}`;
    }
  };
  it.each([
    "+275760-09-13T00:00:00.000Z", // the last instant a Date holds: the zone arithmetic failed on it (500)
    "+275760-09-14T00:00:00.000Z",
    "-271821-04-20T00:00:00.000Z",
    "0000-01-01T00:00:00Z",
    "-000001-01-01T00:00:00Z",
    "+010000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "1970-01-01T00:00:00Z",
    "1999-12-31T23:59:59.999Z",
    "2101-01-01T00:00:00.000Z",
    "2100-12-31T23:59:59.999-00:01",
  ])("refuses %s outside 2000–2100 with at_invalid", (at) => {
    expect(codeOf(at)).toBe("at_invalid");
  });
  it("refuses a Date outside the years as well, and an invalid one", () => {
    expect(codeOf(new Date(8.64e15))).toBe("at_invalid");
    expect(codeOf(new Date(Number.NaN))).toBe("at_invalid");
    expect(codeOf(new Date("1999-06-01T00:00:00Z"))).toBe("at_invalid");
  });
  it.each([
    "2000-01-01T00:00:00.000Z",
    "2000-01-01T03:00:00+03:00",
    "2100-12-31T23:59:59.999Z",
    "2100-12-31T23:59:59.999+14:00",
  ])("answers for %s, at the edges of the years", (at) => {
    expect(codeOf(at)).toBe("ok");
    expect(ask({ topic: "information", region: "Якутия", at }).length).toBeGreaterThan(0);
  });
});

describe("refusals are whole Russian sentences", () => {
  const messageOf = (query: RecommendQuery) => {
    try {
      ask(query);
    } catch (err) {
      return (err as DirectoryQueryError).message;
    }
    throw new Error("not refused");
  };
  it.each<[RecommendQuery, string]>([
    [
      { topic: "zzz" },
      "Темы «zzz» в справочнике нет. Укажите одну из тем: access, contacts, application_status, documents, e_signature, technical, business, information, complaint.",
    ],
    [
      { topic: "access", audience: "zzz" },
      "Типа заявителя «zzz» в справочнике нет. Укажите один из типов: citizen, legal_entity, entrepreneur.",
    ],
    [
      { topic: "access", region: "';--" },
      "Регион «';--» не найден среди субъектов Российской Федерации. Укажите субъект, например «Воронежская область» или «Якутия».",
    ],
    [
      { topic: "access", at: "not-a-date" },
      "Время «not-a-date» не распознано. Укажите его в формате ISO 8601, например 2026-11-26T10:00:00+03:00.",
    ],
    [
      { topic: "access", at: "+275760-09-13T00:00:00.000Z" },
      "Время «+275760-09-13T00:00:00.000Z» вне пределов, на которые рассчитан справочник. Укажите время с 1 января 2000 года по 31 декабря 2100 года.",
    ],
  ])("%o", (query, message) => {
    expect(messageOf(query)).toBe(message);
  });
  it("quotes at most 60 characters of what was typed", () => {
    const message = messageOf({ topic: "x".repeat(5000) });
    expect(message).toContain(`«${"x".repeat(60)}…»`);
    expect(message.length).toBeLessThan(250);
    expect(message).toMatch(/^[А-ЯЁ].*\.$/su);
  });
});

describe("lines in different zones", () => {
  it("orders closed lines by the instant they open, not by the text of the time", () => {
    const office = (id: string, timezone: string): DirectoryLine => ({
      ...lines.find((l) => l.id === "urgent-hotline")!,
      id,
      title: id,
      timezone,
    });
    // At 08:30 Moscow time the Moscow line opens at 09:00 Moscow, the Kaliningrad one at 09:00 Kaliningrad (10:00
    // Moscow); as text «…09:00:00.000+02:00» sorts before «…09:00:00.000+03:00», the wrong way round.
    const mixed = [office("kaliningrad", "Europe/Kaliningrad"), office("moscow", "Europe/Moscow")];
    const items = recommend(mixed, calendar, regions, { topic: "application_status", at: "2026-03-03T08:30:00+03:00" });
    expect(items.map((i) => i.id)).toEqual(["moscow", "kaliningrad"]);
    expect(items.map((i) => i.opensAt)).toEqual(["2026-03-03T09:00:00.000+03:00", "2026-03-03T09:00:00.000+02:00"]);
  });
});

describe("local times", () => {
  it("are left out for a line that is open round the clock", () => {
    const items = ask({ topic: "access", region: "Калининградская обл.", at: WEEKDAY });
    const main = items.find((i) => i.id === "federal-main")!;
    expect(main.local).toBeUndefined();
  });
});
