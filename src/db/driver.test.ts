// The seam under Drizzle (driver.ts) holds on both engines: a statement sent to the driver runs in the same
// transaction as the query builder's, and a column's driver value is what an ordinary insert stores. If a Drizzle
// upgrade moves either, these fail before any hot path does.
import { eq, getTableColumns, sql } from "drizzle-orm";
import { date, pgTable, timestamp } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { requestColumns, requests } from "../requests/schema.ts";
import { driverColumns, driverQuery, driverValue } from "./driver.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

describe("the driver seam", () => {
  it("runs a statement in the transaction the query builder is in: each sees the other's uncommitted rows", async () => {
    await expect(
      s.ctx.db.transaction(async (tx) => {
        await tx.execute(sql`create temporary table seam_probe (n int) on commit drop`);
        await tx.execute(sql`insert into seam_probe values (1)`);
        const seen = await driverQuery<{ n: number }>(tx, "select n from seam_probe", []);
        expect(seen.map((r) => Number(r.n))).toEqual([1]);
        await driverQuery(tx, "insert into seam_probe values ($1)", [2], "otklik_seam_probe_insert");
        const both = await tx.execute<{ n: number }>(sql`select n from seam_probe order by n`);
        expect(((both as unknown as { rows: { n: number }[] }).rows ?? both).map((r) => Number(r.n))).toEqual([1, 2]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
  });

  it("a named statement runs again under its name on the same connection", async () => {
    await s.ctx.db.transaction(async (tx) => {
      for (const n of [3, 4]) {
        const [r] = await driverQuery<{ v: number }>(tx, "select $1::int + 1 as v", [n], "otklik_seam_probe_add");
        expect(Number(r!.v)).toBe(n + 1);
      }
    });
  });

  it("a sealed column's driver value is what an insert would store: ciphertext that the column reads back", async () => {
    const stored = driverValue(requests.contactEmail, "seam@example.ru");
    expect(String(stored)).toMatch(/^v1:/);
    expect(driverValue(requests.contactEmail, null)).toBeNull();
    const created = (
      await s.app.inject({ method: "POST", url: "/api/v1/requests", payload: { text: "Проверка шва драйвера" } })
    ).json() as { number: string };
    await s.ctx.db.transaction((tx) =>
      driverQuery(tx, "update requests set contact_email = $1 where number = $2", [stored, created.number]),
    );
    const [row] = await s.ctx.db
      .select({ email: requests.contactEmail })
      .from(requests)
      .where(eq(requests.number, created.number));
    expect(row!.email).toBe("seam@example.ru");
  });

  it("a row read by a statement written once maps to what the query builder's select gives", async () => {
    const created = (
      await s.app.inject({
        method: "POST",
        url: "/api/v1/requests",
        payload: { text: "Проверка чтения строки", contact: { name: "Ирина", email: "irina@example.ru" } },
      })
    ).json() as { number: string };
    const columns = driverColumns<Record<string, unknown>>(requestColumns);
    const [raw] = await s.ctx.db.transaction((tx) =>
      driverQuery<Record<string, unknown>>(tx, `select ${columns.list} from requests where number = $1`, [
        created.number,
      ]),
    );
    const [built] = await s.ctx.db.select(requestColumns).from(requests).where(eq(requests.number, created.number));
    expect(columns.map(raw!)).toEqual(built);
    expect(columns.map(raw!).contactEmail).toBe("irina@example.ru");
  });

  it("refuses a column the drivers hand over differently from the query builder", () => {
    const probe = pgTable("driver_probe", {
      day: date("day"),
      local: timestamp("local"),
      zoned: timestamp("zoned", { withTimezone: true }),
    });
    const { day, local, zoned } = getTableColumns(probe);
    expect(() => driverColumns({ day })).toThrow(/day/);
    expect(() => driverColumns({ local })).toThrow(/local/);
    expect(() => driverColumns({ zoned })).not.toThrow();
  });
});
