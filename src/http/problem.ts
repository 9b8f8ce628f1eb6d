// Turns every error into application/problem+json with a stable code and a Russian message.

import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/outage.ts";
import { count, WORDS } from "../text/plural.ts";
import { invalidMultipart, isMultipartSyntaxError } from "./bodies.ts";
import { isAppError } from "./errors.ts";

type AjvError = { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string };

// Fields of the public and staff routes, by path. A field a person never fills (a machine's webhook, a header) keeps
// its own name. The map has no prototype: a field sent as «constructor» or «__proto__» is not found in it.
const FIELD_NAMES: Record<string, string> = Object.assign(Object.create(null), {
  text: "Текст обращения",
  subject: "Тема",
  category: "Категория",
  audience: "Тип заявителя",
  region: "Регион",
  "contact.name": "Имя",
  "contact.email": "Электронная почта",
  "contact.phone": "Телефон",
  body: "Текст",
  score: "Оценка",
  email: "Электронная почта",
  password: "Пароль",
  token: "Код доступа из ссылки",
  number: "Номер обращения",
  id: "Номер",
  topic: "Тема",
  name: "Имя",
  phone: "Телефон",
  comment: "Комментарий",
  code: "Код",
  totp: "Код из приложения",
  current: "Текущий пароль",
  next: "Новый пароль",
  title: "Заголовок",
  summary: "Краткое описание",
  description: "Описание",
  slug: "Адрес статьи",
  tags: "Метки",
  synonyms: "Синонимы",
  visibility: "Видимость",
  status: "Статус",
  priority: "Приоритет",
  department: "Подразделение",
  departmentId: "Подразделение",
  assignee: "Исполнитель",
  assigneeId: "Исполнитель",
  operator: "Сотрудник",
  operatorId: "Сотрудник",
  role: "Роль",
  active: "Активен",
  reason: "Причина",
  question: "Вопрос",
  message: "Сообщение",
  publicMessage: "Сообщение для заявителей",
  into: "Номер обращения, с которым объединить",
  other: "Номер связанного обращения",
  numbers: "Номера обращений",
  messageId: "Сообщение",
  templateId: "Шаблон ответа",
  version: "Версия",
  year: "Год",
  date: "Дата",
  day: "День",
  at: "Время",
  channel: "Канал",
  q: "Строка поиска",
  limit: "Количество",
  cursor: "Курсор",
  sort: "Сортировка",
  dir: "Направление сортировки",
  overdue: "Просроченные",
  keywords: "Ключевые слова",
  categories: "Категории",
  since: "Время начала",
  expectedRecoveryAt: "Ожидаемое время восстановления",
  snils: "СНИЛС",
  callId: "Звонок",
  url: "Адрес",
  events: "События",
  recipients: "Получатели",
  hour: "Час",
  yaml: "Справочник (YAML)",
  "hours.from": "Начало рабочего дня",
  "hours.to": "Конец рабочего дня",
  "hours.zone": "Часовой пояс",
  "firstResponse.minutes": "Срок первого ответа",
  "resolution.minutes": "Срок решения",
  contact: "Контактные данные",
  "idempotency-key": "Ключ повторной отправки",
  helpful: "Помогла ли статья",
  abroad: "За пределами России",
  table: "Таблица",
  format: "Формат",
  source: "Источник",
  action: "Действие",
  "action.type": "Действие",
  "action.assigneeId": "Исполнитель",
  "action.into": "Номер обращения, с которым объединить",
  days: "Дни",
  maxWaiting: "Наибольшая очередь",
});

// Names a field has only in a query: a period's ends in the statistics (in a body, «from» is a sender's number, sent
// by a machine, and keeps its own name).
const QUERY_FIELD_NAMES: Record<string, string> = { from: "Начало периода", to: "Конец периода" };

function fieldOf(e: AjvError): string {
  const path = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (e.keyword === "required") return [path, String(e.params.missingProperty)].filter(Boolean).join(".");
  if (e.keyword === "additionalProperties")
    return [path, String(e.params.additionalProperty)].filter(Boolean).join(".");
  return path;
}

const TYPE_NAMES: Record<string, string> = {
  string: "строка",
  number: "число",
  integer: "целое число",
  boolean: "true или false",
  object: "объект",
  array: "список",
  null: "null",
};
/** «строка», «целое число»; a union («string,null») reads «строка или null». */
const typeName = (type: string) =>
  type
    .split(",")
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(" или ");

const NOT_AN_OBJECT = "Тело запроса должно быть объектом JSON.";

/** One Russian sentence for a schema violation. */
export function describeSchemaError(e: AjvError, where: string): { field: string; message: string } {
  const field = fieldOf(e);
  const p = e.params;
  // The whole body of the wrong type (none, null, a list, a string): there is no field to name.
  if (!field && e.keyword === "type" && where === "body" && String(p.type).split(",").includes("object"))
    return { field: where, message: NOT_AN_OBJECT };
  // The whole body of another type than the route takes (a list where a list is expected is a field-less error too).
  if (!field && e.keyword === "type" && where === "body")
    return { field: where, message: `Тело запроса имеет неверный тип: ожидается ${typeName(String(p.type))}.` };
  // An item of a list is named as its list is («status.0» is the list «status»).
  const listed = field.replace(/\.\d+(?=\.|$)/g, "");
  const label =
    where === "querystring" && Object.hasOwn(QUERY_FIELD_NAMES, field)
      ? QUERY_FIELD_NAMES[field]
      : (FIELD_NAMES[field] ?? FIELD_NAMES[listed]);
  const name = label ? `«${label}»` : field ? `«${listed}»` : where;
  const message = (() => {
    switch (e.keyword) {
      case "required":
        return `Заполните поле ${name}.`;
      case "minLength":
        return Number(p.limit) <= 1
          ? `Заполните поле ${name}.`
          : `Поле ${name} короче ${count(Number(p.limit), ...WORDS.characterGenitive)}.`;
      case "maxLength":
        return `Поле ${name} длиннее ${count(Number(p.limit), ...WORDS.characterGenitive)}.`;
      case "type":
        return `Поле ${name} имеет неверный тип: ожидается ${typeName(String(p.type))}.`;
      case "enum":
        return `Недопустимое значение поля ${name}. Возможные: ${(p.allowedValues as unknown[]).join(", ")}.`;
      case "additionalProperties":
        return `Неизвестное поле ${name}.`;
      case "minimum":
      case "maximum":
        return `Значение поля ${name} вне допустимых пределов.`;
      case "pattern":
      case "format":
        return `Поле ${name} заполнено в неверном формате.`;
      default:
        return `Поле ${name} заполнено неверно.`;
    }
  })();
  return { field: field || where, message };
}

export function schemaErrorFormatter(errs: AjvError[], dataVar: string) {
  const first = describeSchemaError(errs[0]!, dataVar);
  const err = new Error(first.message) as Error & { validationDetails: unknown };
  err.validationDetails = errs.map((e) => describeSchemaError(e, dataVar));
  return err;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return reply
    .code(status)
    .type("application/problem+json; charset=utf-8")
    .send({
      type: `https://otklik.dev/problems/${code}`,
      title: message,
      status,
      code,
      detail: message,
      ...extra,
    });
}

export function errorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isAppError(error)) {
    if (error.status === 429 && error.details?.retryAfter)
      reply.header("retry-after", String(error.details.retryAfter));
    // A part of the service not set up or away (503: the phone channel without its secret) is the administrator's to
    // know, not a fault: its code alone, as a warning. Any other server-side fault with a code of its own (a data key
    // missing) goes to the log as an error.
    if (error.status === 503) req.log.warn({ code: error.code, route: req.routeOptions.url }, "service unavailable");
    else if (error.status >= 500) req.log.error({ err: error }, "server error");
    return sendProblem(reply, error.status, error.code, error.message, error.details ?? {});
  }
  // A lost database is an outage, not a fault of the request: 503, and when to try again.
  if (isDatabaseUnavailable(error)) {
    req.log.warn({ err: { type: error.name, code: error.code } }, "database unavailable");
    reply.header("retry-after", String(DATABASE_UNAVAILABLE.retryAfterSeconds));
    return sendProblem(reply, 503, DATABASE_UNAVAILABLE.code, DATABASE_UNAVAILABLE.message);
  }
  if (error.validation) {
    const details = (error as unknown as { validationDetails?: unknown }).validationDetails;
    return sendProblem(reply, 400, "validation_failed", error.message, { errors: details });
  }
  const status = error.statusCode ?? 500;
  if (status === 413 || error.code === "FST_REQ_FILE_TOO_LARGE" || error.code === "FST_FILES_LIMIT") {
    return sendProblem(reply, 413, "payload_too_large", "Запрос слишком большой: уменьшите файлы или их число.");
  }
  if (status === 415) return sendProblem(reply, 415, "unsupported_media_type", "Этот тип содержимого не принимается.");
  // A malformed multipart body, whoever read it (a route's own req.file() included).
  if (isMultipartSyntaxError(error)) {
    const e = invalidMultipart();
    return sendProblem(reply, e.status, e.code, e.message);
  }
  if (status === 429) return sendProblem(reply, 429, "rate_limited", "Слишком много запросов. Повторите чуть позже.");
  if (status >= 400 && status < 500) {
    const code =
      error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY"
        ? "invalid_json"
        : "bad_request";
    return sendProblem(reply, status, code, "Запрос составлен неверно и не может быть обработан.");
  }
  // The error's text may quote data (a database error quotes the statement's parameters): the logger's serializer
  // keeps only its class, codes and stack frames.
  req.log.error({ err: error }, "unhandled error");
  return sendProblem(reply, 500, "internal_error", "Внутренняя ошибка. Мы уже знаем о ней; попробуйте ещё раз позже.");
}

// Errors Fastify meets before a route is found (a path that does not decode, a parameter too long). Their own
// answer is English and quotes the raw URL, which may carry a tracking token: neither goes out nor to the log.
const FRAMEWORK_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_BAD_URL: [400, "bad_url", "Адрес запроса составлен неверно: в нём ошибка кодирования символов."],
  FST_ERR_MAX_PARAM_LENGTH: [414, "url_too_long", "Адрес запроса слишком длинный."],
};

export function frameworkErrorHandler(error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const known = Object.hasOwn(FRAMEWORK_ERRORS, error.code) ? FRAMEWORK_ERRORS[error.code] : undefined;
  if (known) return sendProblem(reply, ...known);
  req.log.error({ err: error }, "framework error");
  return sendProblem(reply, 500, "internal_error", "Внутренняя ошибка. Мы уже знаем о ней; попробуйте ещё раз позже.");
}

/** What Node's HTTP parser refused, by its error code: status, code and sentence. */
function clientErrorOf(code: string | undefined): [number, string, string] {
  if (code === "HPE_HEADER_OVERFLOW")
    return [431, "headers_too_large", "Заголовки запроса слишком велики. Уменьшите их и повторите запрос."];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT")
    return [408, "request_timeout", "Запрос не пришёл целиком за отведённое время. Повторите его."];
  return [400, "bad_request", "Запрос составлен неверно и не может быть обработан."];
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/**
 * A request Node's HTTP parser could not read (a broken request line, a bad Content-Length, headers too large, too
 * slow): there is no request nor reply, so the answer is written to the socket by hand, and the socket closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
  // A reset connection, or one already gone: nobody to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  // As Node does: no answer over a response already begun on this socket, it would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [status, code, message] = clientErrorOf(error.code);
    const body = JSON.stringify({
      type: `https://otklik.dev/problems/${code}`,
      title: message,
      status,
      code,
      detail: message,
    });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
