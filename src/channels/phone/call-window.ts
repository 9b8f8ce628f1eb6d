// How long a call opens the caller's portal account to the employees who may see it: from the answer while the
// call lasts, and a short while after the hangup for the follow-up (a code resent, a status read back). Pure.

import { AppError } from "../../http/errors.ts";
import { count, WORDS } from "../../text/plural.ts";

/** After the hangup the operator may still finish what the caller asked for. */
export const AFTER_CALL_MINUTES = 15;
/** A call whose hangup never came counts as lasting this long (the wallboard's «stale» rule). */
export const LONGEST_CALL_HOURS = 2;

type Timed = { answeredAt: Date | null; endedAt: Date | null };

/** The window of a call, or null when nobody answered it. */
export function callWindow(call: Timed): { opens: Date; closes: Date } | null {
  if (!call.answeredAt) return null;
  const ended = call.endedAt ?? new Date(call.answeredAt.getTime() + LONGEST_CALL_HOURS * 3600_000);
  return { opens: call.answeredAt, closes: new Date(ended.getTime() + AFTER_CALL_MINUTES * 60_000) };
}

/** Verification and portal actions happen inside the call's window. */
export function assertCallOpen(call: Timed, now: Date) {
  const w = callWindow(call);
  if (!w) {
    throw new AppError(
      "call_window_closed",
      "Звонок не принят: проверка личности и действия на портале возможны только во время разговора.",
      403,
    );
  }
  if (now > w.closes) {
    throw new AppError(
      "call_window_closed",
      `Звонок завершён больше ${count(AFTER_CALL_MINUTES, ...WORDS.minuteGenitive)} назад: действия на портале по нему закрыты. Если заявитель позвонит снова, проверьте его личность на новом звонке.`,
      403,
    );
  }
}
