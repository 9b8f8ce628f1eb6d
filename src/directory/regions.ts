// Federal subjects and the names people type for them: «Воронежская обл.», «Москва», «Дагестан», «Якутия».
import { DISTRICTS, type District, type Region } from "./types.ts";

/** Lower case, ё→е, one kind of dash, no dots or quotes, single spaces. */
export function normaliseRegionName(text: string): string {
  return text
    .toLowerCase()
    .replaceAll("ё", "е")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[.,«»"()]/g, " ")
    .replace(/\s*-\s*/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}

// Forms derived from an official name, so regions.yaml lists only the irregular ones.
function derivedForms(name: string): string[] {
  const forms = [name];
  const base = name.split(" — ")[0]!;
  forms.push(base);
  const oblast = /^(.+) область$/.exec(base);
  if (oblast) forms.push(`${oblast[1]} обл`, `${oblast[1]}`);
  const krai = /^(.+) край$/.exec(base);
  if (krai) forms.push(`${krai[1]} кр`);
  const rep = /^Республика (.+)$/.exec(base);
  if (rep) forms.push(rep[1]!, `респ ${rep[1]}`);
  const repAfter = /^(.+) Республика$/.exec(base);
  if (repAfter) forms.push(`${repAfter[1]} респ`);
  const okrug = /^(.+) автономный округ$/.exec(base);
  if (okrug) forms.push(`${okrug[1]} ао`);
  return forms;
}

export interface RegionIndex {
  regions: Region[];
  byName: ReadonlyMap<string, Region>;
}

export function indexRegions(regions: Region[]): RegionIndex {
  const byName = new Map<string, Region>();
  // Official names first so that a short form never shadows another subject's official name.
  for (const r of regions) byName.set(normaliseRegionName(r.name), r);
  for (const r of regions)
    for (const form of [...derivedForms(r.name), ...r.short]) {
      const key = normaliseRegionName(form);
      if (!byName.has(key)) byName.set(key, r);
    }
  // Cities last: a subject's name or short form is never taken by a city of the same spelling.
  for (const r of regions)
    for (const city of r.cities ?? []) {
      const key = normaliseRegionName(city);
      if (!byName.has(key)) byName.set(key, r);
    }
  return { regions, byName };
}

// The locative of the nouns in subjects' names that are not adjectives, nor «область», «край», «округ».
const NOUNS_IN: Record<string, string> = {
  Москва: "Москве",
  "Санкт-Петербург": "Санкт-Петербурге",
  Севастополь: "Севастополе",
  Кузбасс: "Кузбассе",
  Югра: "Югре",
  Чувашия: "Чувашии",
  Республика: "Республике",
  область: "области",
  край: "крае",
  округ: "округе",
};

function wordIn(word: string): string {
  const noun = NOUNS_IN[word];
  if (noun) return noun;
  if (/ая$/.test(word)) return word.replace(/ая$/, "ой"); // Воронежская → Воронежской
  if (/[иы]й$/.test(word)) return word.replace(/[иы]й$/, "ом"); // Пермский → Пермском, автономный → автономном
  return word;
}

/**
 * «в Санкт-Петербурге», «во Владимирской области», «в Республике Саха (Якутия)», «в Ханты-Мансийском автономном
 * округе — Югре»: where, said of a subject by its official name. After «Республика» the name keeps its case.
 */
export function regionIn(name: string): string {
  const said = name
    .split(" — ")
    .map((part) => {
      const rep = /^Республика (.+)$/.exec(part);
      return rep ? `Республике ${rep[1]}` : part.split(" ").map(wordIn).join(" ");
    })
    .join(" — ");
  return `${/^[ВвФф][^аеёиоуыэюя]/i.test(said) ? "во" : "в"} ${said}`;
}

export function resolveRegion(index: RegionIndex, text: string): Region | undefined {
  const key = normaliseRegionName(text);
  const direct = index.byName.get(key);
  if (direct) return direct;
  // «г. Москва», «город Севастополь»
  const city = /^(?:г|город) (.+)$/.exec(key);
  return city ? index.byName.get(city[1]!) : undefined;
}

/** Validates regions.yaml content; throws with a Russian message naming the entry. */
export function parseRegions(data: unknown): Region[] {
  const list = (data as { regions?: unknown } | null)?.regions;
  if (!Array.isArray(list)) throw new Error("В файле regions.yaml нет списка regions.");
  return list.map((raw, i): Region => {
    const r = raw as Record<string, unknown>;
    const where = `Субъект regions[${i}] в regions.yaml`;
    if (typeof r.name !== "string" || !r.name) throw new Error(`${where}: не указано название (name).`);
    if (!DISTRICTS.includes(r.district as District))
      throw new Error(`${where} («${r.name}»): неизвестный федеральный округ «${String(r.district)}».`);
    if (typeof r.timezone !== "string") throw new Error(`${where} («${r.name}»): не указан часовой пояс (timezone).`);
    const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    return {
      name: r.name,
      short: strings(r.short),
      cities: strings(r.cities),
      district: r.district as District,
      timezone: r.timezone,
      abc: strings(r.abc),
    };
  });
}

export interface ServedArea {
  /** Official names of the subjects served. */
  names: Set<string>;
  unknownRegions: string[];
  unknownDistricts: string[];
}

/** The subjects a line serves; undefined for a line with neither regions nor districts (the whole country). */
export function servedArea(index: RegionIndex, regions: string[], districts: string[]): ServedArea | undefined {
  if (regions.length === 0 && districts.length === 0) return undefined;
  const area: ServedArea = { names: new Set(), unknownRegions: [], unknownDistricts: [] };
  for (const name of regions) {
    const r = resolveRegion(index, name);
    if (r) area.names.add(r.name);
    else area.unknownRegions.push(name);
  }
  for (const d of districts) {
    if (!DISTRICTS.includes(d as District)) area.unknownDistricts.push(d);
    for (const r of index.regions) if (r.district === d) area.names.add(r.name);
  }
  return area;
}
