// The applicants room: the applicant record (one person behind requests from several channels, by the blind indexes
// of their contacts) and the public lookup that sends a lost tracking link again.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { after } from "../guard.ts";
import { Problem } from "../http/schemas.ts";
import type { Room } from "../room.ts";
import { LOOKUP_ANSWER, LOOKUP_LIMITS, LOOKUP_TOPIC, lookUp, lookupJob } from "./lookup.ts";
import { type ApplicantRecord, applicantRecord, backfillApplicants, linkRequestJob } from "./record.ts";

declare module "../room.ts" {
  interface Services {
    /** The applicant record: contacts seen together, one person's requests across channels. */
    applicants: ApplicantRecord;
  }
}

const LookupBody = Type.Object(
  {
    number: Type.String({ maxLength: 64, description: "Номер обращения в любой записи: «1 030 026», «№1030026»" }),
    contact: Type.String({ maxLength: 254, description: "Электронная почта или телефон, указанные в обращении" }),
  },
  { additionalProperties: false },
);

const LookupAnswer = Type.Object({ message: Type.String() });

async function applicantRoutes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/track/lookup",
    {
      config: { access: "public" },
      schema: {
        summary: "Прислать ссылку на обращение заново (по номеру и контакту)",
        description:
          "Всегда отвечает 202 одним и тем же текстом: совпали ли номер и контакт, не сообщается. Если совпали, на почту или телефон, указанные в обращении, уходит новая ссылка для отслеживания (прежняя продолжает работать). " +
          `Не больше ${LOOKUP_LIMITS.address} запросов в час с одного адреса и ${LOOKUP_LIMITS.number} в час по одному номеру обращения; сверх того — 429 с Retry-After.`,
        tags: ["tracking"],
        body: LookupBody,
        response: { 202: LookupAnswer, 400: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      await lookUp(ctx, { number: req.body.number, contact: req.body.contact, address: req.ip });
      reply.header("cache-control", "no-store");
      return reply.code(202).send({ message: LOOKUP_ANSWER });
    },
  );
}

export const applicantsRoom: Room = {
  name: "applicants",
  provides: ["applicants"],
  async start(ctx) {
    ctx.services.provide("applicants", applicantRecord);
    // Requests registered before the record existed join it in the background, without holding up the start.
    let stopped = false;
    let running: Promise<unknown> = Promise.resolve();
    const timer = after("applicants.backfill", 1000, () => {
      running = backfillApplicants(ctx.db, { stopped: () => stopped, pauseMs: 50 });
      return running;
    });
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await running.catch(() => {});
    };
  },
  routes: applicantRoutes,
  jobs: (ctx) => ({
    "request.created": linkRequestJob(ctx),
    "request.contact_added": linkRequestJob(ctx),
    [LOOKUP_TOPIC]: lookupJob(ctx),
  }),
};
