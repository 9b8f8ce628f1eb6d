// The directory's rules: every save is the whole document checked exactly as `otklik directory check` checks a
// file, refused with the checker's problems when it has an error, written in one transaction with a version.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AppContext } from "../context.ts";
import { emit } from "../db/outbox.ts";
import { AppError, errors } from "../http/errors.ts";
import { count, WORDS } from "../text/plural.ts";
import {
  type CalendarYear,
  isIsoDate,
  isShortDay as isShort,
  isWorkingDay as isWorking,
  parseCalendarYear,
} from "./calendar.ts";
import { calendarYearToYaml } from "./calendar-xml.ts";
import { checkDirectory, hasErrors } from "./check.ts";
import {
  type DocumentEntry,
  defaultSection,
  lineToEntry,
  renderDocument,
  renderEntries,
  withLayout,
} from "./document.ts";
import { calendarFileYears, DATA_DIR, loadCalendarYears } from "./load.ts";
import { parseDirectoryText } from "./parse.ts";
import type { RegionIndex } from "./regions.ts";
import { directoryOf, reloadState } from "./state.ts";
import {
  addVersion,
  calendarYearNumbers,
  countLines,
  insertCalendarYears,
  lockDirectory,
  readEntries,
  writeCalendarYear,
  writeEntries,
  writeLineState,
} from "./store.ts";
import type { Problem } from "./types.ts";

export const CHANGED = "directory.changed";

export interface CheckReport {
  ok: boolean;
  errors: number;
  warnings: number;
  problems: Problem[];
}

function report(problems: Problem[]): CheckReport {
  const errorCount = problems.filter((p) => p.severity === "error").length;
  return { ok: errorCount === 0, errors: errorCount, warnings: problems.length - errorCount, problems };
}

/** The refusal of a save: 400 problem+json with the checker's list. */
export function directoryInvalid(r: CheckReport): AppError {
  const first = r.problems.find((p) => p.severity === "error")!;
  const where = [first.entry, first.field].filter(Boolean).join(".");
  // `errors` repeats the list in the form every form of the web app reads ({field, message, …}).
  return errors.badInput(
    "directory_invalid",
    `Справочник не сохранён: ${count(r.errors, ...WORDS.error)}. ${where ? `${where}: ` : ""}${first.message.replace(/\.$/, "")}.`,
    { errorCount: r.errors, warningCount: r.warnings, problems: r.problems, errors: r.problems },
  );
}

/** The checker's verdict on a directory file, as the CLI gives it with --json (without the file name). */
export function checkText(ctx: AppContext, text: string): CheckReport {
  return report(checkDirectory(parseDirectoryText(text), directoryOf(ctx).regions));
}

/** First start: the bundled directory and calendar go into empty tables (one process does it, the others wait). */
export async function seedIfEmpty(ctx: AppContext, regions: RegionIndex): Promise<void> {
  // Most starts find everything in place: look before reading and parsing the files.
  const [lines, stored, bundled] = await Promise.all([
    countLines(ctx.db),
    calendarYearNumbers(ctx.db),
    calendarFileYears(),
  ]);
  if (lines > 0 && bundled.every((y) => stored.includes(y))) return;
  const text = await readFile(join(DATA_DIR, "directory.yaml"), "utf8");
  const years = await loadCalendarYears();
  await ctx.db.transaction(async (tx) => {
    await lockDirectory(tx);
    if ((await countLines(tx)) === 0) {
      const parsed = parseDirectoryText(text);
      const problems = checkDirectory(parsed, regions);
      if (hasErrors(problems)) throw new Error("data/directory.yaml has errors: run `otklik directory check`");
      const entries = withLayout(parsed.lines, text);
      await writeEntries(tx, entries, null);
      await addVersion(tx, { kind: "directory", subject: "начальные данные", document: text, userId: null });
    }
    const stored = new Set(await calendarYearNumbers(tx));
    const missing = years.filter((y) => !stored.has(y.year));
    await insertCalendarYears(tx, missing);
    for (const y of missing)
      await addVersion(tx, {
        kind: "calendar",
        subject: `календарь ${y.year}: начальные данные`,
        document: calendarYearToYaml(y),
        userId: null,
      });
  });
}

async function saveDocument(
  ctx: AppContext,
  build: (current: DocumentEntry[]) => { text: string; subject: string },
  userId: number | null,
): Promise<CheckReport> {
  const result = await ctx.db.transaction(async (tx) => {
    await lockDirectory(tx);
    const { text, subject } = build(await readEntries(tx));
    const parsed = parseDirectoryText(text);
    const r = report(checkDirectory(parsed, directoryOf(ctx).regions));
    if (!r.ok) return { r, changed: [] as string[] };
    const changed = await writeEntries(tx, withLayout(parsed.lines, text), userId);
    if (changed.length) {
      await addVersion(tx, {
        kind: "directory",
        subject,
        document: renderEntries(await readEntries(tx)),
        userId,
      });
      await emit(tx, CHANGED, { what: "lines", ids: changed.slice(0, 50) });
    }
    return { r, changed };
  });
  if (!result.r.ok) throw directoryInvalid(result.r);
  await reloadState(ctx);
  return result.r;
}

/** Replaces the whole directory with an uploaded file (sections and comments are kept from the file). */
export function importDirectory(ctx: AppContext, text: string, userId: number | null): Promise<CheckReport> {
  return saveDocument(ctx, () => ({ text, subject: "импорт YAML" }), userId);
}

export interface LineEdit {
  /** The entry as written in directory.yaml (schedule «always» or periods with «HH:MM» times, etc.). */
  entry: Record<string, unknown>;
  section?: string;
  comment?: string | null;
}

/** Adds a line or changes one; the line's problems keep entry and field, not the line of an internal file. */
export async function saveLine(ctx: AppContext, id: string, edit: LineEdit, userId: number | null) {
  if (edit.entry.id !== undefined && String(edit.entry.id) !== id)
    throw errors.badInput("id_mismatch", `Id строки в теле (${String(edit.entry.id)}) не совпадает с адресом (${id}).`);
  const entry: Record<string, unknown> = { ...edit.entry, id };
  let created = false;
  try {
    const r = await saveDocument(
      ctx,
      (current) => {
        const raw = current.map((e) => ({ entry: lineToEntry(e.line), section: e.section, comment: e.comment }));
        const i = raw.findIndex((e) => e.entry.id === id);
        const old = raw[i];
        const section = edit.section?.replace(/\s+/g, " ").trim();
        const next = {
          entry,
          section: section || old?.section || defaultSection(String(entry.kind ?? "")),
          comment: edit.comment === undefined ? (old?.comment ?? null) : edit.comment?.trim() || null,
        };
        created = !old;
        if (old && old.section === next.section) raw[i] = next;
        else {
          if (old) raw.splice(i, 1);
          // A new or moved line goes at the end of its section, so the sections stay together.
          const last = raw.findLastIndex((e) => e.section === next.section);
          raw.splice(last >= 0 ? last + 1 : raw.length, 0, next);
        }
        return { text: renderDocument(raw), subject: `${created ? "новая строка" : "строка"} ${id}` };
      },
      userId,
    );
    return { created, ...withoutLines(r) };
  } catch (e) {
    if (e instanceof AppError && Array.isArray(e.details?.problems)) {
      e.details.problems = (e.details.problems as Problem[]).map(({ line: _line, ...p }) => p);
      e.details.errors = e.details.problems;
    }
    throw e;
  }
}

function withoutLines(r: CheckReport): CheckReport {
  return { ...r, problems: r.problems.map(({ line: _line, ...p }) => p) };
}

/** Publishes or withdraws a line: the same check as any edit (a line with a bad number cannot come back). */
export async function setPublished(
  ctx: AppContext,
  id: string,
  published: boolean,
  reason: string | undefined,
  userId: number | null,
) {
  const current = directoryOf(ctx).entries.find((e) => e.line.id === id);
  if (!current) throw errors.notFound("directory_line");
  const entry = lineToEntry(current.line);
  if (published) {
    delete entry.published;
    delete entry.unpublishedReason;
  } else {
    entry.published = false;
    entry.unpublishedReason = reason?.trim() || current.line.unpublishedReason;
  }
  return saveLine(ctx, id, { entry }, userId);
}

/**
 * Marks a main line's queue as overloaded (its reserve is then offered first) or clears the mark. The phone
 * channel calls this when its queue grows too long; supervisors and administrators set it by hand.
 */
export async function setOverloaded(
  ctx: AppContext,
  lineId: string,
  overloaded: boolean,
  userId: number | null,
): Promise<{ lineId: string; overloaded: boolean; reserves: string[] }> {
  const line = directoryOf(ctx).lines.find((l) => l.id === lineId);
  if (!line) throw errors.notFound("directory_line");
  if (line.role !== "main")
    throw errors.badInput("line_not_main", "Перегрузку отмечают только на основной линии: у резерва нет резерва.");
  await ctx.db.transaction(async (tx) => {
    await writeLineState(tx, lineId, overloaded, userId);
    await emit(tx, CHANGED, { what: "state", ids: [lineId] });
  });
  await reloadState(ctx);
  const reserves = directoryOf(ctx)
    .lines.filter((l) => l.backs === lineId)
    .map((l) => l.id);
  return { lineId, overloaded, reserves };
}

/** Validates and stores one year of the production calendar. */
export async function putCalendarYear(ctx: AppContext, year: number, data: unknown, userId: number | null) {
  let parsed: CalendarYear;
  try {
    parsed = parseCalendarYear({ ...(data as object), year }, `Календарь на ${year} год не принят`);
  } catch (e) {
    throw errors.badInput("calendar_invalid", (e as Error).message);
  }
  const seen = new Set<string>();
  for (const d of parsed.days) {
    if (seen.has(d.date))
      throw errors.badInput("calendar_invalid", `В календаре на ${year} год дата ${d.date} указана дважды.`);
    seen.add(d.date);
    if (d.from && !isIsoDate(d.from))
      throw errors.badInput("calendar_invalid", `Дата переноса ${d.from} неверна: нужна дата в виде ГГГГ-ММ-ДД.`);
  }
  parsed.days.sort((a, b) => a.date.localeCompare(b.date));
  await ctx.db.transaction(async (tx) => {
    await writeCalendarYear(tx, parsed, userId);
    await addVersion(tx, {
      kind: "calendar",
      subject: `календарь ${year}`,
      document: calendarYearToYaml(parsed),
      userId,
    });
    await emit(tx, CHANGED, { what: "calendar", year });
  });
  await reloadState(ctx);
  return parsed;
}

/** The directory as a file, as it is stored now. */
export function exportYaml(ctx: AppContext): string {
  return renderEntries(directoryOf(ctx).entries);
}

/** Working days for the SLA clock, from the stored production calendar (updated with it). */
export function workCalendarOf(ctx: AppContext): {
  isWorkingDay(isoDate: string): boolean;
  isShortDay(isoDate: string): boolean;
} {
  return {
    isWorkingDay: (d) => isWorking(directoryOf(ctx).calendar, d),
    isShortDay: (d) => isShort(directoryOf(ctx).calendar, d),
  };
}
