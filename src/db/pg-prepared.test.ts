// The PostgreSQL pool's statements by name (src/db/pg-prepared.ts), against the server named by TEST_DATABASE_URL.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "./client.ts";
import { rowsOf } from "./outbox.ts";
import { PER_CONNECTION } from "./pg-prepared.ts";

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)("statements by name on a PostgreSQL server", () => {
  const schema = `otklik_prepared_${randomBytes(4).toString("hex")}`;
  let database: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    // One connection: every statement below runs on it, so its prepared statements are the ones listed.
    database = await openDatabase({ databaseUrl: url, schemaName: schema, poolSize: 1 });
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create table ${schema}.t (id int primary key, name text)`);
    await admin.query(`insert into ${schema}.t values (1, 'один'), (2, 'два')`);
  });
  afterAll(async () => {
    await database?.close();
    await admin?.query(`drop schema if exists ${schema} cascade`);
    await admin?.end();
  });

  const prepared = async () =>
    rowsOf<{ statement: string }>(
      await database.db.execute(sql`select statement from pg_prepared_statements where name like 'otklik_%'`),
    ).map((r) => r.statement);

  it("prepares a parametrised text from its second run, and answers the same rows each time", async () => {
    const unparametrised = sql.raw("select id, name from t where id = 1 /* without parameters */");
    const byParameter = async (id: number) =>
      rowsOf<{ id: number; name: string }>(
        await database.db.execute(sql`select id, name from t where id = ${id} /* by parameter */`),
      );
    expect(await byParameter(1)).toEqual([{ id: 1, name: "один" }]);
    expect((await prepared()).some((s) => s.includes("by parameter"))).toBe(false);
    expect(await byParameter(2)).toEqual([{ id: 2, name: "два" }]);
    expect(await byParameter(1)).toEqual([{ id: 1, name: "один" }]);
    expect((await prepared()).filter((s) => s.includes("by parameter"))).toHaveLength(1);
    // A statement without parameters goes by the simple protocol, unnamed (it may hold several statements).
    await database.db.execute(unparametrised);
    await database.db.execute(unparametrised);
    expect((await prepared()).some((s) => s.includes("without parameters"))).toBe(false);
  });

  it("never names a `select *`, whose columns a migration may change under it", async () => {
    const star = (id: number) => sql`select * from t where id = ${id} /* star */`;
    for (const id of [1, 2, 1]) await database.db.execute(star(id));
    expect((await prepared()).some((s) => s.includes("star */"))).toBe(false);
    await admin.query(`alter table ${schema}.t add column note text`);
    expect(rowsOf(await database.db.execute(star(2)))).toEqual([{ id: 2, name: "два", note: null }]);
  });

  it("a statement whose answer's type changed under it: run again unnamed outside a transaction, failed inside one", async () => {
    const typed = (id: number) => sql`select id, name from t where id = ${id} /* typed */`;
    await database.db.execute(typed(1));
    await database.db.execute(typed(1));
    expect((await prepared()).some((s) => s.includes("typed */"))).toBe(true);
    await admin.query(`alter table ${schema}.t alter column name type varchar(50)`);
    // Outside a transaction: the stale statement is run again at once, unnamed.
    expect(rowsOf(await database.db.execute(typed(2)))).toEqual([{ id: 2, name: "два" }]);
    await admin.query(`alter table ${schema}.t alter column name type text`);
    // Never named again: the next run, in a transaction, does not meet the stale statement.
    const inTx = await database.db.transaction(async (tx) => rowsOf(await tx.execute(typed(1))));
    expect(inTx).toEqual([{ id: 1, name: "один" }]);

    // Inside a transaction the stale statement fails it, as any statement's error does, with PostgreSQL's code.
    const other = (id: number) => sql`select id, name from t where id = ${id} /* typed, in a transaction */`;
    await database.db.execute(other(1));
    await database.db.execute(other(1));
    await admin.query(`alter table ${schema}.t alter column name type varchar(60)`);
    const failed = await database.db
      .transaction(async (tx) => tx.execute(other(1)))
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; cause?: { code?: string } },
      );
    expect(failed?.code ?? failed?.cause?.code).toBe("0A000");
    expect(rowsOf(await database.db.execute(other(2)))).toEqual([{ id: 2, name: "два" }]);
  });

  // Last: it fills the connection.
  it("keeps at most PER_CONNECTION statements on a connection; the texts past it run unnamed and answer alike", async () => {
    const before = (await prepared()).length;
    for (let i = 0; i < PER_CONNECTION - before + 5; i++) {
      const distinct = sql`select id, name from t where id = ${1} /* many ${sql.raw(String(i))} */`;
      for (let run = 0; run < 2; run++) {
        expect(rowsOf(await database.db.execute(distinct))).toEqual([{ id: 1, name: "один" }]);
      }
    }
    expect((await prepared()).length).toBe(PER_CONNECTION);
  });
});
