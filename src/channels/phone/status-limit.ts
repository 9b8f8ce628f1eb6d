// How many request numbers the IVR looks up (menu 3), so that its answers cannot be used to find which numbers
// exist: a few an hour per caller's number, and a ceiling for the whole process whatever the numbers calling.
import { IVR_STATUS_LIMITS } from "./limits.ts";

type Window = { start: number; count: number };

/** Withheld and unrecognised numbers share one allowance: withholding the number buys no more look-ups. */
export const UNKNOWN_CALLER = "unknown";

export class StatusLookupLimiter {
  private readonly callers = new Map<string, Window>();
  private process: Window = { start: 0, count: 0 };

  constructor(private readonly limits: { perCaller: number; perProcess: number; windowSeconds: number }) {}

  /**
   * Counts one look-up for the caller when both allowances have room; false (and nothing counted) when either is
   * spent. A caller refused by their own allowance uses up none of the process's.
   */
  take(caller: string | null, now: Date): boolean {
    const t = now.getTime();
    const span = this.limits.windowSeconds * 1000;
    if (t - this.process.start >= span) {
      this.process = { start: t, count: 0 };
      // Windows that ended go with the process's: the map holds at most one hour's callers, and no more of them
      // than look-ups the process allows in an hour.
      for (const [key, w] of this.callers) if (t - w.start >= span) this.callers.delete(key);
    }
    const key = caller ?? UNKNOWN_CALLER;
    let own = this.callers.get(key);
    if (own && t - own.start >= span) own = undefined;
    if ((own?.count ?? 0) >= this.limits.perCaller) return false;
    if (this.process.count >= this.limits.perProcess) return false;
    this.process.count++;
    this.callers.set(key, own ? { start: own.start, count: own.count + 1 } : { start: t, count: 1 });
    return true;
  }
}

const limiters = new WeakMap<object, StatusLookupLimiter>();

/** The limiter of one running server (one per context, so that test servers in one process do not share it). */
export function statusLimiterOf(owner: object): StatusLookupLimiter {
  let limiter = limiters.get(owner);
  if (!limiter) {
    limiter = new StatusLookupLimiter(IVR_STATUS_LIMITS);
    limiters.set(owner, limiter);
  }
  return limiter;
}
