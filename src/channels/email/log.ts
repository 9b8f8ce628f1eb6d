// Log lines of the e-mail room's background work (IMAP polling), which runs outside any HTTP request and so
// outside the server's request log: JSON in the same shape (pino levels), at the configured OTKLIK_LOG_LEVEL.
// Callers pass codes and counts only. An error is reduced to its code: an IMAP server's message may quote
// the mailbox's login, and a database error the letter's addresses.

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = "info" | "warn" | "error";

export type LogFields = Record<string, string | number | boolean>;
export type RoomLog = Record<Level, (msg: string, fields?: LogFields) => void>;

export function roomLog(
  name: string,
  level: string,
  write: (line: string) => void = (line) => void process.stdout.write(line),
): RoomLog {
  const threshold = level === "silent" ? Number.POSITIVE_INFINITY : (LEVELS[level as keyof typeof LEVELS] ?? 30);
  const at =
    (l: Level) =>
    (msg: string, fields: LogFields = {}) => {
      if (LEVELS[l] < threshold) return;
      write(`${JSON.stringify({ level: LEVELS[l], time: Date.now(), pid: process.pid, name, ...fields, msg })}\n`);
    };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

/** A stable code for an error, never its message. */
export function errorCode(e: unknown): string {
  const err = e as { serverResponseCode?: unknown; code?: unknown; authenticationFailed?: unknown; name?: unknown };
  if (typeof err?.serverResponseCode === "string") return err.serverResponseCode.slice(0, 40);
  if (err?.authenticationFailed === true) return "AUTHENTICATIONFAILED";
  if (typeof err?.code === "string") return err.code.slice(0, 40);
  return typeof err?.name === "string" ? err.name.slice(0, 40) : "Error";
}
