// `npx otklik directory check FILE [--json]`
// `npx otklik directory recommend --topic T [--audience A] [--region R] [--abroad] [--at ISO] [--overloaded ID,…] [--json]`
// `npx otklik directory calendar-import FILE.xml [--decree TEXT]` — prints a calendar year as YAML for data/calendar/
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { count, WORDS } from "../text/plural.ts";
import { calendarFromXml, calendarYearToYaml } from "./calendar-xml.ts";
import { checkDirectory, hasErrors } from "./check.ts";
import { loadDirectoryData, loadDirectoryFile, loadRegions } from "./load.ts";
import { DirectoryQueryError, recommend } from "./recommend.ts";
import type { Problem } from "./types.ts";

const USAGE = `Использование:
  otklik directory check ФАЙЛ [--json]
  otklik directory recommend --topic ТЕМА [--audience citizen|legal_entity|entrepreneur] [--region "РЕГИОН"]
                             [--abroad] [--at ВРЕМЯ_ISO] [--overloaded ID,ID] [--file ФАЙЛ] [--json]
  otklik directory calendar-import ФАЙЛ.xml [--decree "ПОСТАНОВЛЕНИЕ"]
`;

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "check") return await check(rest);
    if (command === "recommend") return await recommendCommand(rest);
    if (command === "calendar-import") return await calendarImport(rest);
  } catch (err) {
    const code = err instanceof DirectoryQueryError ? err.code : errorCode(err);
    const message = messageOf(err, code);
    if (rest.includes("--json")) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    else process.stderr.write(`Ошибка [${code}]. ${message}\n`);
    return 2;
  }
  const unknown = command && command !== "help" && command !== "--help";
  (unknown ? process.stderr : process.stdout).write(`${unknown ? `Неизвестная команда «${command}».\n` : ""}${USAGE}`);
  return unknown ? 2 : 0;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (code === "ENOENT") return "file_not_found";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return "usage";
  // Our own errors carry a lower-case code such as directory_invalid; system codes are upper case.
  return typeof code === "string" && /^[a-z_]+$/.test(code) ? code : "failed";
}

/**
 * The error as a Russian sentence: ours are written so; Node's own (a missing file, an unknown option) are English
 * and are said again here.
 */
function messageOf(err: unknown, code: string): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/[А-ЯЁа-яё]/.test(text)) return text;
  const path = (err as { path?: unknown })?.path;
  const option = /'(-[^' ]*)/.exec(text)?.[1];
  if (code === "file_not_found" && typeof path === "string") return `Файл «${path}» не найден.`;
  if (code === "usage" && (err as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return `Неизвестный параметр${option ? ` «${option}»` : ""}. Параметры команд — в справке: otklik directory help.`;
  if (code === "usage" && /argument missing|argument is ambiguous/.test(text))
    return `Параметру${option ? ` «${option.split(" ")[0]}»` : ""} нужно значение. Параметры команд — в справке: otklik directory help.`;
  if (code === "usage")
    return `Неверное значение параметра${option ? ` «${option}»` : ""}. Параметры команд — в справке: otklik directory help.`;
  const system = (err as { code?: unknown })?.code;
  if (typeof system === "string" && /^E[A-Z]+$/.test(system))
    return `Не удалось прочитать файл${typeof path === "string" ? ` «${path}»` : ""} (${system}).`;
  return `Команда не выполнена: ${text.replace(/\.$/, "")}.`;
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file)
    throw Object.assign(new Error("Не указан файл справочника: otklik directory check ФАЙЛ."), {
      code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    });
  const problems = checkDirectory(await loadDirectoryFile(file), await loadRegions());
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ file, ok: errors === 0, errors, warnings, problems }, null, 2)}\n`);
  } else {
    for (const p of problems) process.stdout.write(`${formatProblem(file, p)}\n`);
    process.stdout.write(`${file}: ${count(errors, ...WORDS.error)}, ${count(warnings, ...WORDS.warning)}\n`);
  }
  return hasErrors(problems) ? 1 : 0;
}

function formatProblem(file: string, p: Problem): string {
  const where = [p.entry, p.field].filter(Boolean).join(".");
  const level = p.severity === "error" ? "ошибка" : "предупреждение";
  return `${file}:${p.line ?? "?"}: ${level} [${p.code}]${where ? ` ${where}:` : ""} ${p.message}`;
}

async function recommendCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      topic: { type: "string" },
      audience: { type: "string" },
      region: { type: "string" },
      abroad: { type: "boolean" },
      at: { type: "string" },
      overloaded: { type: "string" },
      file: { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (!values.topic)
    throw new DirectoryQueryError("topic_unknown", "Не указана тема: добавьте --topic, например --topic access.");
  const { directory, regions, calendar } = await loadDirectoryData(values.file);
  const items = recommend(
    directory.lines,
    calendar,
    regions,
    {
      topic: values.topic,
      audience: values.audience,
      region: values.region,
      abroad: values.abroad,
      at: values.at,
    },
    { overloaded: new Set((values.overloaded ?? "").split(",").filter(Boolean)), now: new Date() },
  );
  if (values.json) {
    process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) process.stdout.write("Подходящих линий нет.\n");
  items.forEach((item, i) => {
    const state = item.open === null ? "часы не указаны" : item.open ? "открыта" : "закрыта";
    process.stdout.write(`${i + 1}. ${item.number} — ${item.title} (${state})\n   ${item.why}\n`);
  });
  return 0;
}

async function calendarImport(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { decree: { type: "string" } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file)
    throw Object.assign(new Error("Не указан XML-файл календаря: otklik directory calendar-import ФАЙЛ.xml."), {
      code: "ERR_PARSE_ARGS_INVALID_OPTION_VALUE",
    });
  process.stdout.write(calendarYearToYaml(calendarFromXml(await readFile(file, "utf8"), values.decree)));
  return 0;
}
