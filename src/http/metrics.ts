// Prometheus metrics at /metrics: request counts and latencies by route pattern, and the process's own.
import type { FastifyInstance } from "fastify";
import client from "prom-client";
import type { AppContext } from "../context.ts";

export async function metricsPlugin(app: FastifyInstance, _opts: { ctx: AppContext }) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "otklik_" });
  const duration = new client.Histogram({
    name: "otklik_http_request_duration_seconds",
    help: "HTTP request duration by route pattern",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  app.addHook("onResponse", async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions?.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get("/metrics", { config: { access: "public" }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
