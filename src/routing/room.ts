// The routing room: the classifier in the server (public classification for the form, categorisation of new
// requests, retraining from operators' corrections).

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { emit } from "../db/outbox.ts";
import { staffOf } from "../http/access.ts";
import { Problem } from "../http/schemas.ts";
import type { Room } from "../room.ts";
import { CONFIDENCE_THRESHOLD, classify, loadShippedModel, type Model } from "./classifier.ts";
import { routingRules } from "./rules.ts";
import { latestStoredModel, operatorCorrections, retrain } from "./training.ts";

type ClassifierState = { model: Model; source: "shipped" | number; corrections: number };

declare module "../room.ts" {
  interface Services {
    /** The classifier's model in use: shipped, or the latest retrained from operators' corrections. */
    classifier: ClassifierState;
  }
}

const stateOf = (ctx: AppContext) => ctx.services.get("classifier");

async function loadModelInto(ctx: AppContext) {
  const stored = await latestStoredModel(ctx.db);
  ctx.services.provide(
    "classifier",
    stored
      ? { model: stored.model, source: stored.id, corrections: stored.corrections }
      : { model: loadShippedModel(), source: "shipped", corrections: 0 },
  );
}

const ClassifyAnswer = Type.Object({
  category: Type.String(),
  confidence: Type.Number(),
  audience: Type.String(),
  needsTriage: Type.Boolean(),
  alternatives: Type.Array(Type.Object({ category: Type.String(), confidence: Type.Number() })),
});

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/classify",
    {
      config: { access: "public", rateLimit: { max: 120, timeWindow: "1 minute" } },
      schema: {
        summary: "Категория, уверенность и тип заявителя для свободного текста",
        description: `При уверенности ниже ${CONFIDENCE_THRESHOLD} обращение попадает в очередь разбора (needsTriage).`,
        tags: ["routing"],
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 20000 }) }, { additionalProperties: false }),
        response: { 200: ClassifyAnswer, 400: Problem },
      },
    },
    async (req) => classify(req.body.text, stateOf(ctx).model),
  );

  app.get(
    "/admin/classifier",
    {
      config: { access: ["supervisor", "administrator"] },
      schema: {
        summary: "Какая модель классификатора работает и сколько исправлений операторов накоплено",
        tags: ["admin"],
        response: {
          200: Type.Object({
            model: Type.Union([Type.Literal("shipped"), Type.Integer()]),
            correctionsInModel: Type.Integer(),
            correctionsAvailable: Type.Integer(),
            threshold: Type.Number(),
          }),
        },
      },
    },
    async () => {
      const s = stateOf(ctx);
      return {
        model: s.source,
        correctionsInModel: s.corrections,
        correctionsAvailable: (await operatorCorrections(ctx.db)).length,
        threshold: CONFIDENCE_THRESHOLD,
      };
    },
  );

  app.post(
    "/admin/classifier/train",
    {
      config: { access: ["administrator"] },
      schema: {
        summary: "Переобучить классификатор на исправлениях операторов",
        tags: ["admin"],
        response: { 200: Type.Object({ model: Type.Integer(), corrections: Type.Integer() }) },
      },
    },
    async (req) => {
      const r = await retrain(ctx.db, staffOf(req).id);
      ctx.services.provide("classifier", { model: r.model, source: r.id, corrections: r.corrections });
      await ctx.db.transaction((tx) => emit(tx, "classifier.trained", { modelId: r.id }));
      return { model: r.id, corrections: r.corrections };
    },
  );
}

export const routingRoom: Room = {
  name: "routing",
  // The rules it plugs into the request core take due times from the SLA policies.
  needs: ["sla"],
  provides: ["classifier"],
  async start(ctx) {
    await loadModelInto(ctx);
    ctx.requests.plugRules(routingRules(ctx, (text) => classify(text, stateOf(ctx).model)));
    // Another process retrained: take its model.
    return ctx.bus.subscribe((e) => {
      if (e.topic === "classifier.trained" && stateOf(ctx).source !== e.data.modelId) void loadModelInto(ctx);
    });
  },
  routes,
};
