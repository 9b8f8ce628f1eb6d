import { IANAZone } from "luxon";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegions } from "./load.ts";
import { normaliseRegionName, type RegionIndex, resolveRegion } from "./regions.ts";

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
