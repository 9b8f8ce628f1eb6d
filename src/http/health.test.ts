// Liveness and readiness: `/ready` says 200 only for a process that should take traffic (serving, database reached,
// every shipped migration applied, outbox jobs claimed) and names what is missing otherwise; `/health` stays 200 for
// a live process whatever the database does.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { rowsOf } from "../db/outbox.ts";

describe("health and readiness", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer();
  });
  afterAll(() => s?.close());

  const ready = () => s.app.inject({ method: "GET", url: "/api/v1/ready" });

  it("is ready once started, with every check named", async () => {
    const res = await ready();
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.json()).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok", jobs: "claimed", phase: "serving" },
    });
    const health = await s.app.inject({ method: "GET", url: "/api/v1/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", database: "ok" });
  });

  it("is not ready while a shipped migration is missing from the database", async () => {
    const [removed] = rowsOf<{ id: number; hash: string; created_at: string }>(
      await s.ctx.db.execute(
        sql`delete from __drizzle_migrations where id = (select max(id) from __drizzle_migrations) returning *`,
      ),
    );
    expect(removed).toBeDefined();
    try {
      const res = await ready();
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: "not_ready", checks: { migrations: "pending", database: "ok" } });
    } finally {
      // The record back as the migrator wrote it, so the rest of the file sees a whole database.
      await s.ctx.db.execute(
        sql`insert into __drizzle_migrations (id, hash, created_at) values (${removed!.id}, ${removed!.hash}, ${removed!.created_at})`,
      );
    }
    expect((await ready()).statusCode).toBe(200);
  });

  it("is not ready while stopping, and once its jobs are no longer claimed", async () => {
    s.ctx.phase.now = "draining";
    try {
      const res = await ready();
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.phase).toBe("draining");
    } finally {
      s.ctx.phase.now = "serving";
    }
    await s.ctx.worker.stop();
    const res = await ready();
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.jobs).toBe("stopped");
    // Liveness does not follow readiness: the process is alive.
    expect((await s.app.inject({ method: "GET", url: "/api/v1/health" })).statusCode).toBe(200);
  });
});
