import { IANAZone } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegions } from "./load.ts";
import { normaliseRegionName, type RegionIndex, regionIn, resolveRegion } from "./regions.ts";

let index: RegionIndex;
beforeAll(async () => {
  index = await loadRegions();
});

describe("the 89 federal subjects", () => {
  it("lists 89 distinct subjects with valid zones and three-digit ABC codes", () => {
    expect(index.regions).toHaveLength(89);
    expect(new Set(index.regions.map((r) => r.name)).size).toBe(89);
    for (const r of index.regions) {
      expect(IANAZone.isValidZone(r.timezone), r.name).toBe(true);
      for (const code of r.abc) expect(code, r.name).toMatch(/^[3-8]\d\d$/);
    }
  });
  it("counts the subjects of each federal district", () => {
    const count: Record<string, number> = {};
    for (const r of index.regions) count[r.district] = (count[r.district] ?? 0) + 1;
    expect(count).toEqual({
      central: 18,
      northwest: 11,
      south: 12,
      north_caucasus: 7,
      volga: 14,
      ural: 6,
      siberia: 10,
      far_east: 11,
    });
  });
  it("includes the subjects admitted in 2014 and 2022", () => {
    for (const name of [
      "Республика Крым",
      "Севастополь",
      "Донецкая Народная Республика",
      "Луганская Народная Республика",
      "Запорожская область",
      "Херсонская область",
    ])
      expect(resolveRegion(index, name)?.name).toBe(name);
  });
  it("spans Kaliningrad (UTC+2) to Kamchatka and Chukotka (UTC+12)", () => {
    expect(resolveRegion(index, "Калининградская область")?.timezone).toBe("Europe/Kaliningrad");
    expect(resolveRegion(index, "Камчатский край")?.timezone).toBe("Asia/Kamchatka");
    expect(resolveRegion(index, "Чукотка")?.timezone).toBe("Asia/Anadyr");
  });
});

describe("the names people type", () => {
  it.each([
    ["Воронежская обл.", "Воронежская область"],
    ["воронежская обл", "Воронежская область"],
    ["Москва", "Москва"],
    ["г. Москва", "Москва"],
    ["Московская обл.", "Московская область"],
    ["Дагестан", "Республика Дагестан"],
    ["Респ. Дагестан", "Республика Дагестан"],
    ["Якутия", "Республика Саха (Якутия)"],
    ["ЯКУТИЯ", "Республика Саха (Якутия)"],
    ["Республика Саха", "Республика Саха (Якутия)"],
    ["Алтайский кр.", "Алтайский край"],
    ["Республика Алтай", "Республика Алтай"],
    ["Северная Осетия - Алания", "Республика Северная Осетия — Алания"],
    ["Чувашия", "Чувашская Республика — Чувашия"],
    ["Удмуртская респ.", "Удмуртская Республика"],
    ["ХМАО", "Ханты-Мансийский автономный округ — Югра"],
    ["Ямало-Ненецкий АО", "Ямало-Ненецкий автономный округ"],
    ["Кемеровская область", "Кемеровская область — Кузбасс"],
    ["СПб", "Санкт-Петербург"],
    ["ДНР", "Донецкая Народная Республика"],
  ])("«%s» → %s", (typed, official) => {
    expect(resolveRegion(index, typed)?.name).toBe(official);
  });
  it("is insensitive to case, ё/е and dash style", () => {
    expect(normaliseRegionName("  Орёл  ОБЛ. ")).toBe("орел обл");
    expect(normaliseRegionName("Кабардино – Балкария")).toBe("кабардино-балкария");
    expect(resolveRegion(index, "КАБАРДИНО–БАЛКАРСКАЯ РЕСПУБЛИКА")?.name).toBe("Кабардино-Балкарская Республика");
  });
  it("does not guess at unknown names", () => {
    expect(resolveRegion(index, "Марс")).toBeUndefined();
    expect(resolveRegion(index, "обл")).toBeUndefined();
  });
});

describe("what people type and how a subject is named in a sentence", () => {
  it("finds a subject by its centre or a large city, never in place of a subject's own name", () => {
    const of = (text: string) => resolveRegion(index, text)?.name;
    expect(of("Воронеж")).toBe("Воронежская область");
    expect(of("г. Воронеж")).toBe("Воронежская область");
    expect(of("Питер")).toBe("Санкт-Петербург");
    expect(of("Екатеринбург")).toBe("Свердловская область");
    expect(of("нижний новгород")).toBe("Нижегородская область");
    expect(of("Орел")).toBe("Орловская область");
    expect(of("Казань")).toBe("Республика Татарстан");
    expect(of("Москва")).toBe("Москва");
    expect(of("Севастополь")).toBe("Севастополь");
    expect(of("Атлантида")).toBeUndefined();
    // Every subject has a centre people can type, but the three federal cities (their own name is the city).
    const without = index.regions.filter((r) => (r.cities ?? []).length === 0).map((r) => r.name);
    expect(without.sort()).toEqual(["Москва", "Санкт-Петербург", "Севастополь"]);
  });

  it("says where, in the locative, for every subject", () => {
    expect(regionIn("Санкт-Петербург")).toBe("в Санкт-Петербурге");
    expect(regionIn("Москва")).toBe("в Москве");
    expect(regionIn("Воронежская область")).toBe("в Воронежской области");
    expect(regionIn("Владимирская область")).toBe("во Владимирской области");
    expect(regionIn("Вологодская область")).toBe("в Вологодской области");
    expect(regionIn("Пермский край")).toBe("в Пермском крае");
    expect(regionIn("Республика Саха (Якутия)")).toBe("в Республике Саха (Якутия)");
    expect(regionIn("Республика Северная Осетия — Алания")).toBe("в Республике Северная Осетия — Алания");
    expect(regionIn("Чувашская Республика — Чувашия")).toBe("в Чувашской Республике — Чувашии");
    expect(regionIn("Донецкая Народная Республика")).toBe("в Донецкой Народной Республике");
    expect(regionIn("Кемеровская область — Кузбасс")).toBe("в Кемеровской области — Кузбассе");
    expect(regionIn("Ханты-Мансийский автономный округ — Югра")).toBe("в Ханты-Мансийском автономном округе — Югре");
    expect(regionIn("Еврейская автономная область")).toBe("в Еврейской автономной области");
    for (const r of index.regions) {
      const said = regionIn(r.name);
      expect(said, r.name).toMatch(/^во? /);
      // Every name changes (none is left in the nominative), and only in its endings.
      expect(said.slice(said.indexOf(" ") + 1), r.name).not.toBe(r.name);
      // After «Республика» the name keeps its case («в Республике Марий Эл»).
      if (!r.name.startsWith("Республика ")) expect(said, r.name).not.toMatch(/(ая|ий|ый|ласть|край|округ)( |$)/);
    }
  });
});
