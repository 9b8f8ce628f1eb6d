// The delivery worker: claims due deliveries (a lease, FOR UPDATE SKIP LOCKED, so any number of processes share the
// work and none sends one twice at once), makes one attempt at each and records it. Woken when deliveries are
// queued in this process; a periodic pass picks up retries that fall due and what other processes queued.
import type { Db } from "../db/client.ts";
import { contain, every, Passes } from "../guard.ts";
import type { AddressPolicy } from "./address.ts";
import { attempt, TIMEOUT_MS } from "./send.ts";
import { disableForFailure } from "./service.ts";
import { claimDue, deliveriesToSend, pruneLog, recordAttempt } from "./store.ts";

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private readonly passes = new Passes(
    "webhooks.drain",
    () => this.drain(),
    () => this.stopped,
  );
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly policy: AddressPolicy,
    private readonly opts: { pollMs?: number; batch?: number; timeoutMs?: number } = {},
  ) {}

  start() {
    this.timer = every("webhooks.sweep", this.opts.pollMs ?? 5000, () => this.kick());
    this.timer.unref();
    this.pruner = every("webhooks.prune", 3_600_000, () => pruneLog(this.db));
    this.pruner.unref();
    void this.kick();
  }

  /** Runs passes until nothing is due (tests await it to drain deterministically). */
  kick(): Promise<void> {
    return this.passes.run();
  }

  private async drain() {
    const timeoutMs = this.opts.timeoutMs ?? TIMEOUT_MS;
    // The lease outlasts an attempt's deadline, so a delivery in flight is never claimed a second time.
    const lease = Math.ceil(timeoutMs / 1000) * 3 + 10;
    for (;;) {
      const ids = await claimDue(this.db, this.opts.batch ?? 10, lease);
      if (ids.length === 0) return;
      const batch = await deliveriesToSend(this.db, ids);
      // One per subject at most in a batch (claimDue's order rule), so they may go in parallel.
      await Promise.all(batch.map((d) => contain("webhooks.deliver", () => this.deliver(d))));
    }
  }

  private async deliver(d: Awaited<ReturnType<typeof deliveriesToSend>>[number]) {
    const a = await attempt(
      { url: d.url, secret: d.secret },
      { deliveryId: d.deliveryId, type: d.type, body: d.body },
      this.policy,
      this.opts.timeoutMs ?? TIMEOUT_MS,
    );
    const failed = d.attempts + 1;
    if (a.ok) {
      await recordAttempt(this.db, d.id, "delivered", a, failed);
    } else if (Date.now() >= d.expiresAt.getTime()) {
      await recordAttempt(this.db, d.id, "failed", a, failed);
      await disableForFailure(this.db, d.subscriptionId, d.url);
    } else {
      await recordAttempt(this.db, d.id, "retry", a, failed);
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pruner) clearInterval(this.pruner);
    await this.passes.current;
  }
}
