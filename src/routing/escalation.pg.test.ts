// The single-escalator guarantee: several processes sweep the same overdue requests at once, on one PostgreSQL,
// and every step is taken exactly once; a process started later continues from the levels in the rows.
import { inArray, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { type SharedSchema, sharedSchema } from "../../test/shared-schema.ts";
import { requests } from "../requests/schema.ts";
import type { Running } from "../server.ts";
import { createUser } from "../staff/service.ts";
import { sweep } from "./escalation.ts";

const url = process.env.TEST_DATABASE_URL;
const MIN = 60_000;
const rows = <T>(r: unknown) => ((r as { rows?: T[] }).rows ?? (r as T[])) as T[];

describe.skipIf(!url)("escalation across processes on PostgreSQL", () => {
  let shared: SharedSchema;
  afterAll(() => shared?.close());

  it("two processes sweeping at once escalate each overdue request once; a restart repeats nothing", async () => {
    shared = sharedSchema(url!);
    const a: Running = await shared.start();
    const b: Running = await shared.start();
    await createUser(a.ctx.db, {
      email: "sup@otklik.test",
      role: "supervisor",
      password: "staff-password-1",
      department: "first_line",
    });
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await (i % 2 ? a.ctx : b.ctx).requests.register({
        text: `Не приходит код подтверждения, попытка ${i}`,
        category: "access",
        channel: "web",
      });
      ids.push(r.id);
    }
    const t0 = Date.now();
    await a.ctx.db
      .update(requests)
      .set({
        createdAt: new Date(t0 - 120 * MIN),
        firstResponseDueAt: new Date(t0 - 90 * MIN),
        resolutionDueAt: new Date(t0 - MIN),
      })
      .where(inArray(requests.id, ids));

    // Small batches so that the two processes interleave on the same rows.
    const results = await Promise.all([
      sweep(a.ctx, new Date(t0), 3),
      sweep(b.ctx, new Date(t0), 3),
      sweep(a.ctx, new Date(t0), 5),
      sweep(b.ctx, new Date(t0), 5),
    ]);
    // Due now for each request: first response +0 and +60 minutes, resolution +0: three steps.
    expect(results.reduce((n, r) => n + r.steps, 0)).toBe(40 * 3);
    expect(results.filter((r) => r.steps > 0).length).toBeGreaterThanOrEqual(2);
    const counts = rows<{ request_id: string; n: number }>(
      await a.ctx.db.execute(sql`
        select request_id, count(*)::int as n from request_history
        where action = 'sla_escalated' group by request_id`),
    );
    expect(counts).toHaveLength(40);
    expect(counts.every((c) => Number(c.n) === 3)).toBe(true);
    const notes = rows<{ n: number }>(
      await a.ctx.db.execute(sql`select count(*)::int as n from staff_notifications where kind = 'sla'`),
    );
    // No assignee: the steps go to the one supervisor, who hears once of each missed target (the first response's
    // two steps are one event for them).
    expect(Number(notes[0]!.n)).toBe(40 * 2);

    // Both processes go away; a new one takes up the ladder where the rows say it stands.
    await a.close();
    await b.close();
    const c = await shared.start();
    expect((await sweep(c.ctx, new Date(t0 + MIN))).steps).toBe(0);
    const later = await Promise.all([
      sweep(c.ctx, new Date(t0 + 5 * 60 * MIN)),
      sweep(c.ctx, new Date(t0 + 5 * 60 * MIN)),
    ]);
    expect(later.reduce((n, r) => n + r.steps, 0)).toBe(40);
    const levels = rows<{ first: number; resolution: number }>(
      await c.ctx.db.execute(sql`
        select distinct sla_first_level as first, sla_resolution_level as resolution from requests
        where id = any(${`{${ids.join(",")}}`}::bigint[])`),
    );
    expect(levels).toEqual([{ first: 2, resolution: 2 }]);
  });
});
