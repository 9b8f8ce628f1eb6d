// «Which number do I call, now, from where, about what, as whom.» Pure: the data and the moment are arguments,
// so the CLI and the HTTP route give the same list for the same question.
import { DateTime } from "luxon";
import type { ProductionCalendar } from "./calendar.ts";
import { dialFromAbroad } from "./phone.ts";
import { type RegionIndex, regionIn, resolveRegion, servedArea } from "./regions.ts";
import { describeSchedule, openState } from "./schedule.ts";
import type { RecommendItem } from "./schema.ts";
import { AUDIENCES, type Audience, type DirectoryLine, type Region, TOPICS, type Topic } from "./types.ts";

export interface RecommendQuery {
  topic: string;
  audience?: string;
  /** Any form people type: «Воронежская обл.», «Якутия», «г. Москва». */
  region?: string;
  abroad?: boolean;
  /** ISO instant; defaults to options.now. */
  at?: string | Date;
}

export interface RecommendOptions {
  /** Ids of lines whose queue is overloaded now: their reserves go first. */
  overloaded?: ReadonlySet<string>;
  /** «Now» when the query has no `at` (the caller's clock; a fresh Date if absent). */
  now?: Date;
}

export class DirectoryQueryError extends Error {
  constructor(
    readonly code: "topic_unknown" | "audience_unknown" | "region_unknown" | "at_invalid",
    message: string,
  ) {
    super(message);
  }
}

const TOPIC_WORDS: Record<Topic, string> = {
  access: "вход и доступ",
  contacts: "смена телефона и почты",
  application_status: "статус заявлений",
  documents: "заявления и документы",
  e_signature: "электронная подпись",
  technical: "технические неполадки",
  business: "организации и предприниматели",
  information: "справочная информация",
  complaint: "жалобы и отзывы",
};
const AUDIENCE_WORDS: Record<Audience, string> = {
  citizen: "для граждан",
  legal_entity: "для юридических лиц",
  entrepreneur: "для индивидуальных предпринимателей",
};

interface Candidate {
  line: DirectoryLine;
  state: ReturnType<typeof openState>;
  rank: number;
  regional: boolean;
}

export function recommend(
  directory: readonly DirectoryLine[],
  calendar: ProductionCalendar,
  regions: RegionIndex,
  query: RecommendQuery,
  options: RecommendOptions = {},
): RecommendItem[] {
  const topic = query.topic as Topic;
  if (!TOPICS.includes(topic))
    throw new DirectoryQueryError(
      "topic_unknown",
      `Темы ${quoted(query.topic)} в справочнике нет. Укажите одну из тем: ${TOPICS.join(", ")}.`,
    );
  const audience = (query.audience ?? "citizen") as Audience;
  if (!AUDIENCES.includes(audience))
    throw new DirectoryQueryError(
      "audience_unknown",
      `Типа заявителя ${quoted(query.audience ?? "")} в справочнике нет. Укажите один из типов: ${AUDIENCES.join(", ")}.`,
    );
  const region = query.region ? resolveRegion(regions, query.region) : undefined;
  if (query.region && !region)
    throw new DirectoryQueryError(
      "region_unknown",
      `Регион ${quoted(query.region)} не найден среди субъектов Российской Федерации. Укажите субъект, например «Воронежская область» или «Якутия».`,
    );
  const at = parseAt(query.at ?? options.now ?? new Date());
  const overloaded = options.overloaded ?? new Set<string>();
  const abroad = query.abroad === true;

  const candidates: Candidate[] = [];
  for (const line of directory) {
    if (!line.published || !line.topics.includes(topic) || !line.audience.includes(audience)) continue;
    // 8‑800 numbers do not ring from abroad whatever the data says.
    if (abroad && (!line.abroad || line.e164.startsWith("+7800"))) continue;
    if (!abroad && line.kind === "international") continue;
    const area = servedArea(regions, line.regions, line.districts)?.names;
    if (area && !(region && area.has(region.name))) continue;
    candidates.push({
      line,
      state: openState(line, calendar, at),
      rank: baseRank(line, area !== undefined),
      regional: !!area,
    });
  }

  const byId = new Map(candidates.map((c) => [c.line.id, c]));
  for (const c of candidates) {
    const main = c.line.backs ? byId.get(c.line.backs) : undefined;
    if (main) c.rank = main.rank + (overloaded.has(main.line.id) ? -0.5 : 0.5);
    if (overloaded.has(c.line.id)) c.rank += 0.25;
  }
  const stateOrder = (c: Candidate) => (c.state.open === true ? 0 : c.state.open === false ? 1 : 2);
  candidates.sort(
    (a, b) =>
      stateOrder(a) - stateOrder(b) ||
      (a.state.open === false ? opensAtMillis(a) - opensAtMillis(b) : 0) ||
      a.rank - b.rank ||
      a.line.title.localeCompare(b.line.title, "ru"),
  );

  const hasOwnLine = candidates.some((c) => c.regional);
  return candidates.map((c) => toItem(c, { at, topic, audience, region, abroad, hasOwnLine, overloaded, byId }));
}

// Lines in different zones: compare instants, not ISO strings. A line that never opens goes last.
function opensAtMillis(c: Candidate): number {
  return c.state.opensAt ? Date.parse(c.state.opensAt) : Number.POSITIVE_INFINITY;
}

/**
 * The moments the directory answers for: the years the production calendar can hold (2000–2100, as its admin
 * route), in UTC. Beyond them the answer would rest on no calendar at all, and far beyond them the date arithmetic
 * itself fails.
 */
export const AT_RANGE = { from: new Date("2000-01-01T00:00:00.000Z"), until: new Date("2101-01-01T00:00:00.000Z") };

/** `at` of a question (ISO 8601 text, or a Date) as an instant within AT_RANGE; else `at_invalid`. */
export function parseAt(at: string | Date): Date {
  const dt = typeof at === "string" ? DateTime.fromISO(at, { setZone: true }) : DateTime.fromJSDate(at);
  if (!dt.isValid)
    throw new DirectoryQueryError(
      "at_invalid",
      `Время ${quoted(String(at))} не распознано. Укажите его в формате ISO 8601, например 2026-11-26T10:00:00+03:00.`,
    );
  const instant = dt.toJSDate();
  if (!(instant >= AT_RANGE.from && instant < AT_RANGE.until))
    throw new DirectoryQueryError(
      "at_invalid",
      `Время ${quoted(typeof at === "string" ? at : (dt.toISO() ?? ""))} вне пределов, на которые рассчитан справочник. Укажите время с 1 января 2000 года по 31 декабря 2100 года.`,
    );
  return instant;
}

/** A value people typed, in quotes and cut short: a message quotes it, it does not repeat a whole request. */
function quoted(value: string): string {
  const chars = [...value];
  return `«${chars.length > 60 ? `${chars.slice(0, 60).join("")}…` : value}»`;
}

// Lower is better: the caller's own region, then a line made for the topic or the audience, then the general one.
function baseRank(line: DirectoryLine, regional: boolean): number {
  if (regional) return 0;
  const special = line.topics.length < TOPICS.length || line.audience.length < AUDIENCES.length;
  return special ? 1 : 2;
}

interface Context {
  at: Date;
  topic: Topic;
  audience: Audience;
  region?: Region;
  abroad: boolean;
  hasOwnLine: boolean;
  overloaded: ReadonlySet<string>;
  byId: Map<string, Candidate>;
}

function toItem(c: Candidate, ctx: Context): RecommendItem {
  const { line, state } = c;
  const fallback = !!ctx.region && !ctx.hasOwnLine;
  const item: RecommendItem = {
    id: line.id,
    number: line.number,
    e164: line.e164,
    title: line.title,
    purpose: line.purpose,
    kind: line.kind,
    role: line.role,
    open: state.open,
    opensAt: state.opensAt,
    closesAt: state.closesAt,
    hours: describeSchedule(line, ctx.at),
    timezone: line.timezone,
    cost: line.cost,
    overloaded: ctx.overloaded.has(line.id),
    regionalFallback: fallback,
    why: "",
  };
  // Local times only when there is a time to show (not for a line that never closes).
  if (ctx.region && ctx.region.timezone !== line.timezone && (state.opensAt || state.closesAt))
    item.local = {
      timezone: ctx.region.timezone,
      opensAt: shift(state.opensAt, ctx.region.timezone),
      closesAt: shift(state.closesAt, ctx.region.timezone),
    };
  if (ctx.abroad) item.dial = dialFromAbroad(line.e164);
  if (line.notes) item.notes = line.notes;
  item.why = explain(c, ctx, item, fallback);
  return item;
}

function shift(iso: string | null, zone: string): string | null {
  return iso ? DateTime.fromISO(iso, { setZone: true }).setZone(zone).toISO() : null;
}

function explain(c: Candidate, ctx: Context, item: RecommendItem, fallback: boolean): string {
  const { line, state } = c;
  const parts: string[] = [];
  if (c.regional && ctx.region) parts.push(`региональная линия: ${ctx.region.name}`);
  else if (fallback && ctx.region) parts.push(`${regionIn(ctx.region.name)} нет своей линии — федеральная линия`);
  if (line.role !== "main") {
    const main = line.backs ? ctx.byId.get(line.backs) : undefined;
    if (main && ctx.overloaded.has(main.line.id))
      parts.push(`основная линия ${main.line.number} перегружена — сначала звоните на этот резервный номер`);
    else parts.push(main ? `резервный номер линии ${main.line.number}` : "резервный номер");
  } else if (!c.regional) {
    if (line.topics.length < TOPICS.length) parts.push(`отдельная линия по теме «${TOPIC_WORDS[ctx.topic]}»`);
    else if (line.audience.length < AUDIENCES.length) parts.push(`линия ${AUDIENCE_WORDS[ctx.audience]}`);
    else parts.push(ctx.abroad ? "основной номер для звонков из-за рубежа" : "единый номер, отвечает на любые вопросы");
  }
  if (item.overloaded) parts.push("очередь сейчас перегружена");
  parts.push(openWords(state, line.timezone, item));
  parts.push(line.cost === "free" ? "звонок бесплатный" : "звонок по тарифу оператора");
  if (ctx.abroad) parts.push(`наберите ${item.dial}`);
  return `${capitalise(parts.join("; "))}.`;
}

function openWords(state: Candidate["state"], zone: string, item: RecommendItem): string {
  if (state.open === null) return "часы работы не указаны — линия может не ответить";
  const tz = zone === "Europe/Moscow" ? "мск" : zone;
  const local = (iso: string | null | undefined) =>
    iso && item.local ? `, по вашему времени ${DateTime.fromISO(iso, { setZone: true }).toFormat("HH:mm")}` : "";
  if (state.open && !state.closesAt) return "открыта сейчас, круглосуточно";
  if (state.open) return `открыта сейчас, до ${clock(state.closesAt!)} ${tz}${local(item.local?.closesAt)}`;
  if (!state.opensAt) return "закрыта, ближайшее открытие неизвестно";
  return `закрыта, откроется ${DateTime.fromISO(state.opensAt, { setZone: true }).toFormat("dd.MM HH:mm")} ${tz}${local(item.local?.opensAt)}`;
}

function clock(iso: string): string {
  return DateTime.fromISO(iso, { setZone: true }).toFormat("HH:mm");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
