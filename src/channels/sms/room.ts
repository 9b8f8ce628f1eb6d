// The SMS room: the gateway the settings choose (the HTTP driver with OTKLIK_SMS_URL, otherwise the log driver) as
// the `sms` service, the policy's adapter that texts an applicant who gave a phone number, and the job that sends.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { AppContext } from "../../context.ts";
import { loggerOptions } from "../../http/logging.ts";
import { Problem, StringEnum } from "../../http/schemas.ts";
import { saidInChat } from "../../notifications/policy.ts";
import type { Room } from "../../room.ts";
import { httpGateway, logGateway } from "./drivers.ts";
import { checkGateway, receiveReply } from "./inbound.ts";
import { deliverBySms, SMS_SEND_TOPIC, sendSms } from "./outbound.ts";
import type { SmsGateway } from "./port.ts";

export function gatewayFor(config: AppContext["config"]): SmsGateway {
  if (config.smsUrl) {
    if (!config.smsToken) throw new Error("Настройка OTKLIK_SMS_TOKEN: нужна вместе с OTKLIK_SMS_URL");
    return httpGateway({ url: config.smsUrl, token: config.smsToken, sender: config.smsSender });
  }
  return logGateway(pino({ ...loggerOptions(ctxLevel(config)), name: "sms" }, process.stdout));
}

const ctxLevel = (config: AppContext["config"]) => config.logLevel;

async function routes(fastify: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/sms/inbound",
    {
      // The gateway's own call: it presents the bearer token of OTKLIK_SMS_TOKEN (checked in the handler).
      config: { access: "public" },
      schema: {
        summary: "Ответ заявителя на СМС, пересланный шлюзом: «СТОП» отключает необязательные СМС, «СТАРТ» возвращает",
        tags: ["sms"],
        body: Type.Object(
          {
            from: Type.String({ minLength: 1, maxLength: 32, description: "номер отправителя" }),
            text: Type.String({ maxLength: 2000 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            command: Type.Union([StringEnum(["stop", "start"] as const), Type.Null()], {
              description: "что сделано: stop, start или ничего (null)",
            }),
          }),
          400: Problem,
          401: Problem,
          404: Problem,
        },
      },
    },
    async (req) => {
      checkGateway(ctx, req.headers.authorization);
      return { command: await receiveReply(ctx, req.body.from, req.body.text) };
    },
  );
}

export const smsRoom: Room = {
  name: "sms",
  provides: ["sms"],
  async start(ctx) {
    ctx.services.provide("sms", gatewayFor(ctx.config));
    ctx.requests.addChannel({
      channel: "sms",
      reaches: (d, r) => r.hasPhone && !saidInChat(d),
      deliver: (d) => deliverBySms(ctx, d),
    });
  },
  routes,
  jobs: (ctx) => ({ [SMS_SEND_TOPIC]: (e) => sendSms(ctx, Number(e.data.smsId)) }),
};
