// The MAX room, on when OTKLIK_MAX_TOKEN is set: the Bot API driver as the `max` messenger, the adapter that takes the
// request core's news to the applicant's MAX dialog, and the way updates come in — long polling by default (no public
// address needed), the webhook when OTKLIK_PUBLIC_URL is https. MAX repeats a webhook call it got no 200 for (for up
// to eight hours): the route checks the secret in `X-Max-Bot-Api-Secret`, stores the update once per its key in the
// same transaction as its outbox job, and answers at once; the job handles it after.
import { createHash, timingSafeEqual } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { AppContext } from "../../context.ts";
import { contain } from "../../guard.ts";
import { AppError } from "../../http/errors.ts";
import { loggerOptions } from "../../http/logging.ts";
import { Problem } from "../../http/schemas.ts";
import type { Room } from "../../room.ts";
import { MESSAGE_TOPIC } from "../chat/store.ts";
import { deliverToMessenger, relayConversation } from "../messenger/outbound.ts";
import { MaxApi, type MaxUpdate } from "./api.ts";
import {
  handleStored,
  MAX_UPDATE_TOPIC,
  type PollOptions,
  startPolling,
  storeUpdate,
  webhookSecret,
} from "./updates.ts";

export const WEBHOOK_PATH = "/api/v1/max/webhook";

/** MAX's long poll: an open request answered as soon as an update comes, or empty after this many seconds. */
const POLL: PollOptions = { timeoutSeconds: 30, idleMs: 3000 };

export const maxOf = (ctx: AppContext): MaxApi | undefined => {
  const driver = ctx.services.maybe("messengers")?.get("max");
  return driver instanceof MaxApi ? driver : undefined;
};

/** The webhook mode: the public address is https (MAX calls nothing else). */
export const usesWebhook = (config: AppContext["config"]) => config.publicUrl.startsWith("https://");

const digest = (s: string) => createHash("sha256").update(s).digest();

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/max/webhook",
    {
      // MAX's own call: it presents the secret given with the subscription (checked in the handler).
      config: { access: "public" },
      bodyLimit: 1024 * 1024,
      schema: {
        summary:
          "Обновление от MAX Bot API (режим вебхука): сообщение, его правка, нажатая кнопка, запуск или остановка бота",
        tags: ["max"],
        headers: Type.Object({ "x-max-bot-api-secret": Type.Optional(Type.String({ maxLength: 256 })) }),
        body: Type.Object(
          {
            update_type: Type.String({ minLength: 1, maxLength: 64 }),
            timestamp: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          },
          { additionalProperties: true },
        ),
        response: { 200: Type.Object({ ok: Type.Literal(true) }), 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (req) => {
      if (!maxOf(ctx) || !ctx.config.maxBotToken || !usesWebhook(ctx.config)) {
        throw new AppError(
          "max_not_configured",
          "Бот MAX не настроен: задайте OTKLIK_MAX_TOKEN и адрес https в OTKLIK_PUBLIC_URL.",
          404,
        );
      }
      const given = req.headers["x-max-bot-api-secret"] ?? "";
      if (!timingSafeEqual(digest(given), digest(webhookSecret(ctx.config)))) {
        throw new AppError("max_unauthenticated", "Запрос не подписан секретом вебхука MAX.", 401);
      }
      await storeUpdate(ctx, { ...req.body } as MaxUpdate);
      return { ok: true as const };
    },
  );
}

export const maxRoom: Room = {
  name: "max",
  // The conversation is the chat's: its bot, its inbox.
  needs: ["chat", "messengers"],
  async start(ctx) {
    const c = ctx.config;
    if (!c.maxBotToken) return;
    const log = pino({ ...loggerOptions(c.logLevel), name: "max" }, process.stdout);
    const messengers = ctx.services.get("messengers");
    const api = new MaxApi(c.maxBotApi, c.maxBotToken, log);
    // Telegram's or VK's room already relays every messenger conversation's lines as they appear; alone, MAX does.
    const relayed = messengers.has("telegram") || messengers.has("vk");
    messengers.set(api.channel, api);
    // Only a request of this channel has a MAX dialog: the others cost no look-up.
    ctx.requests.addChannel({
      channel: "max",
      reaches: (_, r) => r.channel === "max",
      deliver: (d) => deliverToMessenger(ctx, d),
    });
    const unsubscribe = relayed
      ? () => {}
      : ctx.bus.subscribe((e) => {
          if (e.topic !== MESSAGE_TOPIC) return;
          const conversationId = Number(e.data.conversationId);
          if (Number.isSafeInteger(conversationId))
            void contain("max.relay", () => relayConversation(ctx, conversationId));
        });
    if (usesWebhook(c)) {
      // Every process subscribes the same address and secret: the last one to start says nothing new.
      await api
        .subscribe(`${c.publicUrl}${WEBHOOK_PATH}`, webhookSecret(c))
        .catch((e: unknown) => log.error({ code: (e as { code?: string }).code }, "MAX subscription failed"));
      return unsubscribe;
    }
    const stopPolling = startPolling(ctx, api, log, POLL);
    return async () => {
      unsubscribe();
      await stopPolling();
    };
  },
  routes,
  jobs: (ctx) => ({ [MAX_UPDATE_TOPIC]: (e) => handleStored(ctx, maxOf(ctx), Number(e.data.id)) }),
};
