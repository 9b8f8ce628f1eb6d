// Every counted word the pages and the server write, rendered for the numbers where Russian changes form and
// compared with a table written by hand; and no sentence counts without the one table and the one set of rules.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { describeSchemaError } from "../src/http/problem.ts";
import { WORDS as SERVER_WORDS, count as serverCount } from "../src/text/plural.ts";
import { WORDS as WEB_WORDS, count as webCount } from "../web/src/format.ts";

const NUMBERS = [0, 1, 2, 5, 11, 21, 22, 25, 101];

// Written out in full, not computed: 0, 1, 2, 5, 11, 21, 22, 25, 101.
const WEB_TABLE: Record<keyof typeof WEB_WORDS, string> = {
  rating: "0 оценок, 1 оценка, 2 оценки, 5 оценок, 11 оценок, 21 оценка, 22 оценки, 25 оценок, 101 оценка",
  article: "0 статей, 1 статья, 2 статьи, 5 статей, 11 статей, 21 статья, 22 статьи, 25 статей, 101 статья",
  request:
    "0 обращений, 1 обращение, 2 обращения, 5 обращений, 11 обращений, 21 обращение, 22 обращения, 25 обращений, 101 обращение",
  fileGenitive: "0 файлов, 1 файла, 2 файлов, 5 файлов, 11 файлов, 21 файла, 22 файлов, 25 файлов, 101 файла",
  minuteGenitive: "0 минут, 1 минуты, 2 минут, 5 минут, 11 минут, 21 минуты, 22 минут, 25 минут, 101 минуты",
  hourGenitive: "0 часов, 1 часа, 2 часов, 5 часов, 11 часов, 21 часа, 22 часов, 25 часов, 101 часа",
  dayGenitive: "0 дней, 1 дня, 2 дней, 5 дней, 11 дней, 21 дня, 22 дней, 25 дней, 101 дня",
  minute: "0 минут, 1 минута, 2 минуты, 5 минут, 11 минут, 21 минута, 22 минуты, 25 минут, 101 минута",
  hour: "0 часов, 1 час, 2 часа, 5 часов, 11 часов, 21 час, 22 часа, 25 часов, 101 час",
  day: "0 дней, 1 день, 2 дня, 5 дней, 11 дней, 21 день, 22 дня, 25 дней, 101 день",
  error: "0 ошибок, 1 ошибка, 2 ошибки, 5 ошибок, 11 ошибок, 21 ошибка, 22 ошибки, 25 ошибок, 101 ошибка",
  warning:
    "0 предупреждений, 1 предупреждение, 2 предупреждения, 5 предупреждений, 11 предупреждений, 21 предупреждение, 22 предупреждения, 25 предупреждений, 101 предупреждение",
  characterGenitive:
    "0 символов, 1 символа, 2 символов, 5 символов, 11 символов, 21 символа, 22 символов, 25 символов, 101 символа",
  showGenitive: "0 показов, 1 показа, 2 показов, 5 показов, 11 показов, 21 показа, 22 показов, 25 показов, 101 показа",
  attempt: "0 попыток, 1 попытка, 2 попытки, 5 попыток, 11 попыток, 21 попытка, 22 попытки, 25 попыток, 101 попытка",
  deliveryWaiting:
    "0 доставок ждут, 1 доставка ждёт, 2 доставки ждут, 5 доставок ждут, 11 доставок ждут, 21 доставка ждёт, 22 доставки ждут, 25 доставок ждут, 101 доставка ждёт",
  deliveryFailed:
    "0 доставок не дошли, 1 доставка не дошла, 2 доставки не дошли, 5 доставок не дошли, 11 доставок не дошли, 21 доставка не дошла, 22 доставки не дошли, 25 доставок не дошли, 101 доставка не дошла",
  event: "0 событий, 1 событие, 2 события, 5 событий, 11 событий, 21 событие, 22 события, 25 событий, 101 событие",
  willBeMerged:
    "0 будет объединено, 1 будет объединено, 2 будут объединены, 5 будет объединено, 11 будет объединено, 21 будет объединено, 22 будут объединены, 25 будет объединено, 101 будет объединено",
};

const SERVER_TABLE: Record<keyof typeof SERVER_WORDS, string> = {
  hour: "0 часов, 1 час, 2 часа, 5 часов, 11 часов, 21 час, 22 часа, 25 часов, 101 час",
  minuteAccusative: "0 минут, 1 минуту, 2 минуты, 5 минут, 11 минут, 21 минуту, 22 минуты, 25 минут, 101 минуту",
  article: "0 статей, 1 статья, 2 статьи, 5 статей, 11 статей, 21 статья, 22 статьи, 25 статей, 101 статья",
  ratedVerb: "0 оценено, 1 оценена, 2 оценены, 5 оценено, 11 оценено, 21 оценена, 22 оценены, 25 оценено, 101 оценена",
  levelGenitive: "0 уровней, 1 уровня, 2 уровней, 5 уровней, 11 уровней, 21 уровня, 22 уровней, 25 уровней, 101 уровня",
  entry: "0 записей, 1 запись, 2 записи, 5 записей, 11 записей, 21 запись, 22 записи, 25 записей, 101 запись",
  entryGenitive: "0 записей, 1 записи, 2 записей, 5 записей, 11 записей, 21 записи, 22 записей, 25 записей, 101 записи",
  characterGenitive:
    "0 символов, 1 символа, 2 символов, 5 символов, 11 символов, 21 символа, 22 символов, 25 символов, 101 символа",
  error: "0 ошибок, 1 ошибка, 2 ошибки, 5 ошибок, 11 ошибок, 21 ошибка, 22 ошибки, 25 ошибок, 101 ошибка",
  warning:
    "0 предупреждений, 1 предупреждение, 2 предупреждения, 5 предупреждений, 11 предупреждений, 21 предупреждение, 22 предупреждения, 25 предупреждений, 101 предупреждение",
  minuteGenitive: "0 минут, 1 минуты, 2 минут, 5 минут, 11 минут, 21 минуты, 22 минут, 25 минут, 101 минуты",
  times: "0 раз, 1 раз, 2 раза, 5 раз, 11 раз, 21 раз, 22 раза, 25 раз, 101 раз",
  chat: "0 чатов, 1 чат, 2 чата, 5 чатов, 11 чатов, 21 чат, 22 чата, 25 чатов, 101 чат",
  file: "0 файлов, 1 файл, 2 файла, 5 файлов, 11 файлов, 21 файл, 22 файла, 25 файлов, 101 файл",
  fileGenitive: "0 файлов, 1 файла, 2 файлов, 5 файлов, 11 файлов, 21 файла, 22 файлов, 25 файлов, 101 файла",
  request:
    "0 обращений, 1 обращение, 2 обращения, 5 обращений, 11 обращений, 21 обращение, 22 обращения, 25 обращений, 101 обращение",
  requestGenitive:
    "0 обращений, 1 обращения, 2 обращений, 5 обращений, 11 обращений, 21 обращения, 22 обращений, 25 обращений, 101 обращения",
  changedVerb:
    "0 изменено, 1 изменено, 2 изменены, 5 изменено, 11 изменено, 21 изменено, 22 изменены, 25 изменено, 101 изменено",
  mergedVerb:
    "0 объединено, 1 объединено, 2 объединены, 5 объединено, 11 объединено, 21 объединено, 22 объединены, 25 объединено, 101 объединено",
};

const render = (forms: readonly [string, string, string], count: typeof webCount) =>
  NUMBERS.map((n) => count(n, ...forms).replace(/\u00a0/g, " ")).join(", ");

describe("plural forms", () => {
  it("of every word the pages count", () => {
    const rendered = Object.fromEntries(Object.entries(WEB_WORDS).map(([k, forms]) => [k, render(forms, webCount)]));
    expect(rendered).toEqual(WEB_TABLE);
  });

  it("of every word the server counts", () => {
    const rendered = Object.fromEntries(
      Object.entries(SERVER_WORDS).map(([k, forms]) => [k, render(forms, serverCount)]),
    );
    expect(rendered).toEqual(SERVER_TABLE);
  });

  it("keep the number and its word together with a non-breaking space on the pages", () => {
    expect(webCount(2000, ...WEB_WORDS.rating)).toBe("2\u00a0000\u00a0оценок");
  });
});

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HELPERS = new Set(["web/src/format.ts", "src/text/plural.ts"]);

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

describe("counted words come from the tables", () => {
  const files = [...sources("src"), ...sources("web/src")].map((p) => relative(ROOT, join(ROOT, p)));

  it("no file but the two helpers asks Intl.PluralRules itself", () => {
    const own = files.filter((f) => !HELPERS.has(f) && readFileSync(join(ROOT, f), "utf8").includes("PluralRules"));
    expect(own).toEqual([]);
  });

  it("no call of plural() or count() spells its forms out instead of taking them from WORDS", () => {
    const literal = /\b(?:plural|count|counted)\([^()]*?,\s*"[^"]*",\s*"[^"]*",\s*"[^"]*"\)/g;
    const found = files
      .filter((f) => !HELPERS.has(f))
      .flatMap((f) => (readFileSync(join(ROOT, f), "utf8").match(literal) ?? []).map((m) => `${f}: ${m}`));
    expect(found).toEqual([]);
  });
});

describe("schema errors in Russian", () => {
  const say = (keyword: string, params: Record<string, unknown>) =>
    describeSchemaError({ keyword, params, instancePath: "/token" }, "body").message;

  it("count characters and name types in Russian", () => {
    expect(say("minLength", { limit: 21 })).toBe("Поле «Код доступа из ссылки» короче 21 символа.");
    expect(say("minLength", { limit: 22 })).toBe("Поле «Код доступа из ссылки» короче 22 символов.");
    expect(say("maxLength", { limit: 101 })).toBe("Поле «Код доступа из ссылки» длиннее 101 символа.");
    expect(say("type", { type: "integer" })).toBe(
      "Поле «Код доступа из ссылки» имеет неверный тип: ожидается целое число.",
    );
    expect(say("type", { type: "string,null" })).toBe(
      "Поле «Код доступа из ссылки» имеет неверный тип: ожидается строка или null.",
    );
  });
});
