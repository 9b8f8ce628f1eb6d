// The audit room: reading and verifying the log of personal-data access (administrators only), and the signed
// checkpoints of its head written to the server's log at start, every OTKLIK_AUDIT_CHECKPOINT_MINUTES and at stop.
import os from "node:os";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { every } from "../guard.ts";
import type { Room } from "../room.ts";
import { takeCheckpoint } from "./anchor.ts";
import { listAudit, verifyChain } from "./audit.ts";

const Problem = Type.Object({
  code: Type.String(),
  detail: Type.String(),
  entryId: Type.Optional(Type.Integer()),
  missing: Type.Optional(Type.Integer()),
  checkpoints: Type.Optional(Type.Integer()),
});

const Verification = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  brokenAt: Type.Union([Type.Integer(), Type.Null()]),
  head: Type.Union([Type.Object({ id: Type.Integer(), hash: Type.String(), count: Type.Integer() }), Type.Null()]),
  purged: Type.Integer(),
  developmentKey: Type.Boolean(),
  problems: Type.Array(Problem),
});

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
        description:
          "Без контрольных точек удаление последних записей не видно: `npx otklik audit verify --checkpoint <журнал>`.",
        tags: ["admin"],
        response: { 200: Verification },
      },
    },
    async () => verifyChain(ctx.db),
  );
}

/** One JSON line in the server log's own form, kept whatever the log level (except silent): it is the anchor. */
async function writeCheckpoint(ctx: AppContext, event: "start" | "interval" | "stop") {
  if (ctx.config.logLevel === "silent") return;
  const line = (level: number, fields: Record<string, unknown>) =>
    process.stdout.write(
      `${JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: os.hostname(), ...fields })}\n`,
    );
  try {
    const { token, checkpoint } = await takeCheckpoint(ctx.db);
    line(30, { msg: "audit checkpoint", event, head: checkpoint.id, count: checkpoint.count, auditCheckpoint: token });
  } catch (e) {
    // The next one will be taken on time; the error's text could quote data, so only its kind is logged.
    const err = e as { name?: string; code?: string };
    line(40, { msg: "audit checkpoint failed", event, err: { type: err.name, code: err.code } });
  }
}

export const auditRoom: Room = {
  name: "audit",
  routes,
  async start(ctx) {
    await writeCheckpoint(ctx, "start");
    const minutes = ctx.config.auditCheckpointMinutes;
    const timer =
      minutes > 0 ? every("audit.checkpoint", minutes * 60_000, () => writeCheckpoint(ctx, "interval")) : undefined;
    timer?.unref();
    return async () => {
      clearInterval(timer);
      await writeCheckpoint(ctx, "stop");
    };
  },
};
