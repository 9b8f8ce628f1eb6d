// One rule for every request body, enforced here and nowhere else: a route takes exactly the content types its
// schema declares, and each of them is validated by that schema (Fastify validates a plain body schema for JSON and
// forms alike; a `content` map names its types one by one); any other type is a 415 before a byte is parsed. JSON
// nesting is bounded before JSON.parse, NUL is refused before anything reaches PostgreSQL (whose text cannot hold
// it), a number made infinite by coercion is refused after validation, and a route that declares no body receives
// none.

import type { FastifyInstance, FastifyRequest, FastifySchema } from "fastify";
import { count, WORDS } from "../text/plural.ts";
import { AppError, errors } from "./errors.ts";

export const MAX_JSON_DEPTH = 64;
export const JSON_TYPE = "application/json";
export const FORM_TYPE = "application/x-www-form-urlencoded";
export const MULTIPART_TYPE = "multipart/form-data";

/** An API route's input as declared: what the structural tests and the fuzz walk. */
export type DeclaredInput = { method: string; url: string; schema: FastifySchema | undefined; bodyTypes: string[] };

declare module "fastify" {
  interface FastifyContextConfig {
    /** The content types the route takes (set from its schema at registration). */
    bodyTypes?: readonly string[];
    /** The route declares no body: whatever arrives is dropped before the handler. */
    bodyless?: boolean;
  }
}

/** The content types a body schema takes: a `content` map's keys, JSON and forms for a plain schema. */
export function bodyTypesOf(body: unknown): string[] {
  // A route without a body still reads JSON, and drops it: the console posts `{}` to actions that take nothing.
  if (body === undefined || body === null) return [JSON_TYPE];
  const content = (body as { content?: unknown }).content;
  if (content && typeof content === "object") return Object.keys(content).map((t) => t.toLowerCase());
  return [JSON_TYPE, FORM_TYPE];
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
export function mediaTypeOf(header: string): string {
  return header.split(";", 1)[0]!.trim().toLowerCase();
}

/** The charset parameter of a Content-Type header, lower-cased, if it names one. */
export function charsetOf(header: string): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(header);
  const charset = (m?.[1] ?? m?.[2] ?? "").trim().toLowerCase();
  return charset || undefined;
}

// JSON is UTF-8 (RFC 8259): another charset is refused rather than read as UTF-8, and so are bytes that are not it.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

export const charsetError = (charset: string) =>
  errors.unsupportedType(
    `Кодировка «${charset.slice(0, 40)}» здесь не принимается: JSON отправляется в кодировке UTF-8.`,
  );

export const notUtf8Error = () =>
  errors.badInput("invalid_encoding", "Тело запроса не в кодировке UTF-8. Отправьте JSON в кодировке UTF-8.");

const levels = (n: number) => count(n, ...WORDS.levelGenitive);

/** Whether a JSON text nests arrays and objects deeper than `max` (strings are skipped, escapes honoured). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export function tooDeepError() {
  return errors.badInput(
    "json_too_deep",
    `Данные вложены слишком глубоко: допускается не больше ${levels(MAX_JSON_DEPTH)} вложенности.`,
  );
}

/** JSON.parse with the nesting bound: for JSON that arrives outside the HTTP body (a multipart field, a frame). */
export function parseBoundedJson(text: string): unknown {
  if (jsonTooDeep(text)) throw tooDeepError();
  return JSON.parse(text);
}

const NUL_ESCAPED = "\\u0000";

/** PostgreSQL text cannot hold NUL: refuse it at the door with a clear answer instead of failing deep inside. */
export function refuseNul(value: unknown) {
  const found =
    typeof value === "string" ? value.includes("\u0000") : value != null && JSON.stringify(value).includes(NUL_ESCAPED);
  if (found) throw nulError();
}

const nulError = () =>
  errors.badInput("invalid_characters", "Запрос содержит недопустимый символ (NUL). Уберите его и повторите.");

/** The path of the first number in a value that is not finite, if any. */
function nonFinite(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (!value || typeof value !== "object" || depth > MAX_JSON_DEPTH) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = nonFinite(v, path ? `${path}.${k}` : k, depth + 1);
    if (found) return found;
  }
  return undefined;
}

// Ajv coerces "1e309" or "Infinity" in a path, query or form to Infinity and then skips its bounds (they apply to
// finite numbers only): an Infinity after validation came from such a string, and is refused here.
function refuseNonFinite(req: FastifyRequest) {
  for (const [where, part] of [
    ["params", req.params],
    ["querystring", req.query],
    ["body", req.body],
  ] as const) {
    const field = nonFinite(part, "");
    if (field !== undefined) {
      throw errors.validation(`Значение поля «${field || where}» вне допустимых пределов.`, { field: field || where });
    }
  }
}

// RFC 2046: 1–70 characters of a fixed set, not ending in a space. Busboy fails on anything else with an error of
// its own, mid-stream; checked here it is a clear 400 before the body is read.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export function invalidMultipart(detail = "Тело multipart/form-data повреждено или оборвано. Отправьте форму заново.") {
  return errors.badInput("invalid_multipart", detail);
}

// Busboy reports a malformed body with plain errors, without a code; @fastify/multipart adds a few coded ones.
const SYNTAX_MESSAGES = /^(Multipart: Boundary not found|Unexpected end of (multipart data|form)|\w+ terminated early)/;
const SYNTAX_CODES = new Set([
  "FST_MP_PREMATURE_CLOSE",
  "FST_PROTO_VIOLATION",
  "FST_INVALID_JSON_FIELD_ERROR",
  "FST_INVALID_MULTIPART_CONTENT_TYPE",
]);

/** Whether an error comes from parsing a malformed multipart body (a 400, whoever read the parts). */
export function isMultipartSyntaxError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string" && SYNTAX_CODES.has(code)) return true;
  return e instanceof Error && e.constructor === Error && SYNTAX_MESSAGES.test(e.message);
}

function checkBoundary(header: string) {
  const m = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(header);
  const boundary = m ? (m[1] ?? m[2] ?? "") : "";
  if (!BOUNDARY.test(boundary)) {
    throw invalidMultipart(
      "В заголовке Content-Type формы multipart/form-data нет границы (boundary) или она неверна.",
    );
  }
}

function hasBody(req: FastifyRequest) {
  const length = req.headers["content-length"];
  return req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
}

// A multipart body is read by the handler (readMultipart), after validation, so Fastify sees it empty (null). The
// route declares the schema of its text fields; Fastify is given «null or those fields», readMultipart and the
// OpenAPI document the fields themselves.
const FIELDS = Symbol("multipart fields");
type BodySchema = { content?: Record<string, { schema?: object }> } | undefined;

function withMultipartRead(body: BodySchema): BodySchema {
  const entry = body?.content?.[MULTIPART_TYPE];
  if (!entry?.schema || FIELDS in entry.schema) return body;
  const schema = { anyOf: [{ type: "null" }, entry.schema], [FIELDS]: entry.schema };
  return { ...body, content: { ...body!.content, [MULTIPART_TYPE]: { ...entry, schema } } };
}

function hasContentMap(body: unknown): boolean {
  return typeof body === "object" && body !== null && "content" in body;
}

/** The schema of a multipart body's text fields, as the route declared it. */
export function multipartFieldsOf(body: unknown): object | undefined {
  const schema = (body as BodySchema)?.content?.[MULTIPART_TYPE]?.schema as Record<symbol, object> | undefined;
  return schema?.[FIELDS] ?? schema;
}

/** A route's body schema as the route declared it (for the OpenAPI document). */
export function declaredBody(body: unknown): unknown {
  const fields = multipartFieldsOf(body);
  const b = body as BodySchema;
  if (!fields || !b?.content) return body;
  return { ...b, content: { ...b.content, [MULTIPART_TYPE]: { ...b.content[MULTIPART_TYPE], schema: fields } } };
}

/** Installs the rule on the application; returns the list of API routes' declared inputs. */
export function enforceBodyRule(app: FastifyInstance): DeclaredInput[] {
  const declared: DeclaredInput[] = [];
  app.addHook("onRoute", (route) => {
    const schema = route.schema;
    const bodyTypes = bodyTypesOf(schema?.body);
    route.config = { ...route.config, bodyTypes, bodyless: schema?.body === undefined };
    if (schema?.body) route.schema = { ...schema, body: withMultipartRead(schema.body as BodySchema) };
    if (!route.url.startsWith("/api/")) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== "HEAD") declared.push({ method, url: route.url, schema, bodyTypes });
  });

  // Before the body is read: a type the route does not take is refused whole.
  app.addHook("preParsing", async (req, _reply, payload) => {
    const header = req.headers["content-type"];
    const accepted = req.routeOptions.config?.bodyTypes;
    if (header === undefined || accepted === undefined || req.method === "GET" || req.method === "HEAD") return payload;
    if ((req.method === "DELETE" || req.method === "OPTIONS") && !hasBody(req)) return payload;
    const type = mediaTypeOf(header);
    if (!accepted.includes(type)) {
      throw errors.unsupportedType(
        `Тип содержимого «${type.slice(0, 100)}» здесь не принимается. Принимается: ${accepted.join(", ")}.`,
      );
    }
    if (type === MULTIPART_TYPE) checkBoundary(header);
    // A compressed body is not unpacked here: read as it is, its bytes would be refused as a broken text or, worse,
    // taken for one.
    const encoding = req.headers["content-encoding"]?.trim().toLowerCase();
    if (encoding && encoding !== "identity") {
      throw new AppError(
        "unsupported_content_encoding",
        `Сжатое тело запроса (Content-Encoding: ${encoding.slice(0, 40)}) не принимается: отправьте его без сжатия.`,
        415,
      );
    }
    return payload;
  });

  // JSON: the charset and the bytes checked, then the nesting bound before the parser (secure-json-parse keeps
  // refusing __proto__ and constructor keys). Read as bytes: as a string, Fastify would have turned bytes that are
  // not UTF-8 into U+FFFD and stored them so.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(JSON_TYPE);
  app.addContentTypeParser(JSON_TYPE, { parseAs: "buffer" }, (req, raw, done) => {
    const charset = charsetOf(req.headers["content-type"] ?? "");
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
      return done(charsetError(charset), undefined);
    let body: string;
    try {
      body = UTF8.decode(raw as Buffer);
    } catch {
      return done(notUtf8Error(), undefined);
    }
    if (jsonTooDeep(body)) return done(tooDeepError(), undefined);
    // JSON can hold NUL only as the escape `\u0000` (a raw one is a syntax error): the text is looked at once, here,
    // instead of serialising what it parses to again.
    if (body.includes(NUL_ESCAPED)) return done(nulError(), undefined);
    parseJson(req, body, done);
  });

  app.addHook("preValidation", async (req) => {
    if (req.routeOptions.config?.bodyless) req.body = undefined;
    // A body declared per content type is validated by the type that came; with none, nothing would check it.
    if (hasContentMap(req.routeOptions.schema?.body) && req.headers["content-type"] === undefined) {
      const accepted = req.routeOptions.config?.bodyTypes?.join(", ") ?? "";
      throw errors.validation(`Запрос пришёл без тела или без заголовка Content-Type. Принимается: ${accepted}.`, {
        field: "body",
      });
    }
    refuseNul(req.query);
    refuseNul(req.params);
    const type = req.headers["content-type"];
    if (type === undefined || mediaTypeOf(type) !== JSON_TYPE) refuseNul(req.body);
  });
  app.addHook("preHandler", async (req) => refuseNonFinite(req));
  return declared;
}
