// The Telegram room, on when OTKLIK_TELEGRAM_TOKEN is set: the Bot API driver as the `telegram` messenger, the
// adapter that takes the request core's news to the applicant's Telegram chat, the job that sends a chat's queue, and
// the way updates come in — long polling by default (no public address needed), the webhook when OTKLIK_PUBLIC_URL is
// https (any process takes it; the secret token in `X-Telegram-Bot-Api-Secret-Token` is checked).
import { createHash, timingSafeEqual } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { AppContext } from "../../context.ts";
import { contain } from "../../guard.ts";
import { AppError } from "../../http/errors.ts";
import { loggerOptions } from "../../http/logging.ts";
import { Natural, Problem } from "../../http/schemas.ts";
import type { Room } from "../../room.ts";
import { MESSAGE_TOPIC } from "../chat/store.ts";
import { deliverToMessenger, relayConversation } from "../messenger/outbound.ts";
import { TelegramApi, type TelegramUpdate } from "./api.ts";
import { handleUpdate, type PollOptions, startPolling, webhookSecret } from "./updates.ts";

export const WEBHOOK_PATH = "/api/v1/telegram/webhook";

/** Telegram's long poll: an open request answered as soon as an update comes, or empty after this many seconds. */
const POLL: PollOptions = { timeoutSeconds: 25, idleMs: 3000 };

export const telegramOf = (ctx: AppContext): TelegramApi | undefined => {
  const driver = ctx.services.maybe("messengers")?.get("telegram");
  return driver instanceof TelegramApi ? driver : undefined;
};

/** The webhook mode: the public address is https (Telegram calls nothing else). */
export const usesWebhook = (config: AppContext["config"]) => config.publicUrl.startsWith("https://");

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/telegram/webhook",
    {
      // Telegram's own call: it presents the secret token given with setWebhook (checked in the handler).
      config: { access: "public" },
      bodyLimit: 1024 * 1024,
      schema: {
        summary: "Обновление от Telegram Bot API (режим вебхука): сообщение, его правка или нажатая кнопка",
        tags: ["telegram"],
        headers: Type.Object({ "x-telegram-bot-api-secret-token": Type.Optional(Type.String({ maxLength: 256 })) }),
        body: Type.Object({ update_id: Natural() }, { additionalProperties: true }),
        response: { 200: Type.Object({ ok: Type.Literal(true) }), 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (req) => {
      const api = telegramOf(ctx);
      if (!api || !ctx.config.telegramToken || !usesWebhook(ctx.config)) {
        throw new AppError(
          "telegram_not_configured",
          "Telegram-бот не настроен: задайте OTKLIK_TELEGRAM_TOKEN и адрес https в OTKLIK_PUBLIC_URL.",
          404,
        );
      }
      const digest = (s: string) => createHash("sha256").update(s).digest();
      const given = req.headers["x-telegram-bot-api-secret-token"] ?? "";
      if (!timingSafeEqual(digest(given), digest(webhookSecret(ctx.config.telegramToken)))) {
        throw new AppError("telegram_unauthenticated", "Запрос не подписан секретом вебхука Telegram.", 401);
      }
      const update: TelegramUpdate = { ...req.body };
      await handleUpdate(ctx, api, update);
      return { ok: true as const };
    },
  );
}

export const telegramRoom: Room = {
  name: "telegram",
  // The conversation is the chat's: its bot, its inbox.
  needs: ["chat", "messengers"],
  async start(ctx) {
    const token = ctx.config.telegramToken;
    if (!token) return;
    const api = new TelegramApi(ctx.config.telegramApi, token);
    ctx.services.get("messengers").set(api.channel, api);
    // Only a request of this channel has a Telegram chat: the others cost no look-up.
    ctx.requests.addChannel({
      channel: "telegram",
      reaches: (_, r) => r.channel === "telegram",
      deliver: (d) => deliverToMessenger(ctx, d),
    });
    // What the chat says outside the applicant's turn («the operator is here», the chat closed) is relayed as it
    // appears; a line missed here (another process, a lost connection) goes with the conversation's next news.
    const unsubscribe = ctx.bus.subscribe((e) => {
      if (e.topic !== MESSAGE_TOPIC) return;
      const conversationId = Number(e.data.conversationId);
      if (Number.isSafeInteger(conversationId))
        void contain("telegram.relay", () => relayConversation(ctx, conversationId));
    });
    const log = pino({ ...loggerOptions(ctx.config.logLevel), name: "telegram" }, process.stdout);
    if (usesWebhook(ctx.config)) {
      // Every process sets the same address and secret: the last one to start says nothing new.
      await api
        .setWebhook(`${ctx.config.publicUrl}${WEBHOOK_PATH}`, webhookSecret(token))
        .catch((e: unknown) => log.error({ code: (e as { code?: string }).code }, "Telegram setWebhook failed"));
      return unsubscribe;
    }
    const stopPolling = startPolling(ctx, api, log, POLL);
    return async () => {
      unsubscribe();
      await stopPolling();
    };
  },
  routes,
};
