// A directory entry (the YAML form) as the editor's fields, and back.
import type { Entry } from "./types.ts";

export const KINDS = [
  ["federal", "федеральная"],
  ["international", "из-за рубежа"],
  ["regional", "региональная"],
  ["business", "для юрлиц"],
  ["entrepreneur", "для ИП"],
  ["topical", "тематическая"],
] as const;
export const ROLES = [
  ["main", "основная"],
  ["reserve", "резервная"],
  ["overflow", "при перегрузке"],
] as const;
export const AUDIENCES = [
  ["citizen", "граждане"],
  ["legal_entity", "юрлица"],
  ["entrepreneur", "ИП"],
] as const;
export const TOPICS = [
  ["access", "вход и доступ"],
  ["contacts", "телефон и почта"],
  ["application_status", "статус заявлений"],
  ["documents", "заявления и документы"],
  ["e_signature", "электронная подпись"],
  ["technical", "технические неполадки"],
  ["business", "организации и ИП"],
  ["information", "справки"],
  ["complaint", "жалобы"],
] as const;
export const DISTRICTS = [
  ["central", "Центральный"],
  ["northwest", "Северо-Западный"],
  ["south", "Южный"],
  ["north_caucasus", "Северо-Кавказский"],
  ["volga", "Приволжский"],
  ["ural", "Уральский"],
  ["siberia", "Сибирский"],
  ["far_east", "Дальневосточный"],
] as const;

export type Period = { days: string; custom: string; from: string; to: string };

export type LineForm = {
  id: string;
  number: string;
  written: string;
  e164: string;
  title: string;
  purpose: string;
  kind: string;
  role: string;
  backs: string;
  audience: string[];
  topics: string[];
  regions: string;
  districts: string[];
  timezone: string;
  scheduleMode: "always" | "unknown" | "periods";
  periods: Period[];
  cost: string;
  languages: string;
  abroad: boolean;
  published: boolean;
  unpublishedReason: string;
  sameAs: string;
  notes: string;
  section: string;
  comment: string;
};

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const list = (v: unknown, all: readonly (readonly [string, string])[]) =>
  v === "all" ? all.map(([c]) => c) : Array.isArray(v) ? v.map(String) : v ? [String(v)] : [];

export function emptyForm(section: string): LineForm {
  return {
    id: "",
    number: "",
    written: "",
    e164: "",
    title: "",
    purpose: "",
    kind: "regional",
    role: "main",
    backs: "",
    audience: AUDIENCES.map(([c]) => c),
    topics: TOPICS.map(([c]) => c),
    regions: "",
    districts: [],
    timezone: "Europe/Moscow",
    scheduleMode: "always",
    periods: [{ days: "working", custom: "", from: "09:00", to: "18:00" }],
    cost: "tariff",
    languages: "ru",
    abroad: false,
    published: true,
    unpublishedReason: "",
    sameAs: "",
    notes: "",
    section,
    comment: "",
  };
}

export function toForm(entry: Entry, section: string, comment: string | null): LineForm {
  const schedule = entry.schedule;
  const periods: Period[] = Array.isArray(schedule)
    ? schedule.map((p: Record<string, unknown>) => ({
        days: Array.isArray(p.days) ? "custom" : str(p.days),
        custom: Array.isArray(p.days) ? p.days.join(", ") : "",
        from: str(p.from),
        to: str(p.to),
      }))
    : [];
  return {
    id: str(entry.id),
    number: str(entry.number),
    written: str(entry.written),
    e164: str(entry.e164),
    title: str(entry.title),
    purpose: str(entry.purpose),
    kind: str(entry.kind),
    role: str(entry.role),
    backs: str(entry.backs),
    audience: list(entry.audience, AUDIENCES),
    topics: list(entry.topics, TOPICS),
    regions: [...list(entry.region, []), ...list(entry.regions, [])].join("; "),
    districts: list(entry.districts, []),
    timezone: str(entry.timezone),
    scheduleMode: Array.isArray(schedule) ? "periods" : schedule === "unknown" ? "unknown" : "always",
    periods: periods.length ? periods : [{ days: "working", custom: "", from: "09:00", to: "18:00" }],
    cost: str(entry.cost),
    languages: list(entry.languages, []).join(", "),
    abroad: entry.abroad === true,
    published: entry.published !== false,
    unpublishedReason: str(entry.unpublishedReason),
    sameAs: str(entry.sameAs),
    notes: str(entry.notes),
    section,
    comment: comment ?? "",
  };
}

const split = (text: string, sep: RegExp) =>
  text
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean);

export function toEntry(f: LineForm): Entry {
  const e: Entry = { id: f.id.trim(), number: f.number.trim() };
  if (f.written.trim()) e.written = f.written.trim();
  Object.assign(e, {
    e164: f.e164.trim(),
    title: f.title.trim(),
    purpose: f.purpose.trim(),
    kind: f.kind,
    role: f.role,
  });
  if (f.backs.trim()) e.backs = f.backs.trim();
  e.audience = f.audience.length === AUDIENCES.length ? "all" : f.audience;
  e.topics = f.topics.length === TOPICS.length ? "all" : f.topics;
  const regions = split(f.regions, /[;\n]/);
  if (regions.length === 1) e.region = regions[0];
  else if (regions.length > 1) e.regions = regions;
  if (f.districts.length) e.districts = f.districts;
  e.timezone = f.timezone.trim();
  e.schedule =
    f.scheduleMode === "periods"
      ? f.periods.map((p) => ({
          days: p.days === "custom" ? split(p.custom, /[,\s]+/) : p.days,
          from: p.from,
          to: p.to,
        }))
      : f.scheduleMode;
  e.cost = f.cost;
  e.languages = split(f.languages, /[,\s]+/);
  if (f.abroad) e.abroad = true;
  if (!f.published) e.published = false;
  if (f.unpublishedReason.trim()) e.unpublishedReason = f.unpublishedReason.trim();
  if (f.sameAs.trim()) e.sameAs = f.sameAs.trim();
  if (f.notes.trim()) e.notes = f.notes.trim();
  return e;
}

/** The schedule in a few words for the table. */
export function scheduleWords(entry: Entry): string {
  const s = entry.schedule;
  if (s === "always" || s === "24/7") return "круглосуточно";
  if (s === "unknown") return "часы не указаны";
  if (!Array.isArray(s)) return "—";
  const days: Record<string, string> = { all: "ежедневно", working: "рабочие дни", nonworking: "выходные" };
  return s
    .map((p: Record<string, unknown>) => {
      const d = Array.isArray(p.days) ? p.days.join(", ") : (days[String(p.days)] ?? String(p.days));
      return `${d} ${String(p.from)}–${String(p.to)}`;
    })
    .join("; ");
}
