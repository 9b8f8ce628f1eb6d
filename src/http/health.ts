import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";

export async function healthRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/health",
    {
      config: { access: "public" },
      schema: {
        summary: "Состояние сервера и базы данных",
        tags: ["service"],
        response: {
          200: Type.Object({ status: Type.Literal("ok"), database: Type.String(), engine: Type.String() }),
          503: Type.Object({
            status: Type.Literal("unavailable"),
            database: Type.String(),
            engine: Type.String(),
          }),
        },
      },
    },
    async (_req, reply) => {
      try {
        await ctx.db.execute(sql`select 1`);
        return { status: "ok" as const, database: "ok", engine: ctx.database.engine };
      } catch {
        return reply
          .code(503)
          .send({ status: "unavailable" as const, database: "unreachable", engine: ctx.database.engine });
      }
    },
  );
}
