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
    expect(ok).toEqual({ checked: 5, brokenAt: null });

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
});
