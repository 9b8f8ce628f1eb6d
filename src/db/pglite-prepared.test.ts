import { PGlite, types } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { preparedPglite } from "./pglite-prepared.ts";

let engine: PGlite;
let prepared: PGlite;

beforeAll(async () => {
  engine = await PGlite.create();
  prepared = preparedPglite(engine, 5);
  await engine.exec(`
    create table t (id bigserial primary key, name text unique, n int, big bigint, amount numeric(10, 2),
      at timestamptz, day date, doc jsonb, tags text[], ids bigint[], raw bytea, ok boolean);
    insert into t (name, n, big, amount, at, day, doc, tags, ids, raw, ok) values
      ('один', 1, 9007199254740993, 12.50, '2026-12-07 10:00:00+03', '2026-12-07', '{"a": [1, "б"]}',
        '{"x","y z"}', '{1,2}', '\\x00ff', true),
      ('два', null, null, null, null, null, null, null, null, null, null);
  `);
});
afterAll(async () => {
  await engine.close();
});

/** Drizzle's own parser options: dates and intervals stay text (as drizzle-orm/pglite passes them). */
const asText = (v: string) => v;
const drizzleLike = {
  parsers: { [types.TIMESTAMPTZ]: asText, [types.DATE]: asText, [types.TIMESTAMP]: asText, [types.INTERVAL]: asText },
};

describe("PGlite with prepared statements", () => {
  const query = "select * from t where id >= $1 order by id";

  it("answers exactly what PGlite's own query answers, in both row modes and with a query's own parsers", async () => {
    for (const options of [
      undefined,
      { rowMode: "array" as const },
      drizzleLike,
      { ...drizzleLike, rowMode: "array" as const },
    ]) {
      const theirs = await engine.query(query, [1], options);
      // Twice: the first run prepares the statement, the second only binds it.
      for (let i = 0; i < 2; i++) {
        const ours = await prepared.query(query, [1], options);
        expect(ours.rows).toEqual(theirs.rows);
        expect(ours.fields).toEqual(theirs.fields);
      }
    }
    const [row] = (await prepared.query<Record<string, unknown>>(query, [1])).rows;
    expect(row).toMatchObject({ big: 9007199254740993n, doc: { a: [1, "б"] }, tags: ["x", "y z"], ok: true });
    expect(row!.raw).toEqual(new Uint8Array([0, 255]));
  });

  it("serializes parameters by their type as PGlite does (JSON, arrays, dates, booleans, bytes)", async () => {
    const text = `insert into t (name, doc, ids, at, ok, raw) values ($1, $2, $3, $4, $5, $6)
      returning doc, ids, at, ok, raw`;
    const at = new Date("2026-12-07T07:00:00Z");
    const values = ["три", { b: "в" }, [3, 4], at, false, new Uint8Array([1, 2])];
    const { rows, affectedRows } = await prepared.query<Record<string, unknown>>(text, values);
    expect(affectedRows).toBe(1);
    expect(rows[0]).toEqual({ doc: { b: "в" }, ids: [3, 4], at, ok: false, raw: new Uint8Array([1, 2]) });
    const theirs = await engine.query<Record<string, unknown>>(text, ["четыре", ...values.slice(1)]);
    expect(theirs.rows).toEqual(rows);
  });

  it("writes bytes as PGlite does, every byte value, a view into a larger buffer, and a Node Buffer", async () => {
    const every = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    const backing = new Uint8Array([9, 9, ...every, 9]);
    const view = backing.subarray(2, 2 + 256);
    for (const value of [every, view, Buffer.from(every), new Uint8Array(0)]) {
      const [ours] = (await prepared.query<{ raw: Uint8Array }>("select $1::bytea as raw", [value])).rows;
      const [theirs] = (await engine.query<{ raw: Uint8Array }>("select $1::bytea as raw", [value])).rows;
      expect(ours!.raw).toEqual(theirs!.raw);
      expect(Buffer.from(ours!.raw).equals(Buffer.from(value))).toBe(true);
    }
    const [text] = (await prepared.query<{ hex: string }>("select encode($1::bytea, 'hex') as hex", [view])).rows;
    expect(text!.hex).toBe(Buffer.from(every).toString("hex"));
  });

  it("counts the rows an update changed, and a statement without rows answers none", async () => {
    const updated = await prepared.query("update t set n = coalesce(n, 0) + 1 where id <= $1", [2]);
    expect(updated.affectedRows).toBe(2);
    expect(updated.rows).toEqual([]);
    const none = await prepared.query("select 1 where false");
    expect(none.rows).toEqual([]);
  });

  it("throws PGlite's error with its code and the query, and the engine goes on", async () => {
    const text = "insert into t (name) values ($1)";
    const error = await prepared.query(text, ["один"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "23505", query: text });
    const syntax = await prepared.query("selec 1").catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: "42601" });
    expect((await prepared.query<{ n: number }>("select count(*)::int as n from t")).rows[0]!.n).toBeGreaterThan(1);
  });

  it("in a transaction: its statements see its writes, a failure rolls all of them back", async () => {
    const before = (await prepared.query<{ n: number }>("select count(*)::int as n from t")).rows[0]!.n;
    await expect(
      prepared.transaction(async (tx) => {
        await tx.query("insert into t (name) values ($1)", ["пять"]);
        expect((await tx.query<{ n: number }>("select count(*)::int as n from t")).rows[0]!.n).toBe(before + 1);
        await tx.query("insert into t (name) values ($1)", ["один"]);
      }),
    ).rejects.toMatchObject({ code: "23505" });
    expect((await prepared.query<{ n: number }>("select count(*)::int as n from t")).rows[0]!.n).toBe(before);
  });

  it("a statement outside a transaction waits for the transaction to end", async () => {
    const order: string[] = [];
    let inside!: () => void;
    const entered = new Promise<void>((r) => {
      inside = r;
    });
    const tx = prepared.transaction(async (t) => {
      await t.query("insert into t (name) values ($1)", ["шесть"]);
      inside();
      await new Promise((r) => setTimeout(r, 50));
      order.push("transaction");
    });
    await entered;
    const seen = prepared
      .query<{ n: number }>("select count(*)::int as n from t where name = $1", ["шесть"])
      .then((r) => {
        order.push("outside");
        return r.rows[0]!.n;
      });
    await tx;
    expect(await seen).toBe(1);
    expect(order).toEqual(["transaction", "outside"]);
  });

  it("NOTIFY sent by a prepared statement reaches listen after the commit", async () => {
    const heard: string[] = [];
    const unlisten = await prepared.listen("prepared_test", (payload) => heard.push(payload));
    await prepared.transaction(async (tx) => {
      await tx.query("select pg_notify($1, $2)", ["prepared_test", "привет"]);
    });
    await prepared.query("select pg_notify($1, $2)", ["prepared_test", "ещё"]);
    await unlisten();
    expect(heard).toEqual(["привет", "ещё"]);
  });

  it("keeps a bounded number of statements prepared, closing the oldest", async () => {
    // Each text twice: prepared once, run again by its name.
    for (let i = 0; i < 12; i++) {
      for (let twice = 0; twice < 2; twice++) await prepared.query(`select $1::int + ${i} as n`, [i]);
    }
    // The five latest texts are held; every one evicted was closed with the exchange that followed its eviction.
    const { rows } = await engine.query<{ statement: string }>(
      "select statement from pg_prepared_statements where name like 'otklik_%'",
    );
    expect(rows.map((r) => r.statement).sort()).toEqual(
      [7, 8, 9, 10, 11].map((i) => `select $1::int + ${i} as n`).sort(),
    );
    expect((await prepared.query<{ n: number }>("select $1::int + 0 as n", [7])).rows[0]!.n).toBe(7);
  });

  it("a table changed under a prepared statement: prepared anew, outside a transaction without an error", async () => {
    const text = "select * from t where id = $1";
    await prepared.query(text, [1]);
    await engine.exec("alter table t add column extra text default 'новое'");
    const { rows } = await prepared.query<{ extra: string }>(text, [1]);
    expect(rows[0]!.extra).toBe("новое");
  });

  it("a chain of statements gives the event loop a turn: a timer due meanwhile fires before the chain ends", async () => {
    // PGlite answers in a microtask: without the turns, statements awaited one after another hold the loop (and every
    // request the server has not read yet) until the last one is done.
    for (const run of [
      (i: number) => prepared.query("select $1::int as i", [i]),
      (i: number) => prepared.transaction((tx) => tx.query("select $1::int as i", [i])),
    ]) {
      let fired = false;
      const timer = setTimeout(() => (fired = true), 0);
      const started = performance.now();
      let runs = 0;
      while (performance.now() - started < 150) await run(runs++);
      const firedDuring = fired;
      clearTimeout(timer);
      expect(runs).toBeGreaterThan(10);
      expect(firedDuring).toBe(true);
    }
  });

  it("still finds the lock PGlite's own query takes", () => {
    expect(typeof (engine as unknown as { _runExclusiveTransaction?: unknown })._runExclusiveTransaction).toBe(
      "function",
    );
  });
});
