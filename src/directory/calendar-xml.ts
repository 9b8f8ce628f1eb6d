// Converts the community XML form of the production calendar (xmlcalendar/data, `ru/<year>/calendar.xml`) into
// the project's own YAML, so that an administrator can add next year's calendar with one command.
import { stringify } from "yaml";
import { type CalendarEntry, type CalendarYear, weekdayOf } from "./calendar.ts";

const ATTR_RE = /(\w+)="([^"]*)"/g;

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR_RE)) out[m[1]!] = m[2]!;
  return out;
}

export function calendarFromXml(xml: string, decree?: string): CalendarYear {
  const head = /<calendar\b([^>]*)>/.exec(xml);
  if (!head) throw new Error("Это не производственный календарь: в файле нет элемента <calendar>.");
  const meta = attrs(head[1]!);
  const year = Number(meta.year);
  if (!Number.isInteger(year)) throw new Error("В элементе <calendar> не указан год (атрибут year).");
  const titles = new Map<string, string>();
  for (const m of xml.matchAll(/<holiday\b([^>]*)\/?>/g)) {
    const a = attrs(m[1]!);
    if (a.id && a.title) titles.set(a.id, a.title);
  }
  const days: CalendarEntry[] = [];
  for (const m of xml.matchAll(/<day\b([^>]*)\/?>/g)) {
    const a = attrs(m[1]!);
    const [mm, dd] = (a.d ?? "").split(".");
    const date = `${year}-${mm}-${dd}`;
    const entry = toEntry(date, a, titles);
    if (entry) days.push(entry);
  }
  days.sort((x, y) => x.date.localeCompare(y.date));
  const revision = meta.date ? ` (редакция ${meta.date.replaceAll(".", "-")})` : "";
  const result: CalendarYear = { year, source: `xmlcalendar/data, ru/${year}/calendar.xml${revision}`, days };
  if (decree) result.decree = decree;
  return result;
}

function toEntry(date: string, a: Record<string, string>, titles: Map<string, string>): CalendarEntry | undefined {
  const weekend = weekdayOf(date) >= 6;
  switch (a.t) {
    case "1": {
      if (a.f) {
        const [fm, fd] = a.f.split(".");
        // A transfer from January of the same year or (rarely) from the previous year's end: keep the year.
        const from = `${date.slice(0, 4)}-${fm}-${fd}`;
        return { date, type: "day_off", from };
      }
      const title = a.h ? titles.get(a.h) : undefined;
      // A weekend listed as a holiday changes nothing for the working-day rule, but stays for its title.
      return title ? { date, type: "holiday", title } : { date, type: "holiday" };
    }
    case "2":
      return { date, type: "short" };
    case "3":
      return weekend ? { date, type: "working" } : undefined;
    default:
      throw new Error(`У дня ${date} неизвестный тип t="${a.t ?? ""}": ожидался 1, 2 или 3.`);
  }
}

export function calendarYearToYaml(cal: CalendarYear): string {
  const header = [
    `# Производственный календарь России на ${cal.year} год.`,
    "# Перечислены только исключения: любая другая суббота и воскресенье — выходной, любой другой день — рабочий.",
    "# holiday — нерабочий праздничный день; day_off — выходной, перенесённый с даты from;",
    "# short — рабочий день, сокращённый на час (в выходной день — ещё и рабочий); working — перенесённый рабочий день (суббота или воскресенье, в которую работают).",
    "",
  ].join("\n");
  const body = stringify(
    { year: cal.year, source: cal.source, ...(cal.decree ? { decree: cal.decree } : {}), days: cal.days },
    { lineWidth: 0, defaultStringType: "PLAIN", collectionStyle: "block" },
  );
  // One day per line reads better than the block style for a list of small records.
  const lines = body.split("\n");
  const start = lines.indexOf("days:");
  const daysYaml = cal.days.map((d) => {
    const parts = [`date: "${d.date}"`, `type: ${d.type}`];
    if (d.from) parts.push(`from: "${d.from}"`);
    if (d.title) parts.push(`title: ${d.title}`);
    return `  - { ${parts.join(", ")} }`;
  });
  return `${header}${lines.slice(0, start + 1).join("\n")}\n${daysYaml.join("\n")}\n`;
}
