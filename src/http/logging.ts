// JSON logs without personal data: requests are logged by route pattern (never the raw URL, which may carry
// a tracking token or a search for a phone number), known personal fields are redacted wherever they appear, and
// an error is logged by its class, codes and stack frames only — never its message, which may quote data.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { LoggerOptions } from "pino";

export const PERSONAL_KEYS = [
  "name",
  "email",
  "phone",
  "text",
  "body",
  "subject",
  "comment",
  "password",
  "contact",
  "q",
  "from",
  "to",
  "snils",
  "inn",
];

const SECRET_HEADERS = ["authorization", "cookie", '["x-csrf-token"]', '["x-chat-token"]', '["x-otklik-signature"]'];

// What may name an error: a class name or a code is an identifier, never free text.
const IDENTIFIER = /^[\w$.:-]{1,80}$/;
// Fields of a PostgreSQL error (pg and PGlite) that name the schema, never the data. `detail`, `hint`, `where` and
// the message quote values ("Key (email)=(…) already exists"), so they never go out.
const SAFE_FIELDS = ["constraint", "table", "column", "schema", "routine", "severity"] as const;
const FRAME = /^\s+at \S/;

/** The stack's frames, without the header lines that repeat the message (a driver's message spans several lines). */
function framesOf(err: Record<string, unknown>): string | undefined {
  if (typeof err.stack !== "string") return undefined;
  const message = typeof err.message === "string" ? err.message : "";
  let rest = err.stack;
  const at = message ? rest.indexOf(message) : -1;
  if (at >= 0) rest = rest.slice(at + message.length);
  else {
    // The message was changed after the stack was taken: only the unbroken run of frames at the end is trusted.
    const lines = rest.split("\n");
    let first = lines.length;
    while (first > 0 && FRAME.test(lines[first - 1]!)) first--;
    rest = lines.slice(first).join("\n");
  }
  const frames = rest
    .split("\n")
    .filter((l) => FRAME.test(l))
    .slice(0, 20)
    .map((l) => l.trim());
  return frames.length ? frames.join("\n") : undefined;
}

/** An error as the log may hold it: type, codes, the schema names of a database error, stack frames, its cause. */
export function serializeError(e: unknown, depth = 0): Record<string, unknown> {
  if (!e || typeof e !== "object") return { type: typeof e };
  const err = e as Record<string, unknown>;
  const name = (err.constructor as { name?: unknown } | undefined)?.name;
  const out: Record<string, unknown> = { type: typeof name === "string" && IDENTIFIER.test(name) ? name : "Error" };
  for (const key of ["code", "statusCode", ...SAFE_FIELDS]) {
    const v = err[key];
    if (typeof v === "number" || (typeof v === "string" && IDENTIFIER.test(v))) out[key] = v;
  }
  const stack = framesOf(err);
  if (stack) out.stack = stack;
  if (depth < 3 && err.cause) out.cause = serializeError(err.cause, depth + 1);
  if (depth < 3 && Array.isArray(err.errors) && err.errors.every((x) => x instanceof Error)) {
    out.errors = err.errors.slice(0, 5).map((x) => serializeError(x, depth + 1));
  }
  return out;
}

const isErrorLike = (v: unknown): v is { message?: unknown } =>
  v instanceof Error || (!!v && typeof v === "object" && "stack" in v && "message" in v);

export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: [
        ...SECRET_HEADERS.map((h) => `req.headers${h.startsWith("[") ? h : `.${h}`}`),
        // Headers logged under another key (a library's trace of its options).
        ...SECRET_HEADERS.map((h) => `*.headers${h.startsWith("[") ? h : `.${h}`}`),
        ...PERSONAL_KEYS.map((k) => `*.${k}`),
        ...PERSONAL_KEYS.map((k) => `*.*.${k}`),
      ],
      censor: "[скрыто]",
    },
    serializers: {
      req(req: FastifyRequest) {
        return { method: req.method, route: req.routeOptions?.url ?? "unmatched", id: req.id };
      },
      res(reply: FastifyReply) {
        return { statusCode: reply.statusCode };
      },
      err: serializeError,
    },
    hooks: {
      // `log.error(err)` makes the message the log line's text, and Fastify passes `err.message` as the text of
      // its own error lines: the text becomes «error», the error goes through the serializer above.
      logMethod(args, method) {
        const [first, text, ...rest] = args as unknown[];
        const err = isErrorLike(first) ? first : (first as { err?: unknown } | null)?.err;
        if (!isErrorLike(err)) return method.apply(this, args);
        const line = typeof text === "string" && text !== err.message ? text : "error";
        return method.apply(this, [isErrorLike(first) ? { err: first } : first, line, ...rest]);
      },
    },
  } satisfies LoggerOptions;
}
