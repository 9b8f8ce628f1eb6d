import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { audit, verifyChain } from "./audit.ts";

let s: TestServer;
beforeAll(async () => {
  s = await createTestServer();
});
afterAll(() => s?.close());

describe("audit chain", () => {
  it("holds when intact and points at the first entry that was edited or removed", async () => {
    for (let i = 0; i < 5; i++) {
      await s.ctx.db.transaction((tx) =>
        audit(tx, {
          actorId: null,
          action: "test.view",
          subjectType: "request",
          subjectId: String(1000 + i),
          reason: `r${i}`,
        }),
      );
    }
    const ok = await verifyChain(s.ctx.db);
    expect(ok).toMatchObject({ ok: true, checked: 5, brokenAt: null });

    const ids = (
      (await s.ctx.db.execute(sql`select id from audit_log order by id`)) as unknown as { rows: { id: number }[] }
    ).rows.map((r) => Number(r.id));
    await s.ctx.db.execute(sql`update audit_log set reason = 'подменено' where id = ${ids[2]}`);
    expect((await verifyChain(s.ctx.db)).brokenAt).toBe(ids[2]);
    await s.ctx.db.execute(sql`update audit_log set reason = 'r2' where id = ${ids[2]}`);
    expect((await verifyChain(s.ctx.db)).brokenAt).toBeNull();
    await s.ctx.db.execute(sql`delete from audit_log where id = ${ids[1]}`);
    expect((await verifyChain(s.ctx.db)).brokenAt).toBe(ids[2]);
  });

  it("verifies entries whose details have several keys, which jsonb stores in an order of its own", async () => {
    await s.ctx.db.execute(sql`delete from audit_log`);
    await s.ctx.db.transaction((tx) =>
      audit(tx, {
        actorId: null,
        action: "test.view",
        subjectType: "request",
        subjectId: "1",
        details: { zeta: 1, alpha: { y: 2, b: [3, { d: 4, c: 5 }] }, mid: "x" },
      }),
    );
    expect(await verifyChain(s.ctx.db)).toMatchObject({ ok: true, checked: 1, brokenAt: null });
  });

  it("names the deletion of its oldest entries even when the anchor is set to hide it", async () => {
    await s.ctx.db.execute(sql`delete from audit_log`);
    for (let i = 0; i < 4; i++) {
      await s.ctx.db.transaction((tx) =>
        audit(tx, { actorId: null, action: "test.view", subjectType: "request", subjectId: String(i) }),
      );
    }
    const rows = (
      (await s.ctx.db.execute(sql`select id, hash from audit_log order by id`)) as unknown as {
        rows: { id: number; hash: string }[];
      }
    ).rows;
    // What a retention purge would leave behind, without a purge having happened.
    await s.ctx.db.execute(sql`delete from audit_log where id <= ${rows[1]!.id}`);
    await s.ctx.db.execute(
      sql`insert into settings (key, value) values ('audit_anchor', ${rows[1]!.hash})
        on conflict (key) do update set value = excluded.value`,
    );
    expect((await verifyChain(s.ctx.db)).brokenAt).toBe(Number(rows[2]!.id));
  });
});
