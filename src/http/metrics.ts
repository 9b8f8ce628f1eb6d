// Prometheus metrics, served by a listener of their own (OTKLIK_METRICS_PORT, on 127.0.0.1 unless told otherwise) and
// never on the public port: request latencies by route pattern and status, the process's own figures, and a few of
// the service's (outbox backlog, open streams and sockets, database errors by kind).
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import client from "prom-client";
import type { AppContext } from "../context.ts";
import { rowsOf, toPgArray } from "../db/outbox.ts";
import { NOT_FOUND } from "./errors.ts";
import { sendProblem } from "./problem.ts";

const listeners = new WeakMap<FastifyInstance, Server>();

/** Set by `otklik serve`'s supervisor in the environment of the processes whose metrics it serves. */
export const SUPERVISOR_METRICS = "OTKLIK_SUPERVISOR_METRICS";

/** Where the metrics listener of this application listens, or null when there is none. */
export function metricsAddress(app: FastifyInstance): AddressInfo | null {
  const address = listeners.get(app)?.address();
  return address && typeof address === "object" ? address : null;
}

/**
 * Called on the root instance itself, not registered as a plugin: a hook added inside a plugin's scope sees only
 * that scope's routes, and the histogram stayed empty.
 */
export async function installMetrics(app: FastifyInstance, ctx: AppContext) {
  // Configured or not, the public port has no metrics (without this the web app's page would answer here).
  app.get("/metrics", { config: { access: "public" }, schema: { hide: true } }, async (_req, reply) =>
    sendProblem(reply, 404, "not_found", NOT_FOUND.route, { subject: "route" }),
  );
  const port = ctx.config.metricsPort;
  if (port === undefined) return;

  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "otklik_" });
  const duration = new client.Histogram({
    name: "otklik_http_request_duration_seconds",
    help: "HTTP request duration by route pattern and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // The pattern, never the URL: a URL may carry a tracking token or a searched phone, and has no bound.
  app.addHook("onResponse", async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions?.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  const databaseErrors = new client.Counter({
    name: "otklik_database_errors_total",
    help: "database errors met while answering HTTP requests, by kind (SQLSTATE class)",
    labelNames: ["kind"],
    registers: [registry],
  });
  app.addHook("onError", async (_req, _reply, error) => {
    const kind = databaseErrorKind(error);
    if (kind) databaseErrors.inc({ kind });
  });

  new client.Gauge({
    name: "otklik_sse_streams",
    help: "open server-sent event streams (console, tracking pages)",
    registers: [registry],
    collect() {
      this.set(ctx.streams.size);
    },
  });
  let sockets = 0;
  app.server.on("upgrade", (_req, socket) => {
    sockets++;
    socket.once("close", () => sockets--);
  });
  new client.Gauge({
    name: "otklik_websocket_connections",
    help: "open WebSocket connections (chat)",
    registers: [registry],
    collect() {
      this.set(sockets);
    },
  });
  const outbox = outboxSnapshot(ctx);
  new client.Gauge({
    name: "otklik_outbox_pending",
    help: "announcements in the outbox not yet carried out",
    registers: [registry],
    // A figure of the whole database: every process reads the same, and several processes count it once.
    aggregator: "max",
    async collect() {
      const s = await outbox();
      if (s) this.set(s.pending);
    },
  });
  new client.Gauge({
    name: "otklik_outbox_oldest_pending_seconds",
    help: "age of the oldest announcement not yet carried out (0 when none)",
    registers: [registry],
    aggregator: "max",
    async collect() {
      const s = await outbox();
      if (s) this.set(s.oldest);
    },
  });

  new client.Gauge({
    name: "otklik_outbox_failing",
    help: "announcements whose job failed and waits for its next attempt, by topic",
    labelNames: ["topic"],
    registers: [registry],
    aggregator: "max",
    async collect() {
      const s = await outbox();
      if (!s) return;
      // Every topic with a job has its line, 0 included: an alert on the figure needs the series to exist before it rises.
      this.reset();
      for (const topic of ctx.worker.topics) this.set({ topic }, s.failing.get(topic) ?? 0);
    },
  });

  // Under a supervisor (OTKLIK_WORKERS) the supervisor serves the port, with every process's figures added up: this
  // process answers its requests for them instead of listening (a shared port would give each scrape to one process).
  if (cluster.isWorker && process.env[SUPERVISOR_METRICS] === "1") {
    // Constructing one in a worker installs its answer to the supervisor's requests for figures.
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([registry]);
    return;
  }
  const server = metricsServer(() => registry.metrics(), registry.contentType);
  app.addHook("onReady", async () => {
    await listenForMetrics(server, ctx.config.metricsHost, port);
    listeners.set(app, server);
  });
  app.addHook("onClose", async () => {
    listeners.delete(app);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

type OutboxSnapshot = { pending: number; oldest: number; failing: Map<string, number> };

/**
 * One query per scrape for the outbox gauges; a database that does not answer leaves them as they were. Only events
 * with a job count: the others are announced and marked done by the worker's periodic sweep. A job that failed keeps
 * being tried with a growing pause (up to an hour, src/db/outbox.ts); the failing count by topic is what shows one that
 * will never succeed (a channel's credentials revoked, a webhook's receiver gone).
 */
function outboxSnapshot(ctx: AppContext) {
  let running: Promise<OutboxSnapshot | null> | null = null;
  return () => {
    running ??= ctx.db
      .execute(sql`select topic, count(*) as pending, count(*) filter (where last_error is not null) as failing,
          coalesce(extract(epoch from now() - min(created_at)), 0) as oldest
        from events where processed_at is null and topic = any(${toPgArray(ctx.worker.topics)}::text[])
        group by topic`)
      .then((r): OutboxSnapshot => {
        const rows = rowsOf<{ topic: string; pending: string; failing: string; oldest: string }>(r);
        const failing = new Map<string, number>();
        let pending = 0;
        let oldest = 0;
        for (const row of rows) {
          pending += Number(row.pending);
          oldest = Math.max(oldest, Number(row.oldest));
          if (Number(row.failing) > 0) failing.set(row.topic, Number(row.failing));
        }
        return { pending, oldest, failing };
      })
      .catch(() => null)
      .finally(() => {
        running = null;
      });
    return running;
  };
}

const SQLSTATE_CLASSES: Record<string, string> = {
  "08": "connection",
  "57": "connection",
  "53": "resources",
  "54": "limits",
  "40": "conflict",
  "23": "constraint",
  "22": "data",
  "42": "statement",
  XX: "internal",
};

/** The kind of a database error (PostgreSQL's SQLSTATE class, or a lost connection), or null for any other error. */
export function databaseErrorKind(error: unknown): string | null {
  let e = error;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === "57014") return "canceled";
    // Five characters, never starting with E (those are the system's errno codes: EPIPE, EPERM).
    if (typeof code === "string" && /^[0-9A-DF-Z][0-9A-Z]{4}$/.test(code)) {
      return SQLSTATE_CLASSES[code.slice(0, 2)] ?? "other";
    }
    if (typeof message === "string" && message.startsWith("Connection terminated")) return "connection";
    e = cause;
  }
  return null;
}

/** The metrics listener: `/metrics` only, with what `body` gives. */
function metricsServer(body: () => Promise<string>, contentType: string): Server {
  const server = createServer((req, res) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    body().then(
      (text) => res.writeHead(200, { "content-type": contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.on("clientError", (_e, socket) => socket.destroy());
  return server;
}

async function listenForMetrics(server: Server, host: string, port: number) {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`Порт метрик ${host}:${port} (OTKLIK_METRICS_PORT) не открылся: ${e.code ?? e.message}`);
  });
}

/**
 * The supervisor's metrics listener (OTKLIK_WORKERS > 1): the figures of every server process it runs, asked for at
 * each scrape and added up (counters and histograms summed, the outbox's figures once). Started before the processes,
 * so that they find it; answers the function that closes it.
 */
export async function serveClusterMetrics(host: string, port: number): Promise<() => Promise<void>> {
  const registry = new client.AggregatorRegistry();
  const server = metricsServer(() => registry.clusterMetrics(), registry.contentType);
  await listenForMetrics(server, host, port);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
