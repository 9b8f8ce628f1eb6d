// The audit room: reading and verifying the log of personal-data access (administrators only).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import type { Room } from "../rooms.ts";
import { listAudit, verifyChain } from "./audit.ts";

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/admin/audit",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Журнал доступа к персональным данным",
        tags: ["admin"],
        querystring: Type.Object({
          subjectType: Type.Optional(Type.String({ maxLength: 40 })),
          subjectId: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              at: Type.Unsafe<Date | string>({ type: "string", format: "date-time" }),
              actorId: Type.Union([Type.Integer(), Type.Null()]),
              action: Type.String(),
              subjectType: Type.String(),
              subjectId: Type.String(),
              reason: Type.Union([Type.String(), Type.Null()]),
              hash: Type.String(),
            }),
          ),
        },
      },
    },
    async (req) => listAudit(ctx.db, req.query),
  );

  app.get(
    "/admin/audit/verify",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Проверить цепочку хешей журнала: не удалены и не изменены ли записи",
        tags: ["admin"],
        response: {
          200: Type.Object({ checked: Type.Integer(), brokenAt: Type.Union([Type.Integer(), Type.Null()]) }),
        },
      },
    },
    async () => verifyChain(ctx.db),
  );
}

export const auditRoom: Room = { name: "audit", routes };
