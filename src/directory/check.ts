// The directory checker: everything a person editing the directory can get wrong, each with a stable code.
import { IANAZone } from "luxon";
import type { ParsedDirectory } from "./parse.ts";
import { analyseNumber } from "./phone.ts";
import { type RegionIndex, servedArea } from "./regions.ts";
import { overlappingPeriods, scheduleKey } from "./schedule.ts";
import {
  AUDIENCES,
  type Audience,
  COSTS,
  DISTRICTS,
  type DirectoryLine,
  KINDS,
  type LineCost,
  type LineKind,
  type LineRole,
  type Problem,
  ROLES,
  TOPICS,
  type Topic,
} from "./types.ts";

const DISTRICT_NAMES: Record<string, string> = {
  central: "Центральный",
  northwest: "Северо-Западный",
  south: "Южный",
  north_caucasus: "Северо-Кавказский",
  volga: "Приволжский",
  ural: "Уральский",
  siberia: "Сибирский",
  far_east: "Дальневосточный",
};

export function checkDirectory(parsed: ParsedDirectory, regions: RegionIndex): Problem[] {
  const problems: Problem[] = [...parsed.problems];
  const ids = new Map<string, number>();
  // An unreadable schedule is reported once, not again as «hours unknown».
  const badSchedule = new Set(parsed.problems.filter((p) => p.field === "schedule").map((p) => p.entry));
  parsed.lines.forEach((line, i) => {
    const pos = parsed.positions[i]!;
    const at = (field: string) => pos.fields[field] ?? pos.line;
    const own: Problem[] = [];
    const report = (severity: Problem["severity"], code: string, field: string, message: string) =>
      own.push({ severity, code, field, entry: line.id || undefined, line: at(field), message });

    if (line.id) {
      const first = ids.get(line.id);
      if (first !== undefined) report("error", "duplicate_id", "id", `id «${line.id}» уже занят строкой ${first}`);
      else ids.set(line.id, pos.line);
    }
    checkLine(line, regions, report, badSchedule.has(line.id));
    if (!line.published) {
      if (!line.unpublishedReason?.trim())
        problems.push({
          severity: "error",
          code: "unpublished_without_reason",
          field: "unpublishedReason",
          entry: line.id,
          line: at("published"),
          message: "строка снята с публикации без объяснения (unpublishedReason)",
        });
      // A withdrawn entry keeps its known defects on record, but they no longer block the file.
      for (const p of own)
        if (p.code !== "duplicate_id") {
          p.severity = "warning";
          p.message += " (строка не опубликована)";
        }
    }
    problems.push(...own);
  });
  problems.push(...crossCheck(parsed, ids));
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

type Report = (severity: Problem["severity"], code: string, field: string, message: string) => void;

function checkLine(line: DirectoryLine, regions: RegionIndex, report: Report, badSchedule: boolean): void {
  if (line.kind && !KINDS.includes(line.kind as LineKind))
    report("error", "field_invalid", "kind", `вид линии «${line.kind}» не из: ${KINDS.join(", ")}`);
  if (line.role && !ROLES.includes(line.role as LineRole))
    report("error", "field_invalid", "role", `роль «${line.role}» не из: ${ROLES.join(", ")}`);
  if (line.cost && !COSTS.includes(line.cost as LineCost))
    report("error", "field_invalid", "cost", `стоимость «${line.cost}» не из: ${COSTS.join(", ")}`);
  for (const a of line.audience)
    if (!AUDIENCES.includes(a as Audience))
      report("error", "audience_unknown", "audience", `неизвестная аудитория «${a}»: ${AUDIENCES.join(", ")}`);
  for (const t of line.topics)
    if (!TOPICS.includes(t as Topic))
      report("error", "topic_unknown", "topics", `неизвестная тема «${t}»: ${TOPICS.join(", ")}`);
  if (line.timezone && !IANAZone.isValidZone(line.timezone))
    report("error", "timezone_unknown", "timezone", `неизвестный часовой пояс «${line.timezone}» (нужно имя IANA)`);

  const served = servedRegions(line, regions, report);
  if (line.kind === "regional" && line.regions.length === 0 && line.districts.length === 0)
    report("error", "region_missing", "region", "у региональной линии не указан регион");

  if (line.number) {
    const info = analyseNumber(line.number);
    for (const p of info.problems) {
      const warning = p.code === "number_format" || p.code === "tollfree_international_format";
      report(warning ? "warning" : "error", p.code, "number", p.message);
    }
    if (info.e164 && line.e164 && info.e164 !== line.e164)
      report(
        "error",
        "e164_mismatch",
        "e164",
        `e164 «${line.e164}» не совпадает с номером «${line.number}» (${info.e164})`,
      );
    if (!info.e164 && line.e164 && !/^\+[1-9]\d{7,14}$/.test(line.e164))
      report("error", "e164_mismatch", "e164", `«${line.e164}» — не номер в формате E.164`);
    if (line.written && line.e164 && nationalDigits(line.written) !== line.e164.replace(/\D/g, ""))
      report(
        "error",
        "written_mismatch",
        "written",
        `написание источника «${line.written}» — другие цифры, чем в ${line.e164}`,
      );
    if (info.areaCode && info.geographic && served) checkAreaCode(line, info.areaCode, served, regions, report);
    if (line.abroad && info.tollFree)
      report(
        "error",
        "tollfree_abroad",
        "abroad",
        `бесплатный номер ${line.number} недоступен из-за рубежа, а строка предлагает его звонящим из-за границы`,
      );
    else if (line.abroad && info.russian && /^\s*8/.test(line.number))
      report(
        "warning",
        "abroad_domestic_format",
        "number",
        `номер для звонков из-за рубежа записан через 8: из-за границы набирают +7`,
      );
  }
  if (line.schedule.kind === "unknown" && line.published && !badSchedule)
    report("warning", "schedule_unknown", "schedule", "часы работы не указаны: справочник не скажет, открыта ли линия");
  if (line.schedule.kind === "periods")
    for (const [a, b] of overlappingPeriods(line.schedule.periods))
      report("error", "schedule_overlap", "schedule", `периоды ${a + 1} и ${b + 1} расписания пересекаются`);

  if ((line.role === "reserve" || line.role === "overflow") && !line.backs)
    report("warning", "backs_missing", "backs", "резервная линия не указывает, какую линию она подменяет (backs)");
}

/** The subjects a line is listed for; undefined for a line serving the whole country. */
function servedRegions(line: DirectoryLine, regions: RegionIndex, report: Report): Set<string> | undefined {
  const area = servedArea(regions, line.regions, line.districts);
  for (const name of area?.unknownRegions ?? [])
    report("error", "region_unknown", "region", `неизвестный регион «${name}»`);
  for (const d of area?.unknownDistricts ?? [])
    report("error", "field_invalid", "districts", `неизвестный федеральный округ «${d}»: ${DISTRICTS.join(", ")}`);
  return area?.names;
}

function checkAreaCode(
  line: DirectoryLine,
  code: string,
  served: Set<string>,
  index: RegionIndex,
  report: Report,
): void {
  const listed = index.regions.filter((r) => served.has(r.name));
  if (listed.length === 0) return; // the unknown region is reported already
  if (listed.some((r) => r.abc.includes(code))) return;
  const known = listed.filter((r) => r.abc.length > 0);
  if (known.length === 0) {
    report(
      "warning",
      "region_codes_unknown",
      "number",
      `коды ABC региона не известны справочнику: код ${code} не проверен`,
    );
    return;
  }
  const owners = index.regions.filter((r) => r.abc.includes(code)).map((r) => r.name);
  const districts = line.districts.map((d) => DISTRICT_NAMES[d] ?? d);
  const where = [...line.regions, ...(districts.length ? [`${districts.join(" и ")} федеральные округа`] : [])].join(
    ", ",
  );
  const belongs = owners.length
    ? `код ${code} принадлежит: ${owners.join(", ")}`
    : `код ${code} не принадлежит ни одному региону`;
  report("error", "area_code_region_mismatch", "number", `${belongs}, а линия указана для: ${where}`);
}

function crossCheck(parsed: ParsedDirectory, ids: Map<string, number>): Problem[] {
  const problems: Problem[] = [];
  const byNumber = new Map<string, number>();
  parsed.lines.forEach((line, i) => {
    const pos = parsed.positions[i]!;
    const report = (severity: Problem["severity"], code: string, field: string, message: string) =>
      problems.push({ severity, code, field, entry: line.id, line: pos.fields[field] ?? pos.line, message });
    if (line.backs && !ids.has(line.backs))
      report("error", "backs_unknown", "backs", `линия «${line.backs}», которую подменяет резерв, не найдена`);
    if (line.sameAs && !ids.has(line.sameAs))
      report("error", "field_invalid", "sameAs", `строка «${line.sameAs}» не найдена`);
    if (!line.e164) return;
    const j = byNumber.get(line.e164);
    if (j === undefined) {
      byNumber.set(line.e164, i);
      return;
    }
    const other = parsed.lines[j]!;
    const otherLine = parsed.positions[j]!.line;
    // Withdrawn listings stay on record as warnings: the reason for withdrawing them is still visible.
    const withdrawn = !line.published || !other.published;
    const suffix = withdrawn ? " (одна из строк не опубликована)" : "";
    if (scheduleKey(other) !== scheduleKey(line))
      report(
        withdrawn ? "warning" : "error",
        "schedule_conflict",
        "schedule",
        `номер ${line.number} уже указан в строке ${otherLine} («${other.title}») с другим расписанием${suffix}`,
      );
    else if (line.sameAs !== other.id && other.sameAs !== line.id)
      report(
        "warning",
        "number_duplicate",
        "number",
        `номер ${line.number} уже указан в строке ${otherLine} («${other.title}»)${suffix}`,
      );
  });
  return problems;
}

// «8 800 …» and «+7 800 …» are the same digits once the domestic trunk prefix 8 becomes the country code 7.
function nationalDigits(text: string): string {
  const digits = text.replace(/\D/g, "");
  return digits.length === 11 && digits.startsWith("8") && !text.trim().startsWith("+")
    ? `7${digits.slice(1)}`
    : digits;
}

export function hasErrors(problems: Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}
