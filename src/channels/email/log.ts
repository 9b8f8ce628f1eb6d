// What the e-mail room's background work (IMAP polling) may say about an error in the log: a stable code, never the
// message. An IMAP server's message may quote the mailbox's login, and a database error the letter's addresses.

/** A stable code for an error, never its message. */
export function errorCode(e: unknown): string {
  const err = e as { serverResponseCode?: unknown; code?: unknown; authenticationFailed?: unknown; name?: unknown };
  if (typeof err?.serverResponseCode === "string") return err.serverResponseCode.slice(0, 40);
  if (err?.authenticationFailed === true) return "AUTHENTICATIONFAILED";
  if (typeof err?.code === "string") return err.code.slice(0, 40);
  return typeof err?.name === "string" ? err.name.slice(0, 40) : "Error";
}
