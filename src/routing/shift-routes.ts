// HTTP for the on-shift flag: whether I take new requests, and coming on shift (which hands me the waiting queue).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { staffOf } from "../http/access.ts";
import { isOnShift, setShift } from "./shifts.ts";

const WORKERS = ["operator", "specialist", "supervisor", "administrator"] as const;
const ShiftView = Type.Object({ onShift: Type.Boolean() });

export async function shiftRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/staff/me/shift",
    {
      config: { access: WORKERS },
      schema: { summary: "На смене ли я (получаю ли новые обращения)", tags: ["staff"], response: { 200: ShiftView } },
    },
    async (req) => ({ onShift: await isOnShift(ctx, staffOf(req).id) }),
  );

  app.put(
    "/staff/me/shift",
    {
      config: { access: WORKERS },
      schema: {
        summary: "Выйти на смену или уйти со смены",
        tags: ["staff"],
        description: "Выход на смену раздаёт очередь подразделения тем, кто на смене (меньше всего в работе — первым).",
        body: Type.Object({ onShift: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ onShift: Type.Boolean(), assigned: Type.Integer() }) },
      },
    },
    async (req) => {
      const { onShift } = req.body;
      return { onShift, assigned: await setShift(ctx, staffOf(req), onShift) };
    },
  );
}
