// Liveness and readiness for load balancers and orchestrators. `/health` answers while the process serves HTTP at all
// (restart it when this fails), whatever the database is doing: a database outage is not cured by restarting every
// process. `/ready` answers 200 only when this process should be sent traffic: it has started, is not stopping, its
// database answers, every migration it ships is applied, and it claims the outbox's jobs.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { MIGRATIONS_DIR } from "../db/client.ts";
import { rowsOf } from "../db/outbox.ts";

/** How long the database may take to answer a readiness check before the check says it is unreachable. */
const PROBE_MS = 2_000;

const Engine = Type.Union([Type.Literal("pglite"), Type.Literal("postgres")]);

const Checks = Type.Object({
  database: Type.Union([Type.Literal("ok"), Type.Literal("unreachable")]),
  migrations: Type.Union([Type.Literal("ok"), Type.Literal("pending"), Type.Literal("unknown")]),
  jobs: Type.Union([Type.Literal("claimed"), Type.Literal("stopped")]),
  phase: Type.Union([Type.Literal("starting"), Type.Literal("serving"), Type.Literal("draining")]),
});

/** The migrations this build ships, from drizzle-kit's journal beside them. */
function shippedMigrations(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("probe timed out")), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function healthRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const shipped = shippedMigrations();

  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: {
        summary: "Жив ли процесс (для перезапуска); состояние базы — для сведения",
        tags: ["service"],
        response: {
          200: Type.Object({
            status: Type.Literal("ok"),
            database: Type.Union([Type.Literal("ok"), Type.Literal("unreachable")]),
            engine: Engine,
          }),
        },
      },
    },
    async () => {
      let database: "ok" | "unreachable" = "ok";
      try {
        await within(ctx.db.execute(sql`select 1`), PROBE_MS);
      } catch {
        database = "unreachable";
      }
      return { status: "ok" as const, database, engine: ctx.database.engine };
    },
  );

  app.get(
    "/ready",
    {
      config: { access: "public" },
      schema: {
        summary: "Готов ли процесс принимать запросы (для балансировщика нагрузки)",
        tags: ["service"],
        response: {
          200: Type.Object({ status: Type.Literal("ready"), checks: Checks }),
          503: Type.Object({ status: Type.Literal("not_ready"), checks: Checks }),
        },
      },
    },
    async (_req, reply) => {
      let database: "ok" | "unreachable" = "ok";
      let migrations: "ok" | "pending" | "unknown" = "unknown";
      try {
        const [row] = rowsOf<{ n: number }>(
          await within(ctx.db.execute(sql`select count(*)::int as n from __drizzle_migrations`), PROBE_MS),
        );
        migrations = (row?.n ?? 0) >= shipped ? "ok" : "pending";
      } catch {
        database = "unreachable";
      }
      const checks = {
        database,
        migrations,
        jobs: ctx.worker.active ? ("claimed" as const) : ("stopped" as const),
        phase: ctx.phase.now,
      };
      const ready = checks.phase === "serving" && database === "ok" && migrations === "ok" && checks.jobs === "claimed";
      reply.header("cache-control", "no-store");
      if (ready) return { status: "ready" as const, checks };
      return reply.code(503).send({ status: "not_ready" as const, checks });
    },
  );
}
