// Every answer the error vocabulary gives on its own, in one table: a reviewer reads them all here. Each must be a
// whole Russian sentence; a not-found answer agrees with its noun.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { DATABASE_UNAVAILABLE } from "../db/outage.ts";
import { invalidMultipart, tooDeepError } from "./bodies.ts";
import { type AppError, errors, NOT_FOUND, type NotFoundSubject } from "./errors.ts";
import { errorHandler } from "./problem.ts";

/** code (and what was not found), the message, and how the vocabulary makes it. */
const TABLE: [string, string, () => AppError][] = [
  ["unauthenticated", "Войдите в систему, чтобы продолжить.", () => errors.unauthenticated()],
  ["invalid_credentials", "Неверная почта или пароль.", () => errors.badCredentials()],
  [
    "account_locked",
    "Слишком много неверных попыток входа. Вход временно заблокирован, повторите через 5 мин.",
    () => errors.accountLocked(281),
  ],
  ["totp_required", "Введите код из приложения-аутентификатора.", () => errors.totpRequired()],
  ["totp_invalid", "Код из приложения неверен или устарел.", () => errors.totpInvalid()],
  ["forbidden", "Недостаточно прав для этого действия.", () => errors.forbidden()],
  ["csrf_failed", "Сессия устарела или запрос пришёл не со страницы Otklik. Обновите страницу.", () => errors.csrf()],
  ["rate_limited", "Слишком много запросов. Повторите через 30 с.", () => errors.rateLimited(30)],
  [
    "storage_unavailable",
    "Не удалось сохранить файл: хранилище недоступно или переполнено. Попробуйте позже.",
    () => errors.storage(),
  ],
  [
    "json_too_deep",
    "Данные вложены слишком глубоко: допускается не больше 64 уровней вложенности.",
    () => tooDeepError(),
  ],
  [
    "invalid_multipart",
    "Тело multipart/form-data повреждено или оборвано. Отправьте форму заново.",
    () => invalidMultipart(),
  ],
  ["not_found: route", "Такой страницы или метода нет.", () => errors.notFound("route")],
  ["not_found: request", "Обращение не найдено.", () => errors.notFound("request")],
  ["not_found: file", "Файл не найден.", () => errors.notFound("file")],
  ["not_found: chat", "Чат не найден.", () => errors.notFound("chat")],
  ["not_found: call", "Звонок не найден.", () => errors.notFound("call")],
  ["not_found: letter", "Письмо не найдено.", () => errors.notFound("letter")],
  ["not_found: article", "Статья не найдена.", () => errors.notFound("article")],
  ["not_found: article_version", "Версия статьи не найдена.", () => errors.notFound("article_version")],
  ["not_found: template", "Шаблон ответа не найден.", () => errors.notFound("template")],
  ["not_found: macro", "Макрос не найден.", () => errors.notFound("macro")],
  ["not_found: incident", "Инцидент не найден.", () => errors.notFound("incident")],
  ["not_found: sla_policy", "Политика SLA не найдена.", () => errors.notFound("sla_policy")],
  ["not_found: directory_line", "Строка справочника не найдена.", () => errors.notFound("directory_line")],
  ["not_found: directory_version", "Версия справочника не найдена.", () => errors.notFound("directory_version")],
  [
    "not_found: calendar_year",
    "Производственного календаря на этот год в справочнике нет.",
    () => errors.notFound("calendar_year"),
  ],
  ["not_found: application", "Заявление с таким номером не найдено.", () => errors.notFound("application")],
  ["not_found: staff", "Сотрудник не найден.", () => errors.notFound("staff")],
  ["not_found: staff_email", "Сотрудника с таким адресом нет.", () => errors.notFound("staff_email")],
  ["not_found: department", "Подразделение не найдено.", () => errors.notFound("department")],
  ["not_found: token", "Токен не найден.", () => errors.notFound("token")],
  ["not_found: queue_view", "Подборка не найдена.", () => errors.notFound("queue_view")],
  ["not_found: link", "Ссылка не найдена: она устарела или набрана с ошибкой.", () => errors.notFound("link")],
];

/** What the one error handler answers for errors that are not the application's own. */
const HANDLER_TABLE: [string, string, Partial<FastifyError>][] = [
  ["payload_too_large", "Запрос слишком большой: уменьшите файлы или их число.", { statusCode: 413 }],
  ["unsupported_media_type", "Этот тип содержимого не принимается.", { statusCode: 415 }],
  ["rate_limited", "Слишком много запросов. Повторите чуть позже.", { statusCode: 429 }],
  [
    "invalid_json",
    "Запрос составлен неверно и не может быть обработан.",
    { statusCode: 400, code: "FST_ERR_CTP_INVALID_JSON_BODY" },
  ],
  [
    "bad_request",
    "Запрос составлен неверно и не может быть обработан.",
    { statusCode: 400, code: "FST_ERR_SOMETHING" },
  ],
  ["internal_error", "Внутренняя ошибка. Мы уже знаем о ней; попробуйте ещё раз позже.", {}],
  [DATABASE_UNAVAILABLE.code, "База данных временно недоступна. Повторите через несколько секунд.", { code: "08006" }],
];

/** A whole sentence: a capital letter first, a full stop (or ? or !) last, nothing left of a template. */
function sentenceProblems(text: string): string[] {
  const problems: string[] = [];
  if (!/^[А-ЯЁA-Z«]/.test(text)) problems.push("does not start with a capital letter");
  if (!/[.?!]$/.test(text)) problems.push("does not end with a full stop");
  if (/\$\{|\}|undefined|null|NaN|\[object/.test(text)) problems.push("has template residue");
  if (/ {2}| [.,:;?!]/.test(text)) problems.push("has a stray space");
  return problems;
}

function answerOf(error: Partial<FastifyError>) {
  let sent: { code?: string; detail?: string } = {};
  const reply = {
    code: () => reply,
    type: () => reply,
    header: () => reply,
    send: (body: typeof sent) => {
      sent = body;
      return reply;
    },
  };
  const log = { error: () => {}, warn: () => {} };
  errorHandler(
    Object.assign(new Error("x"), error) as FastifyError,
    { log } as unknown as FastifyRequest,
    reply as unknown as FastifyReply,
  );
  return sent;
}

describe("the error vocabulary", () => {
  it.each(TABLE)("%s: «%s»", (code, message, make) => {
    const e = make();
    expect(e.code).toBe(code.split(":")[0]);
    expect(e.message).toBe(message);
    expect(sentenceProblems(e.message)).toEqual([]);
  });

  it.each(HANDLER_TABLE)("the handler's %s: «%s»", (code, message, error) => {
    const answer = answerOf(error);
    expect(answer.code).toBe(code);
    expect(answer.detail).toBe(message);
    expect(sentenceProblems(message)).toEqual([]);
  });

  it("lists every subject that can be not found, and tells programs which it was", () => {
    const listed = TABLE.filter(([code]) => code.startsWith("not_found: ")).map(([code]) => code.slice(11));
    expect(listed.sort()).toEqual(Object.keys(NOT_FOUND).sort());
    for (const subject of listed) {
      expect(errors.notFound(subject as NotFoundSubject).details).toEqual({ subject });
    }
  });

  it("every message a source passes to the vocabulary is a sentence too", () => {
    const SRC = path.resolve(import.meta.dirname, "..");
    const files = readdirSync(SRC, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
      .map((e) => path.join(e.parentPath, e.name));
    // The message argument when it is written out: a string, or a template (cut at a nested one).
    const CALL =
      /(?:errors\.(?:badInput|conflict)\(\s*"[^"]+",|errors\.(?:validation|forbidden|tooLarge|unsupportedType|storage)\(|new AppError\(\s*"[^"]+",)\s*("(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)/g;
    const offenders: string[] = [];
    let seen = 0;
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(CALL)) {
        seen++;
        const literal = m[1]!.slice(1, -1);
        const cut = /\$\{[^}]*$/.test(literal);
        const text = literal.replace(/\$\{[^}]*\}/g, "X");
        // Of a template cut short, only its start can be judged.
        const problems = sentenceProblems(text).filter((p) =>
          cut ? p === "does not start with a capital letter" : p !== "has template residue",
        );
        if (problems.length) offenders.push(`${path.relative(SRC, file)}: ${literal} (${problems.join(", ")})`);
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });

  it("finds what is not a sentence", () => {
    expect(sentenceProblems("Файл не найдено")).toContain("does not end with a full stop");
    expect(sentenceProblems("файл не найден.")).toContain("does not start with a capital letter");
    // In two pieces, or the linter takes it for a template meant to be filled.
    expect(sentenceProblems(["$", "{what} не найдено."].join(""))).toContain("has template residue");
    expect(sentenceProblems("Повторите через undefined с.")).toContain("has template residue");
  });
});
