// How many request numbers the IVR looks up (menu 3), so that its answers cannot be used to find which numbers
// exist: a few an hour per caller's number, and a ceiling for the whole process whatever the numbers calling.
import { WindowLimiter } from "../../window-limiter.ts";
import { IVR_STATUS_LIMITS } from "./limits.ts";

/** Withheld and unrecognised numbers share one allowance: withholding the number buys no more look-ups. */
export const UNKNOWN_CALLER = "unknown";
const PROCESS = "process";

export class StatusLookupLimiter {
  private readonly callers: WindowLimiter;
  private readonly process: WindowLimiter;

  constructor(private readonly limits: { perCaller: number; perProcess: number; windowSeconds: number }) {
    this.callers = new WindowLimiter(limits.windowSeconds * 1000);
    this.process = new WindowLimiter(limits.windowSeconds * 1000);
  }

  /**
   * Counts one look-up for the caller when both allowances have room; false (and nothing counted) when either is
   * spent. A caller refused by their own allowance uses up none of the process's.
   */
  take(caller: string | null, now: Date): boolean {
    const t = now.getTime();
    const key = caller ?? UNKNOWN_CALLER;
    if (!this.callers.hasRoom(key, this.limits.perCaller, t)) return false;
    if (!this.process.take(PROCESS, this.limits.perProcess, t)) return false;
    return this.callers.take(key, this.limits.perCaller, t);
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
