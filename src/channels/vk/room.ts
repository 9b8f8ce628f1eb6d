// The VK room, on when the community's id, token, secret key and confirmation string are set: the VK API driver as
// the `vk` messenger, the adapter that takes the request core's news to the applicant's VK chat, and the Callback API
// route. VK posts each event and waits about ten seconds for «ok», repeating the event up to five times otherwise: the
// route checks the secret key, stores the event once per event_id in the same transaction as its outbox job, and
// answers «ok» at once; the job handles it after.
import { createHash, timingSafeEqual } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { AppContext } from "../../context.ts";
import { emit } from "../../db/outbox.ts";
import { contain } from "../../guard.ts";
import { AppError } from "../../http/errors.ts";
import { loggerOptions } from "../../http/logging.ts";
import { Problem } from "../../http/schemas.ts";
import type { Room } from "../../room.ts";
import { MESSAGE_TOPIC } from "../chat/store.ts";
import { deliverToMessenger, relayConversation } from "../messenger/outbound.ts";
import { VkApi } from "./api.ts";
import { vkEvents } from "./db-schema.ts";
import { handleStored, VK_EVENT_TOPIC, VK_EVENT_TYPES } from "./events.ts";

export const CALLBACK_PATH = "/api/v1/vk/callback";

export const vkOf = (ctx: AppContext): VkApi | undefined => {
  const driver = ctx.services.maybe("messengers")?.get("vk");
  return driver instanceof VkApi ? driver : undefined;
};

const digest = (s: string) => createHash("sha256").update(s).digest();

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/vk/callback",
    {
      // VK's own call: it presents the community's secret key in the body (checked in the handler).
      config: { access: "public" },
      bodyLimit: 1024 * 1024,
      schema: {
        summary:
          "Событие Callback API ВКонтакте: подтверждение адреса сервера, сообщение сообщества, его правка, нажатая кнопка, запрет или разрешение сообщений",
        tags: ["vk"],
        body: Type.Object(
          {
            type: Type.String({ minLength: 1, maxLength: 64 }),
            group_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
            event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            secret: Type.Optional(Type.String({ maxLength: 100 })),
            v: Type.Optional(Type.String({ maxLength: 16 })),
            object: Type.Optional(Type.Unknown()),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.String({ description: "«ok», или строка подтверждения на событие confirmation" }),
          400: Problem,
          403: Problem,
          404: Problem,
        },
      },
    },
    async (req, reply) => {
      const c = ctx.config;
      if (!vkOf(ctx) || !c.vkGroupId || !c.vkSecret || !c.vkConfirmation) {
        throw new AppError(
          "vk_not_configured",
          "Сообщество ВКонтакте не подключено: задайте OTKLIK_VK_GROUP_ID, OTKLIK_VK_TOKEN, OTKLIK_VK_SECRET и OTKLIK_VK_CONFIRMATION.",
          404,
        );
      }
      const e = req.body;
      if (e.group_id !== c.vkGroupId) {
        throw new AppError("vk_wrong_group", "Событие пришло для другого сообщества ВКонтакте.", 403);
      }
      reply.type("text/plain; charset=utf-8");
      // The address check when the server is added in the community's settings: VK waits for this string.
      if (e.type === "confirmation") return c.vkConfirmation;
      if (!timingSafeEqual(digest(e.secret ?? ""), digest(c.vkSecret))) {
        throw new AppError("vk_unauthenticated", "Событие не подписано секретным ключом Callback API ВКонтакте.", 403);
      }
      if (e.event_id && VK_EVENT_TYPES.includes(e.type)) {
        const eventId = e.event_id;
        await ctx.db.transaction(async (tx) => {
          const [row] = await tx
            .insert(vkEvents)
            .values({ eventId, type: e.type, body: JSON.stringify(e.object ?? null) })
            .onConflictDoNothing({ target: vkEvents.eventId })
            .returning({ id: vkEvents.id });
          // A repeated event_id (VK sends again what it heard no «ok» for) is taken once.
          if (row) await emit(tx, VK_EVENT_TOPIC, { id: row.id });
        });
      }
      return "ok";
    },
  );
}

export const vkRoom: Room = {
  name: "vk",
  // The conversation is the chat's: its bot, its inbox.
  needs: ["chat", "messengers"],
  async start(ctx) {
    const c = ctx.config;
    if (!c.vkGroupId || !c.vkToken || !c.vkSecret || !c.vkConfirmation) return;
    const log = pino({ ...loggerOptions(c.logLevel), name: "vk" }, process.stdout);
    const messengers = ctx.services.get("messengers");
    const api = new VkApi(c.vkApi, c.vkToken, log);
    // Telegram's room already relays every messenger conversation's lines as they appear; alone, VK does.
    const relayed = messengers.has("telegram");
    messengers.set(api.channel, api);
    // A request held in a VK chat is one of channel vk: the others are not this adapter's.
    ctx.requests.addChannel({
      channel: "vk",
      reaches: (_, r) => r.channel === "vk",
      deliver: (d) => deliverToMessenger(ctx, d),
    });
    if (relayed) return;
    return ctx.bus.subscribe((e) => {
      if (e.topic !== MESSAGE_TOPIC) return;
      const conversationId = Number(e.data.conversationId);
      if (Number.isSafeInteger(conversationId)) void contain("vk.relay", () => relayConversation(ctx, conversationId));
    });
  },
  routes,
  jobs: (ctx) => ({ [VK_EVENT_TOPIC]: (e) => handleStored(ctx, vkOf(ctx), Number(e.data.id)) }),
};
