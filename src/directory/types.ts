// The directory's vocabulary. Codes are stable: they travel through the CLI, the HTTP API and stored data.
import {
  AUDIENCE_CODES,
  type Audience as AudienceCode,
  CATEGORY_CODES,
  type CategoryCode,
} from "../requests/categories.ts";

// Topics are the request categories and audiences the registry's: one list for the whole product.
export const TOPICS = CATEGORY_CODES;
export type Topic = CategoryCode;
export const AUDIENCES = AUDIENCE_CODES;
export type Audience = AudienceCode;

export const KINDS = ["federal", "international", "regional", "business", "entrepreneur", "topical"] as const;
export type LineKind = (typeof KINDS)[number];

export const ROLES = ["main", "reserve", "overflow"] as const;
export type LineRole = (typeof ROLES)[number];

export const COSTS = ["free", "tariff"] as const;
export type LineCost = (typeof COSTS)[number];

export const DISTRICTS = [
  "central",
  "northwest",
  "south",
  "north_caucasus",
  "volga",
  "ural",
  "siberia",
  "far_east",
] as const;
export type District = (typeof DISTRICTS)[number];

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

// «working» and «nonworking» follow the production calendar; a weekday list ignores it.
export type DayRule = "all" | "working" | "nonworking" | Weekday[];

/** One opening period of a day, in minutes from local midnight: [from, to). `to` may be 1440 (24:00). */
export interface Period {
  days: DayRule;
  from: number;
  to: number;
}

export type Schedule = { kind: "always" } | { kind: "unknown" } | { kind: "periods"; periods: Period[] };

export interface DirectoryLine {
  id: string;
  /** The number as people write it (and as the published source shows it). */
  number: string;
  /** The seed's spelling when `number` had to be tidied (same digits). */
  written?: string;
  e164: string;
  title: string;
  purpose: string;
  kind: LineKind;
  role: LineRole;
  /** For a reserve or overflow line: the id of the line it backs up. */
  backs?: string;
  audience: Audience[];
  topics: Topic[];
  /** Official names of the federal subjects the line serves; empty with no districts = the whole country. */
  regions: string[];
  districts: District[];
  timezone: string;
  schedule: Schedule;
  cost: LineCost;
  languages: string[];
  /** Whether the line is offered to callers outside Russia. */
  abroad: boolean;
  published: boolean;
  unpublishedReason?: string;
  /** An intentional second listing of another line's number (silences the duplicate warning). */
  sameAs?: string;
  notes?: string;
}

export interface Region {
  name: string;
  short: string[];
  /** The subject's centre and large cities: «Воронеж» finds Воронежская область. */
  cities?: string[];
  district: District;
  timezone: string;
  abc: string[];
}

export type Severity = "error" | "warning";

export interface Problem {
  severity: Severity;
  code: string;
  /** 1-based line of the file, when known. */
  line?: number;
  /** The directory entry (its id) the problem concerns. */
  entry?: string;
  field?: string;
  message: string;
}
