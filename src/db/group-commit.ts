// Group commit: what arrives while a group is being written waits and goes in the next group, so each statement and
// each commit serves many callers at once. With nobody waiting a caller goes at once, alone.
import { isDatabaseUnavailable } from "./outage.ts";

export type GroupCommitOptions = {
  /** Groups written side by side (one for a single-connection engine). */
  parallel: number;
  /** The largest group. */
  maxBatch?: number;
  /** Told the size of each group as it starts (benchmarks count them). */
  onGroup?: (size: number) => void;
};

/**
 * `write` takes a group and answers one result per item, in order. If a group fails, each of its items is written
 * again on its own, so one bad item fails alone and the others go through.
 */
export class GroupCommit<T, R> {
  private waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * A group starts on the next turn of the event loop, after every request already received has been read: the
   * embedded engine runs a whole transaction without giving the loop a turn, so starting at once would write each
   * item alone while the others wait unread.
   */
  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump() {
    while (this.running < this.opts.parallel && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.opts.maxBatch ?? 64);
      this.running++;
      this.opts.onGroup?.(group.length);
      void this.run(group).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async run(group: GroupCommit<T, R>["waiting"]) {
    try {
      const out = await this.write(group.map((g) => g.item));
      for (const [i, g] of group.entries()) g.resolve(out[i]!);
    } catch (e) {
      // A lost database fails every item alike: writing them again one by one would only make each wait longer.
      if (group.length === 1 || isDatabaseUnavailable(e)) {
        for (const g of group) g.reject(e);
        return;
      }
      for (const g of group) {
        try {
          const [one] = await this.write([g.item]);
          g.resolve(one!);
        } catch (err) {
          g.reject(err);
        }
      }
    }
  }
}
