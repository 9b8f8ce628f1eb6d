// Reads a directory YAML file into lines, remembering where each entry and field sits so that every problem
// can name its line. Lenient on purpose: a broken field is reported and the rest of the entry is still checked.
import { isMap, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import { parseTime } from "./schedule.ts";
import {
  AUDIENCES,
  type DayRule,
  type DirectoryLine,
  type Period,
  type Problem,
  type Schedule,
  TOPICS,
  WEEKDAYS,
  type Weekday,
} from "./types.ts";

export interface EntryPosition {
  line: number;
  fields: Record<string, number>;
}

export interface ParsedDirectory {
  lines: DirectoryLine[];
  /** positions[i] belongs to lines[i]. */
  positions: EntryPosition[];
  problems: Problem[];
}

const KNOWN_FIELDS = new Set([
  "id",
  "number",
  "written",
  "e164",
  "title",
  "purpose",
  "kind",
  "role",
  "backs",
  "audience",
  "topics",
  "region",
  "regions",
  "districts",
  "timezone",
  "schedule",
  "cost",
  "languages",
  "abroad",
  "published",
  "unpublishedReason",
  "sameAs",
  "notes",
]);
const REQUIRED = [
  "id",
  "number",
  "e164",
  "title",
  "kind",
  "role",
  "audience",
  "topics",
  "timezone",
  "schedule",
  "cost",
];

export function parseDirectoryText(text: string): ParsedDirectory {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const result: ParsedDirectory = { lines: [], positions: [], problems: [] };
  const lineOf = (node: Node | null | undefined) => (node?.range ? counter.linePos(node.range[0]).line : undefined);
  for (const err of doc.errors) {
    result.problems.push({
      severity: "error",
      code: "yaml_syntax",
      line: err.linePos?.[0].line,
      message: `файл не читается как YAML: ${err.message.split("\n")[0]}`,
    });
  }
  if (doc.errors.length) return result;
  const root = doc.contents;
  const seq = isMap(root) ? root.get("lines", true) : undefined;
  if (!isSeq(seq)) {
    result.problems.push({
      severity: "error",
      code: "field_missing",
      field: "lines",
      line: 1,
      message: "в файле нет списка lines",
    });
    return result;
  }
  for (const item of seq.items) {
    const line = lineOf(item as Node) ?? 1;
    if (!isMap(item)) {
      result.problems.push({
        severity: "error",
        code: "field_invalid",
        line,
        message: "элемент lines должен быть объектом",
      });
      continue;
    }
    const fields: Record<string, number> = {};
    for (const pair of (item as YAMLMap).items) {
      const key = String((pair.key as { value?: unknown })?.value ?? pair.key);
      fields[key] = lineOf(pair.key as Node) ?? line;
    }
    const raw = (item as YAMLMap).toJSON() as Record<string, unknown>;
    const position = { line, fields };
    const { value, problems } = toLine(raw, position);
    result.lines.push(value);
    result.positions.push(position);
    result.problems.push(...problems);
  }
  return result;
}

function toLine(raw: Record<string, unknown>, pos: EntryPosition): { value: DirectoryLine; problems: Problem[] } {
  const problems: Problem[] = [];
  const id = typeof raw.id === "string" || typeof raw.id === "number" ? String(raw.id) : "";
  const report = (severity: Problem["severity"], code: string, field: string, message: string) =>
    problems.push({
      severity,
      code,
      field,
      entry: id || undefined,
      line: pos.fields[field] ?? pos.line,
      message,
    });

  for (const field of REQUIRED)
    if (raw[field] === undefined || raw[field] === null || raw[field] === "")
      report("error", "field_missing", field, `не заполнено поле ${field}`);
  for (const key of Object.keys(raw))
    if (!KNOWN_FIELDS.has(key)) report("warning", "field_unknown", key, `неизвестное поле ${key} (опечатка?)`);

  const str = (field: string): string => {
    const v = raw[field];
    if (v === undefined || v === null) return "";
    if (typeof v === "string" || typeof v === "number") return String(v);
    report("error", "field_invalid", field, `поле ${field} должно быть строкой`);
    return "";
  };
  const list = (field: string, all?: readonly string[]): string[] => {
    const v = raw[field];
    if (v === undefined || v === null) return [];
    if (v === "all" && all) return [...all];
    if (typeof v === "string") return [v];
    if (Array.isArray(v)) return v.map(String);
    report("error", "field_invalid", field, `поле ${field} должно быть списком`);
    return [];
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v === "boolean") return v;
    report("error", "field_invalid", field, `поле ${field} должно быть true или false`);
    return fallback;
  };

  const scheduleResult = raw.schedule === undefined ? undefined : parseSchedule(raw.schedule);
  for (const p of scheduleResult?.problems ?? []) report("error", p.code, "schedule", p.message);

  const value: DirectoryLine = {
    id,
    number: str("number"),
    e164: str("e164"),
    title: str("title"),
    purpose: str("purpose"),
    kind: str("kind") as DirectoryLine["kind"],
    role: str("role") as DirectoryLine["role"],
    audience: list("audience", AUDIENCES) as DirectoryLine["audience"],
    topics: list("topics", TOPICS) as DirectoryLine["topics"],
    regions: [...list("region"), ...list("regions")],
    districts: list("districts") as DirectoryLine["districts"],
    timezone: str("timezone"),
    schedule: scheduleResult?.schedule ?? { kind: "unknown" },
    cost: str("cost") as DirectoryLine["cost"],
    languages: raw.languages === undefined ? ["ru"] : list("languages"),
    abroad: bool("abroad", false),
    published: bool("published", true),
  };
  const optional = ["written", "backs", "unpublishedReason", "sameAs", "notes"] as const;
  for (const field of optional) if (raw[field] !== undefined) value[field] = str(field);
  return { value, problems };
}

export interface ScheduleParse {
  schedule?: Schedule;
  problems: Array<{ code: string; message: string }>;
}

/** `always` (or `24/7`), `unknown`, or a list of `{days, from, to}`. */
export function parseSchedule(raw: unknown): ScheduleParse {
  if (raw === "always" || raw === "24/7") return { schedule: { kind: "always" }, problems: [] };
  if (raw === "unknown") return { schedule: { kind: "unknown" }, problems: [] };
  if (!Array.isArray(raw))
    return {
      problems: [
        {
          code: "schedule_invalid",
          message: "расписание: always, unknown или список периодов {days, from, to}",
        },
      ],
    };
  if (raw.length === 0)
    return { problems: [{ code: "schedule_empty_period", message: "в расписании нет ни одного периода" }] };
  const problems: ScheduleParse["problems"] = [];
  const periods: Period[] = [];
  raw.forEach((p, i) => {
    const where = `период ${i + 1}`;
    const rec = (p ?? {}) as Record<string, unknown>;
    const days = parseDays(rec.days);
    const from = parseTime(String(rec.from ?? ""));
    const to = parseTime(String(rec.to ?? ""));
    if (!days)
      problems.push({
        code: "schedule_invalid",
        message: `${where}: дни — all, working, nonworking или список mon…sun`,
      });
    if (from === undefined || to === undefined || from === 1440)
      problems.push({
        code: "schedule_invalid",
        message: `${where}: время в формате ЧЧ:ММ (от 00:00 до 24:00)`,
      });
    else if (to <= from)
      problems.push({
        code: "schedule_empty_period",
        message: `${where}: пустой период ${String(rec.from)}–${String(rec.to)} (конец не позже начала; ночную смену запишите двумя периодами)`,
      });
    if (days && from !== undefined && to !== undefined && to > from) periods.push({ days, from, to });
  });
  return problems.length ? { problems } : { schedule: { kind: "periods", periods }, problems };
}

function parseDays(raw: unknown): DayRule | undefined {
  if (raw === "all" || raw === "working" || raw === "nonworking") return raw;
  if (Array.isArray(raw) && raw.length > 0 && raw.every((d) => WEEKDAYS.includes(d as Weekday)))
    return raw as Weekday[];
  return undefined;
}
