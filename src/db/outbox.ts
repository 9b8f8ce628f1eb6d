// The outbox: side effects of a change are written as rows in the same transaction, then carried out
// after commit. NOTIFY inside the transaction is delivered only on commit, so realtime pushes never
// announce a change that rolled back; jobs are claimed with a lease so that one worker does each.
import { sql } from "drizzle-orm";
import { after, contain, every, Passes } from "../guard.ts";
import type { Database, Queryable, Tx } from "./client.ts";
import { events } from "./schema.ts";

/**
 * The NOTIFY channel is one per schema: two installations sharing a database (or two test suites sharing a server)
 * must not hear each other's events. `otklik_events` for the `public` schema, `otklik_events_<schema>` otherwise.
 */
export const EVENTS_CHANNEL = "otklik_events";
export const eventsChannelOf = (schemaName: string) =>
  schemaName === "public" ? EVENTS_CHANNEL : `${EVENTS_CHANNEL}_${schemaName}`;
/** The same name, worked out by the server inside a sending statement from the connection's own schema. */
export const EVENTS_CHANNEL_SQL = `('${EVENTS_CHANNEL}' || coalesce(nullif('_' || current_schema(), '_public'), ''))`;
const channel = sql.raw(EVENTS_CHANNEL_SQL);

export type EventMessage = { id: number; topic: string; data: Record<string, unknown> };

/**
 * Records an event in the caller's transaction. `data` travels in the NOTIFY payload to every process:
 * keep it small and free of personal data (ids, numbers, statuses).
 */
export async function emit(tx: Tx, topic: string, data: Record<string, unknown>): Promise<void> {
  // One statement: the row, and its NOTIFY built from what was stored.
  await tx.execute(sql`with e as (
      insert into events (topic, payload) values (${topic}, ${JSON.stringify(data)}::jsonb) returning id, topic, payload)
    select pg_notify(${channel}, json_build_object('id', id, 'topic', topic, 'data', payload)::text) from e`);
}

/** Records several events with two statements: one insert, one NOTIFY per event from a single select. */
export async function emitMany(tx: Tx, list: { topic: string; data: Record<string, unknown> }[]): Promise<void> {
  if (list.length === 0) return;
  const rows = await tx
    .insert(events)
    .values(list.map((e) => ({ topic: e.topic, payload: e.data })))
    .returning({ id: events.id, topic: events.topic, payload: events.payload });
  const messages = rows.map((r): EventMessage => ({ id: r.id, topic: r.topic, data: r.payload }));
  await tx.execute(
    sql`select pg_notify(${channel}, m) from jsonb_array_elements_text(${JSON.stringify(messages.map((m) => JSON.stringify(m)))}::jsonb) m`,
  );
}

type Listener = (event: EventMessage) => unknown;

/**
 * Fans NOTIFY messages out to this process's subscribers (SSE streams, WebSocket clients, jobs). Each subscriber runs
 * under the guard: one that throws or rejects is logged and the others still hear the event.
 */
export class EventBus {
  private listeners = new Set<Listener>();
  private resumers = new Set<() => void>();
  private unlisten: (() => Promise<void>) | undefined;

  async start(database: Database) {
    this.unlisten = await database.listen(
      eventsChannelOf(database.schemaName),
      (payload) => {
        let message: EventMessage;
        try {
          message = JSON.parse(payload) as EventMessage;
        } catch {
          return;
        }
        this.publish(message);
      },
      () => {
        for (const r of this.resumers) void contain("bus.resume", r);
      },
    );
  }

  /** Delivers an event to every subscriber of this process. */
  private publish(message: EventMessage) {
    for (const l of this.listeners) void contain(`bus:${message.topic}`, () => l(message));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs after the bus listens again following a lost database connection: notifications sent meanwhile were not
   * heard, so whoever pushes from them reads what they missed.
   */
  onResume(listener: () => void): () => void {
    this.resumers.add(listener);
    return () => this.resumers.delete(listener);
  }

  get subscriberCount() {
    return this.listeners.size;
  }

  async stop() {
    await this.unlisten?.();
    this.listeners.clear();
    this.resumers.clear();
  }
}

/**
 * A topic's job. `wants`, when given, answers from the event alone (its payload, and what the process already holds
 * in memory; never a read) whether the job has anything to do with it: an event no job of its topic wants wakes no
 * worker and is marked done with the next claim, without being claimed and run.
 */
export type JobHandler = ((event: EventMessage, db: Queryable) => Promise<void>) & {
  wants?: (event: EventMessage) => boolean;
  many?: ManyRun;
};

/**
 * A job's set-based form, for a burst: runs the job for several events of its topic at once (a few statements for the
 * lot instead of a few per event), with the effect of running it for each in the given order, and answers the errors
 * of those that failed, by event id (the others succeeded). One that throws leaves each event to be run on its own.
 */
export type ManyRun = (events: EventMessage[], db: Queryable) => Promise<Map<number, unknown>>;

/**
 * Runs a job for each event in turn, collecting the failures into `failed` (an event already there is skipped: one of
 * its topic's jobs failed on it, and the whole event is retried).
 */
export async function runEach(
  job: (event: EventMessage, db: Queryable) => Promise<void>,
  events: EventMessage[],
  db: Queryable,
  failed = new Map<number, unknown>(),
) {
  for (const e of events) {
    if (failed.has(e.id)) continue;
    try {
      await job(e, db);
    } catch (error) {
      failed.set(e.id, error);
    }
  }
  return failed;
}

/** A job that says which events it has anything to do with (see `JobHandler`). */
export function jobFor(
  wants: (event: EventMessage) => boolean,
  run: (event: EventMessage, db: Queryable) => Promise<void>,
  many?: ManyRun,
) {
  return Object.assign(run, many ? { wants, many } : { wants }) as JobHandler;
}

/** Most event ids remembered as wanted by no job until the next claim marks them done (the rest are claimed later). */
const UNWANTED_LIMIT = 10_000;

/** The statement that marks finished jobs done (on its own, or ahead of the next claim). */
const markDoneSql = (done: number[]) => sql`
  update events set processed_at = now(), last_error = null
  where id = any(${toPgArray(done.map(String))}::bigint[]) and processed_at is null`;

/**
 * Carries out the jobs attached to event topics. At least once: a job is marked done after its handler
 * returns; a worker that dies mid-job leaves the lease to expire and another worker retries it.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private readonly passes = new Passes(
    "outbox.drain",
    () => this.drain(),
    () => this.stopped,
  );
  private stopped = false;
  private started = false;
  /** The events of topics without a job are marked done by the periodic pass, not by every pass an event wakes. */
  private sweepDue = true;
  private gathering: NodeJS.Timeout | undefined;
  /** Events heard that no job of their topic wants: the next claim marks them done. */
  private unwanted: number[] = [];
  /** Since when the jobs have had work waiting without a pass that found none (ms, the monotonic clock). */
  private waitingSince: number | undefined;

  constructor(
    private readonly database: Database,
    private handlers: Record<string, JobHandler> = {},
    private readonly opts: {
      leaseSeconds?: number;
      pollMs?: number;
      batch?: number;
      gatherMs?: number;
      parallel?: number;
      /** The process receives a burst of requests or letters right now (src/http/pressure.ts). */
      busy?: () => boolean;
      /** How long, at most, a pass gives way to such a burst before it takes its turn (ms; 0: never). */
      deferMs?: number;
      /** Where a failed job is reported (its topic, event and error code, never the error's message). */
      log?: { warn(fields: Record<string, unknown>, message: string): void };
    } = {},
  ) {}

  /** Started and not stopped: this process claims the jobs of the outbox. */
  get active(): boolean {
    return this.started && !this.stopped;
  }

  /** The topics that have a job (the others' events are only announced, and marked done by the sweep). */
  get topics(): string[] {
    return Object.keys(this.handlers);
  }

  /** The jobs by topic, when they can only be made after the worker (the rooms' jobs close over the context that holds it). */
  setJobs(handlers: Record<string, JobHandler>) {
    this.handlers = handlers;
  }

  start(bus: EventBus) {
    this.started = true;
    // Woken only by topics that have a job; the periodic pass sweeps the rest and picks up what a crash left. The
    // events of the next few milliseconds are gathered into the same pass: under load (a busy chat announces a few
    // events per line) one claim takes a batch instead of one claim per event.
    // An event that no job of its topic wants (a registration without contacts, when no webhook listens) wakes
    // nothing: the next pass marks it done in the statement that claims (the periodic one, if nothing else comes).
    bus.subscribe((e) => {
      const handler = this.handlers[e.topic];
      if (!handler) return;
      if (wanted(handler, e)) this.soon();
      else if (this.unwanted.length < UNWANTED_LIMIT) this.unwanted.push(e.id);
    });
    // Back from an outage: what was committed meanwhile is carried out now rather than at the next sweep.
    bus.onResume(() => void this.kick());
    this.timer = every("outbox.sweep", this.opts.pollMs ?? 2000, () => {
      this.sweepDue = true;
      return this.kick();
    });
    this.timer.unref();
    void this.kick();
  }

  /** A pass a moment from now, shared by every event heard meanwhile. */
  private soon() {
    if (this.gathering || this.stopped) return;
    this.gathering = after("outbox.gather", this.opts.gatherMs ?? 20, () => {
      this.gathering = undefined;
      return this.kick();
    });
  }

  /** Runs one pass now (tests call it to drain the outbox deterministically). */
  kick(): Promise<void> {
    // A database that is away (restart, network) must not take the process down: the next pass retries.
    return this.passes.run();
  }

  /**
   * Claims and runs batches until a claim finds nothing. The batch's finished jobs are marked done by the statement
   * that claims the next batch (at least once: a crash before it only repeats jobs, and every job is idempotent), so a
   * pass woken by one event costs two statements besides its job: the claim, and the claim that finds nothing more.
   */
  private async drain() {
    if (this.sweepDue) {
      this.sweepDue = false;
      await this.sweep();
    }
    // A claim that fails leaves these unmarked: they are claimed later and their jobs find nothing to do.
    let done = this.unwanted;
    this.unwanted = [];
    for (;;) {
      await this.giveWay();
      // A stopping process finishes the batch in hand and claims no more: the rest waits for the next process (or
      // this one's next start), and a stop is not held up by a backlog that would take minutes to work off.
      if (this.stopped) {
        await this.markDone(done);
        return;
      }
      const claimed = await this.claim(done);
      if (claimed.length === 0) {
        this.waitingSince = undefined;
        return;
      }
      done = await this.runBatch(claimed);
    }
  }

  /**
   * Waits while the process receives a burst of requests or letters, but not longer than `deferMs` from when the jobs first had
   * work waiting: a surge of applicants is registered first and their letters follow a moment later, while under a
   * load that lasts the jobs take their turns again as they did, and no job waits much longer than `deferMs`.
   */
  private async giveWay() {
    const { busy, deferMs = 0 } = this.opts;
    if (!busy || deferMs <= 0) return;
    this.waitingSince ??= performance.now();
    const since = this.waitingSince;
    while (!this.stopped && busy() && performance.now() - since < deferMs) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * Runs a batch's jobs and answers the ids of those that succeeded. First the set-based ones: the leading events of
   * each lane whose topic's job has a set-based form (`many`) run together, a topic at a time (a burst of
   * registrations, each with its acknowledgement, costs a few statements per topic instead of a few per request).
   * Then the rest, a few lanes side by side (a job mostly waits on the database: one at a time, a registration's jobs
   * drained at about 60 a second on a PostgreSQL server). The jobs of one request run one after another in the order
   * of their events (an answer's notice before the resolution's); so do the jobs of one topic that belong to no
   * request (the letters to send, in the order they were queued). Several processes already run jobs side by side:
   * every job is written to bear it.
   */
  private async runBatch(claimed: EventMessage[]): Promise<number[]> {
    const lanes = new Map<string, EventMessage[]>();
    for (const e of claimed) {
      const key = typeof e.data.requestId === "number" ? `request:${e.data.requestId}` : `topic:${e.topic}`;
      const lane = lanes.get(key);
      if (lane) lane.push(e);
      else lanes.set(key, [e]);
    }
    const ok = new Set<number>();
    const together = new Map<string, EventMessage[]>();
    for (const lane of lanes.values()) {
      const topic = lane[0]!.topic;
      if (!this.handlers[topic]?.many) continue;
      let k = 1;
      while (k < lane.length && lane[k]!.topic === topic) k++;
      together.set(topic, [...(together.get(topic) ?? []), ...lane.splice(0, k)]);
    }
    for (const [topic, events] of together) {
      events.sort((a, b) => a.id - b.id);
      await this.runMany(this.handlers[topic]!, events, ok);
    }
    const queue = [...lanes.values()].filter((lane) => lane.length > 0);
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const e of lane) if (await this.runOne(e)) ok.add(e.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.parallel ?? 4, queue.length) }, worker));
    return claimed.filter((e) => ok.has(e.id)).map((e) => e.id);
  }

  /** Runs a topic's job for several events at once; a set-based run that throws leaves each to run on its own. */
  private async runMany(handler: JobHandler, events: EventMessage[], ok: Set<number>) {
    let failed: Map<number, unknown> | undefined;
    if (events.length > 1) {
      try {
        failed = await handler.many!(events, this.database.db);
      } catch {
        failed = undefined;
      }
    }
    if (!failed) {
      for (const e of events) if (await this.runOne(e)) ok.add(e.id);
      return;
    }
    for (const e of events) {
      if (failed.has(e.id)) await this.backOff(e, failed.get(e.id));
      else ok.add(e.id);
    }
  }

  /** Topics without a job need no worker: their events are marked done. */
  private async sweep() {
    await this.database.db.execute(sql`
      update events set processed_at = now()
      where processed_at is null and not (topic = any(${toPgArray(this.topics)}::text[]))`);
  }

  /** Marks finished jobs done without claiming more (what the next claim would have done). */
  private async markDone(done: number[]) {
    if (done.length > 0) await this.database.db.execute(markDoneSql(done));
  }

  /**
   * Marks the jobs of `done` as carried out and claims the next batch, in one statement. The claim leaves the
   * finished rows out (the statement's snapshot does not show them done yet).
   */
  private async claim(done: number[]): Promise<EventMessage[]> {
    const { db } = this.database;
    const lease = this.opts.leaseSeconds ?? 60;
    const finished = toPgArray(done.map(String));
    const claim = sql`
      update events set locked_until = now() + make_interval(secs => ${lease}), attempts = attempts + 1
      where id in (
        select id from events
        where processed_at is null and (locked_until is null or locked_until < now())
          ${done.length === 0 ? sql`` : sql`and not (id = any(${finished}::bigint[]))`}
        order by id limit ${this.opts.batch ?? 20}
        for update skip locked)
      returning id, topic, payload`;
    const rows = await db.execute<{ id: number; topic: string; payload: Record<string, unknown> }>(
      done.length === 0
        ? claim
        : sql`with done as (${markDoneSql(done)})
          ${claim}`,
    );
    // RETURNING keeps no order: the batch runs in the order the events were written.
    return rowsOf<{ id: number; topic: string; payload: Record<string, unknown> }>(rows)
      .map((r) => ({ id: Number(r.id), topic: r.topic, data: r.payload }))
      .sort((a, b) => a.id - b.id);
  }

  /** Runs one job; answers whether it succeeded (then the caller marks it done). */
  private async runOne(event: EventMessage): Promise<boolean> {
    const { db } = this.database;
    const handler = this.handlers[event.topic];
    try {
      if (handler) await handler(event, db);
      return true;
    } catch (e) {
      await this.backOff(event, e);
      return false;
    }
  }

  /**
   * A failed job backs off: the lease is extended by a growing delay before the next attempt. The failure is logged,
   * so that a job that keeps failing (a channel's API answering what it should not) is seen, not only retried.
   */
  private async backOff(event: EventMessage, error: unknown) {
    const code = failureCode(error);
    const rows = await this.database.db.execute<{ attempts: number; retry: number }>(sql`
      update events set last_error = ${code},
        locked_until = now() + make_interval(secs => least(3600, 5 * power(2, least(attempts, 10))))
      where id = ${event.id}
      returning attempts::int as attempts, ceil(extract(epoch from locked_until - now()))::int as retry`);
    const row = rowsOf<{ attempts: number; retry: number }>(rows)[0];
    this.opts.log?.warn(
      { topic: event.topic, event: event.id, error: code, attempts: row?.attempts, retryInSeconds: row?.retry },
      "job failed; it will be tried again",
    );
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.gathering) clearTimeout(this.gathering);
    await this.passes.current;
  }
}

/** Whether a job has anything to do with an event; a `wants` that throws is taken for yes (the job decides). */
export function wanted(handler: JobHandler, e: EventMessage): boolean {
  try {
    return handler.wants ? handler.wants(e) : true;
  } catch {
    return true;
  }
}

/**
 * What a failed job leaves on its event: the error's class and codes (a database's SQLSTATE, a channel's code), never
 * its message, which for a database error quotes the statement's parameters — personal data in a plain column.
 */
export function failureCode(e: unknown): string {
  const parts: string[] = [];
  if (e instanceof Error) parts.push(e.constructor.name || e.name);
  type Link = { code?: unknown; cause?: unknown } | null | undefined;
  for (let cur = e as Link, i = 0; cur && typeof cur === "object" && i < 5; i++, cur = cur.cause as Link) {
    if (typeof cur.code === "string" || typeof cur.code === "number") parts.push(String(cur.code));
  }
  return parts.join(" ").slice(0, 200) || "error";
}

/** A list as a PostgreSQL array literal, for `= any($1::…[])`. */
export function toPgArray(items: string[]) {
  return `{${items.map((t) => `"${t.replaceAll('"', '\\"')}"`).join(",")}}`;
}

/** node-postgres answers `{rows}`, PGlite answers `{rows}` too; keep the one place that knows. */
export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? (result as T[])) as T[];
}
