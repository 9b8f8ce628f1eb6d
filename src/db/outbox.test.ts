import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, dropSchema } from "../../test/database.ts";
import { type Database, openDatabase } from "./client.ts";
import { EventBus, type EventMessage, emit, failureCode, jobFor, OutboxWorker, rowsOf } from "./outbox.ts";

const url = process.env.TEST_DATABASE_URL;
let test: Awaited<ReturnType<typeof createTestDatabase>>;
let database: Database;
let bus: EventBus;
const seen: EventMessage[] = [];

beforeAll(async () => {
  test = await createTestDatabase("outbox");
  database = test.database;
  bus = new EventBus();
  await bus.start(database);
  bus.subscribe((e) => seen.push(e));
});
afterAll(async () => {
  await bus?.stop();
  await test?.close();
});

const waitFor = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe("outbox", () => {
  it("announces a committed change, and nothing for a change that rolled back", async () => {
    await database.db
      .transaction(async (tx) => {
        await emit(tx, "test.rolled_back", { n: 1 });
        throw new Error("abort");
      })
      .catch(() => {});
    await database.db.transaction(async (tx) => {
      await emit(tx, "test.committed", { n: 2 });
    });
    await waitFor(() => seen.some((e) => e.topic === "test.committed"));
    expect(seen.map((e) => e.topic)).toContain("test.committed");
    expect(seen.map((e) => e.topic)).not.toContain("test.rolled_back");
    const rows = await database.db.execute(sql`select topic from events where topic like 'test.%'`);
    expect((rows as unknown as { rows: { topic: string }[] }).rows.map((r) => r.topic)).toEqual(["test.committed"]);
  });

  it.skipIf(!url)("an installation in another schema of the same database hears none of these events", async () => {
    const otherSchema = `otklik_outbox_${randomBytes(4).toString("hex")}`;
    const other = await openDatabase({ databaseUrl: url, schemaName: otherSchema });
    const otherBus = new EventBus();
    const heardThere: EventMessage[] = [];
    try {
      await other.migrate();
      await otherBus.start(other);
      otherBus.subscribe((e) => heardThere.push(e));
      await database.db.transaction((tx) => emit(tx, "test.here_only", { n: 3 }));
      await other.db.transaction((tx) => emit(tx, "test.there_only", { n: 4 }));
      await waitFor(() => seen.some((e) => e.topic === "test.here_only"));
      await waitFor(() => heardThere.some((e) => e.topic === "test.there_only"));
      expect(seen.map((e) => e.topic)).toContain("test.here_only");
      expect(seen.map((e) => e.topic)).not.toContain("test.there_only");
      expect(heardThere.map((e) => e.topic)).toEqual(["test.there_only"]);
    } finally {
      await otherBus.stop();
      await other.close();
      await dropSchema(url, otherSchema);
    }
  });

  it("two workers carry out each job once; a failing job is retried later", async () => {
    const done: number[] = [];
    let failOnce = true;
    const handlers = {
      "test.job": async (e: EventMessage) => {
        if (e.data.k === 3 && failOnce) {
          failOnce = false;
          throw new Error("temporary");
        }
        done.push(e.data.k as number);
      },
    };
    for (let k = 0; k < 10; k++) await database.db.transaction((tx) => emit(tx, "test.job", { k }));
    const a = new OutboxWorker(database, handlers);
    const b = new OutboxWorker(database, handlers);
    await Promise.all([a.kick(), b.kick(), a.kick(), b.kick()]);
    expect(done.filter((k) => k === 3)).toEqual([]);
    expect([...done].sort((x, y) => x - y)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    // The failed job's lease is pushed into the future; expire it to retry now.
    await database.db.execute(
      sql`update events set locked_until = now() - interval '1 second' where topic = 'test.job' and processed_at is null`,
    );
    await a.kick();
    expect([...done].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await a.stop();
    await b.stop();
  });
});

describe("a batch of jobs", () => {
  it("runs the jobs of different requests side by side, and those of one request in the order of their events", async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const handlers = {
      "test.lane": async (e: EventMessage) => {
        running++;
        most = Math.max(most, running);
        log.push(`start ${e.data.requestId}/${e.data.k}`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`end ${e.data.requestId}/${e.data.k}`);
        running--;
      },
    };
    for (let k = 0; k < 3; k++)
      for (const requestId of [101, 102, 103]) {
        await database.db.transaction((tx) => emit(tx, "test.lane", { requestId, k }));
      }
    const worker = new OutboxWorker(database, handlers, { parallel: 3 });
    await worker.kick();
    await worker.stop();
    expect(log.filter((l) => l.startsWith("end"))).toHaveLength(9);
    expect(most).toBe(3);
    for (const requestId of [101, 102, 103]) {
      const mine = log.filter((l) => l.includes(` ${requestId}/`));
      expect(mine).toEqual([0, 1, 2].flatMap((k) => [`start ${requestId}/${k}`, `end ${requestId}/${k}`]));
    }
  });
});

describe("an event no job wants", () => {
  it("wakes no worker, is never claimed or run, and is marked done by the next claim", async () => {
    const ran: number[] = [];
    const wants = (e: EventMessage) => {
      if (e.data.odd === true) throw new Error("cannot tell");
      return e.data.want === true;
    };
    const worker = new OutboxWorker(
      database,
      { "test.wants": jobFor(wants, async (e) => void ran.push(e.data.k as number)) },
      { pollMs: 60_000, gatherMs: 5 },
    );
    worker.start(bus);
    await worker.kick();
    const emitted = (k: number, data: Record<string, unknown>) =>
      database.db.transaction((tx) => emit(tx, "test.wants", { k, ...data }));
    await emitted(1, { want: false });
    await emitted(2, { want: false });
    await waitFor(() => seen.filter((e) => e.topic === "test.wants").length === 2);
    await new Promise((r) => setTimeout(r, 100));
    const state = async () =>
      (
        (await database.db.execute(
          sql`select payload->>'k' as k, processed_at is not null as done, attempts from events
            where topic = 'test.wants' order by id`,
        )) as unknown as { rows: { k: string; done: boolean; attempts: number }[] }
      ).rows.map((r) => `${r.k}:${r.done ? "done" : "pending"}:${r.attempts}`);
    // Nothing woke the worker: both wait, unclaimed.
    expect(await state()).toEqual(["1:pending:0", "2:pending:0"]);
    // A wanted event wakes it; so does one whose `wants` cannot tell. The claim that takes them marks the others done.
    await emitted(3, { want: true });
    await emitted(4, { odd: true });
    await waitFor(() => ran.length === 2);
    await worker.kick();
    expect(ran).toEqual([3, 4]);
    expect(await state()).toEqual(["1:done:0", "2:done:0", "3:done:1", "4:done:1"]);
    await worker.stop();
  });
});

describe("a failed job's record", () => {
  it("keeps the error's class and codes, never its message (a database error quotes its parameters)", () => {
    const inner = Object.assign(new Error('null value in column "x" violates: params: +79161234567'), {
      code: "23502",
    });
    const wrapped = Object.assign(new Error("Failed query: insert … params: +79161234567,passport 4509 123456"), {
      cause: inner,
    });
    const code = failureCode(wrapped);
    expect(code).toBe("Error 23502");
    expect(code).not.toMatch(/7916|4509/);
    expect(failureCode("text thrown")).toBe("error");
  });
});

describe("a set-based job", () => {
  it("takes the leading events of every lane together, then runs the rest of each lane in order", async () => {
    const log: string[] = [];
    const label = (e: EventMessage) => `${e.topic.slice(5)} ${e.data.requestId ?? "-"}/${e.data.k}`;
    const single = async (e: EventMessage) => {
      log.push(`one ${label(e)}`);
    };
    const many = async (events: EventMessage[]) => {
      log.push(`many ${events.map(label).join(", ")}`);
      // The second event of request 301 fails: it alone backs off and is retried.
      return new Map(events.filter((e) => e.data.requestId === 301 && e.data.k === 1).map((e) => [e.id, new Error()]));
    };
    const handlers = {
      "test.set": jobFor(() => true, single, many),
      "test.after": async (e: EventMessage) => single(e),
    };
    const write = (topic: string, data: Record<string, unknown>) =>
      database.db.transaction((tx) => emit(tx, topic, data));
    await write("test.set", { requestId: 301, k: 0 });
    await write("test.set", { requestId: 302, k: 0 });
    await write("test.set", { requestId: 301, k: 1 });
    await write("test.after", { requestId: 301, k: 2 });
    await write("test.set", { requestId: 301, k: 3 });
    await write("test.set", { k: 4 });
    await write("test.set", { k: 5 });
    const warned: Record<string, unknown>[] = [];
    const worker = new OutboxWorker(database, handlers, {
      parallel: 1,
      log: { warn: (fields) => warned.push(fields) },
    });
    await worker.kick();
    await worker.stop();
    // The failure is logged by topic, event and code, with when it will be tried again.
    expect(warned).toEqual([
      expect.objectContaining({ topic: "test.set", error: "Error", attempts: 1, retryInSeconds: 10 }),
    ]);
    // Request 301's lane: its two leading «set» events go with the others, then «after», then its last «set» alone.
    expect(log).toEqual(["many set 301/0, set 302/0, set 301/1, set -/4, set -/5", "one after 301/2", "one set 301/3"]);
    const rows = await database.db.execute(sql`select payload->>'k' as k, processed_at is not null as done, last_error
      from events where topic in ('test.set', 'test.after') order by id`);
    const list = (rows as unknown as { rows: { k: string; done: boolean; last_error: string | null }[] }).rows;
    expect(list.map((r) => `${r.k} ${r.done ? "done" : r.last_error}`)).toEqual([
      "0 done",
      "0 done",
      "1 Error",
      "2 done",
      "3 done",
      "4 done",
      "5 done",
    ]);
  });

  it("runs each event on its own when the set-based run throws", async () => {
    const log: string[] = [];
    const handlers = {
      "test.fallback": jobFor(
        () => true,
        async (e) => {
          log.push(`one ${e.data.k}`);
        },
        async () => {
          throw new Error("set-based run failed");
        },
      ),
    };
    for (const k of [0, 1, 2])
      await database.db.transaction((tx) => emit(tx, "test.fallback", { requestId: 400 + k, k }));
    const worker = new OutboxWorker(database, handlers);
    await worker.kick();
    await worker.stop();
    expect(log.sort()).toEqual(["one 0", "one 1", "one 2"]);
    const rows = await database.db.execute(
      sql`select count(*)::int as n from events where topic = 'test.fallback' and processed_at is null`,
    );
    expect(Number((rows as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBe(0);
  });
});

describe("jobs under a burst of requests", () => {
  const timed = async (opts: { busyMs: number; deferMs: number }) => {
    const started = performance.now();
    let ranAt: number | undefined;
    const worker = new OutboxWorker(
      database,
      {
        "test.defer": async () => {
          ranAt = performance.now() - started;
        },
      },
      { busy: () => performance.now() - started < opts.busyMs, deferMs: opts.deferMs },
    );
    await database.db.transaction((tx) => emit(tx, "test.defer", { k: opts.busyMs }));
    await worker.kick();
    await worker.stop();
    return ranAt;
  };

  it("wait while the burst lasts", async () => {
    const ranAt = await timed({ busyMs: 200, deferMs: 5000 });
    expect(ranAt).toBeGreaterThanOrEqual(190);
  });

  it("wait no longer than the bound under a load that lasts", async () => {
    const ranAt = await timed({ busyMs: 60_000, deferMs: 250 });
    expect(ranAt).toBeGreaterThanOrEqual(240);
    expect(ranAt).toBeLessThan(60_000);
  });

  it("run at once when told never to wait", async () => {
    // The job ran in this pass although the burst outlasts the test.
    expect(await timed({ busyMs: 60_000, deferMs: 0 })).toBeDefined();
  });
});

describe("a stopping worker", () => {
  it("finishes the batch in hand, marks it done and claims no more; the next worker carries out the rest once", async () => {
    const ran: number[] = [];
    let first: OutboxWorker | undefined;
    let stopping: Promise<void> | undefined;
    const handlers = {
      "test.stop": async (e: EventMessage) => {
        ran.push(e.data.k as number);
        // The stop comes while the first batch runs, as a signal would.
        if (ran.length === 1) stopping = first!.stop();
      },
    };
    for (let k = 0; k < 30; k++) await database.db.transaction((tx) => emit(tx, "test.stop", { k }));
    first = new OutboxWorker(database, handlers, { batch: 5, parallel: 1 });
    await first.kick();
    await stopping;
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    const pending = async () =>
      rowsOf<{ n: number }>(
        await database.db.execute(
          sql`select count(*)::int as n from events where topic = 'test.stop' and processed_at is null`,
        ),
      )[0]!.n;
    // The finished batch is marked done; the rest is neither run nor leased.
    expect(await pending()).toBe(25);
    const leased = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from events where topic = 'test.stop' and processed_at is null and locked_until is not null`,
      ),
    )[0]!.n;
    expect(leased).toBe(0);
    const next = new OutboxWorker(database, handlers, { batch: 5, parallel: 1 });
    await next.kick();
    await next.stop();
    expect(ran).toEqual(Array.from({ length: 30 }, (_, k) => k));
    expect(await pending()).toBe(0);
  });
});
