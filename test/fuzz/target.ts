// What a fuzz target is and what it counts: cases tried, server errors (HTTP 5xx, SMTP 451 after a failed store, a
// chat frame answered `internal`, a failure the server's guard contained), crashes (an exception or rejection nobody
// caught), and errors thrown in the harness.

export type Tally = {
  cases: number;
  serverErrors: number;
  crashes: number;
  thrown: number;
  failures: string[];
};

export type Target = {
  name: string;
  /** Its part of the run's time. */
  share: number;
  run(until: number, tally: Tally): Promise<void>;
};

export const newTally = (): Tally => ({ cases: 0, serverErrors: 0, crashes: 0, thrown: 0, failures: [] });

/** Keeps the first failures of each target (enough to reproduce with the seed). */
export function note(tally: Tally, what: string) {
  if (tally.failures.length < 12) tally.failures.push(what.replace(/\s+/g, " ").slice(0, 300));
}

/** A failure of the harness itself, or of the server as seen from outside (a hang, a refused connection). */
export function thrown(tally: Tally, where: string, e: unknown) {
  tally.thrown++;
  note(tally, `${where} threw ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 120)}`);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Shows a value in a failure line: short, with control characters visible. */
export const show = (v: unknown) =>
  (typeof v === "string" ? v : (JSON.stringify(v) ?? String(v)))
    .slice(0, 160)
    .replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
