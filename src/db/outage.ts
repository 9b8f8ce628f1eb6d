// The one place that recognises a lost database: the server went away, is restarting, refuses connections, or the
// pool found no connection in time. Such a failure is an outage — HTTP 503, SMTP 451, a chat «try again» — not a bug.

/** SQLSTATEs of a lost or not yet accepting server (class 08 is matched by prefix). */
const SERVER_GONE = new Set([
  "57P01", // admin_shutdown: the server is stopping or our backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up
  "53300", // too_many_connections
]);

const SOCKET_GONE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

// node-postgres and pg-pool say these in words only.
const GONE_TEXT =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)/;

export const DATABASE_UNAVAILABLE = {
  code: "database_unavailable",
  message: "База данных временно недоступна. Повторите через несколько секунд.",
  /** What HTTP answers put in Retry-After: a restart of the server takes a few seconds. */
  retryAfterSeconds: 5,
} as const;

/** True when the error (or what it wraps: Drizzle puts the driver's error in `cause`) means the database is away. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (code.startsWith("08") || SERVER_GONE.has(code) || SOCKET_GONE.has(code))) {
      return true;
    }
    if (typeof message === "string" && GONE_TEXT.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
