// The only file of the room that touches the disk: reading the directory, the regions and the calendar.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { count, WORDS } from "../text/plural.ts";
import { buildCalendar, type CalendarYear, type ProductionCalendar, parseCalendarYear } from "./calendar.ts";
import { checkDirectory } from "./check.ts";
import { type ParsedDirectory, parseDirectoryText } from "./parse.ts";
import { indexRegions, parseRegions, type RegionIndex } from "./regions.ts";

/** The bundled data folder of the repository. */
export const DATA_DIR = fileURLToPath(new URL("../../data/", import.meta.url));

export async function loadDirectoryFile(path = join(DATA_DIR, "directory.yaml")): Promise<ParsedDirectory> {
  return parseDirectoryText(await readFile(path, "utf8"));
}

export async function loadRegions(path = join(DATA_DIR, "regions.yaml")): Promise<RegionIndex> {
  return indexRegions(parseRegions(parse(await readFile(path, "utf8"))));
}

/** Every `<year>.yaml` of the calendar folder. */
export async function loadCalendar(dir = join(DATA_DIR, "calendar")): Promise<ProductionCalendar> {
  return buildCalendar(await loadCalendarYears(dir));
}

/** The years the calendar folder has files for (without reading them). */
export async function calendarFileYears(dir = join(DATA_DIR, "calendar")): Promise<number[]> {
  return (await readdir(dir)).flatMap((f) => (/^\d{4}\.ya?ml$/.test(f) ? [Number(f.slice(0, 4))] : []));
}

/** The years of the calendar folder one by one, as the server stores them. */
export async function loadCalendarYears(dir = join(DATA_DIR, "calendar")): Promise<CalendarYear[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => parseCalendarYear(parse(await readFile(join(dir, f), "utf8")), `Календарь ${f}`)),
  );
}

export interface LoadedDirectory {
  directory: ParsedDirectory;
  regions: RegionIndex;
  calendar: ProductionCalendar;
}

/** Everything `recommend` needs, read once at start; refuses a directory file that has errors. */
export async function loadDirectoryData(directoryPath?: string): Promise<LoadedDirectory> {
  const [directory, regions, calendar] = await Promise.all([
    loadDirectoryFile(directoryPath),
    loadRegions(),
    loadCalendar(),
  ]);
  const errors = checkDirectory(directory, regions).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    const first = errors[0]!;
    throw Object.assign(
      new Error(
        `В справочнике ${count(errors.length, ...WORDS.error)}, поэтому ответа нет. Первая — в строке ${first.line ?? "?"} [${first.code}]: ${first.message.replace(/\.$/, "")}. Все ошибки покажет команда otklik directory check.`,
      ),
      { code: "directory_invalid" },
    );
  }
  return { directory, regions, calendar };
}
