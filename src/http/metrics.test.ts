// Metrics are not public: the public port answers 404 at /metrics whatever the configuration; with a metrics port
// set, a listener of its own serves them, and the request histogram holds every route called, by route pattern.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../../test/harness.ts";
import { databaseErrorKind, metricsAddress } from "./metrics.ts";

describe("metrics without configuration", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer();
  });
  afterAll(() => s?.close());

  it("answers no data on the public port", async () => {
    const admin = await s.staff("administrator");
    for (const headers of [{}, { authorization: admin.authorization }]) {
      const res = await s.app.inject({ method: "GET", url: "/metrics", headers });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain("otklik_");
    }
    expect(metricsAddress(s.app)).toBeNull();
  });
});

describe("metrics on their own port", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer({ metricsPort: 0, metricsHost: "127.0.0.1" });
  });
  afterAll(() => s?.close());

  it("fills the request histogram for every route, labelled by pattern and status, never by the raw URL", async () => {
    // The harness does not listen on the public port; being ready is what opens the metrics listener.
    await s.app.ready();
    const address = metricsAddress(s.app);
    expect(address).not.toBeNull();
    expect((await s.app.inject({ method: "GET", url: "/api/v1/health" })).statusCode).toBe(200);
    const number = "A-2026-SECRET";
    expect((await s.app.inject({ method: "GET", url: `/api/v1/requests/${number}` })).statusCode).toBe(401);
    // Still nothing on the public port.
    expect((await s.app.inject({ method: "GET", url: "/metrics" })).statusCode).toBe(404);

    const res = await fetch(`http://127.0.0.1:${address!.port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /^otklik_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health",status="200"\} 1$/m,
    );
    expect(text).toMatch(
      /^otklik_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/requests\/:number",status="401"\} 1$/m,
    );
    expect(text).not.toContain(number);
    expect(text).toMatch(/^otklik_outbox_pending \d+$/m);
    expect(text).toMatch(/^otklik_sse_streams 0$/m);
    expect(text).toMatch(/^otklik_websocket_connections 0$/m);

    expect((await fetch(`http://127.0.0.1:${address!.port}/anything`)).status).toBe(404);
  });

  it("counts the jobs that failed and wait for their next attempt, by topic, every topic with a job listed", async () => {
    await s.app.ready();
    const topics = s.ctx.worker.topics;
    expect(topics.length).toBeGreaterThan(1);
    const [failing, other] = topics as [string, string];
    const scrape = async () => (await fetch(`http://127.0.0.1:${metricsAddress(s.app)!.port}/metrics`)).text();
    expect(await scrape()).toMatch(new RegExp(`^otklik_outbox_failing\\{topic="${other}"\\} 0$`, "m"));
    // Two failed jobs of one topic, leased away for an hour as a failed job is between attempts; one done already.
    await s.ctx.db.execute(sql`insert into events (topic, payload, attempts, last_error, locked_until, processed_at)
      values (${failing}, '{}'::jsonb, 3, 'timeout', now() + interval '1 hour', null),
             (${failing}, '{}'::jsonb, 1, 'http_503', now() + interval '1 hour', null),
             (${failing}, '{}'::jsonb, 2, 'timeout', null, now())`);
    const text = await scrape();
    expect(text).toMatch(new RegExp(`^otklik_outbox_failing\\{topic="${failing}"\\} 2$`, "m"));
    expect(text).toMatch(new RegExp(`^otklik_outbox_failing\\{topic="${other}"\\} 0$`, "m"));
    expect(text).toMatch(/^otklik_outbox_pending [2-9]\d*$/m);
  });
});

describe("database errors by kind", () => {
  it("reads the SQLSTATE class through wrapping errors, and nothing else counts", () => {
    expect(databaseErrorKind({ code: "23505" })).toBe("constraint");
    expect(databaseErrorKind(new Error("query failed", { cause: { code: "08006" } }))).toBe("connection");
    expect(databaseErrorKind(new Error("Connection terminated unexpectedly"))).toBe("connection");
    expect(databaseErrorKind({ code: "57014" })).toBe("canceled");
    expect(databaseErrorKind({ code: "P0001" })).toBe("other");
    expect(databaseErrorKind({ code: "EPIPE" })).toBeNull();
    expect(databaseErrorKind({ code: "not_found" })).toBeNull();
    expect(databaseErrorKind(new Error("x"))).toBeNull();
  });
});
