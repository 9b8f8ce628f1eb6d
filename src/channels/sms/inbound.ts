// Replies the gateway forwards: «СТОП» (or STOP, «ОТПИСАТЬСЯ») from a number stops the texts that are not essential
// to it, «СТАРТ» (START) brings them back. Anything else is not read: SMS are not a channel for requests.
import { createHash, timingSafeEqual } from "node:crypto";
import type { AppContext } from "../../context.ts";
import { AppError } from "../../http/errors.ts";
import { contactHashOf } from "../../notifications/gate.ts";
import { optIn, optOut } from "../../notifications/unsubscribe.ts";
import { normalizePhone } from "../../requests/contact.ts";

const STOP = new Set(["СТОП", "STOP", "ОТПИСАТЬСЯ", "ОТПИСКА"]);
const START = new Set(["СТАРТ", "START"]);

/** What a reply asks for: the word alone, in any case, with any punctuation around it. */
export function commandOf(text: string): "stop" | "start" | null {
  const word = text
    .toUpperCase()
    .replace(/Ё/g, "Е")
    .replace(/[^A-ZА-Я]/g, "");
  if (STOP.has(word)) return "stop";
  if (START.has(word)) return "start";
  return null;
}

/** The gateway proves itself with the same bearer token Otklik presents to it. */
export function checkGateway(ctx: AppContext, authorization: string | undefined) {
  const token = ctx.config.smsUrl ? ctx.config.smsToken : undefined;
  if (!token) {
    // Not a server fault but a route that is off: without a gateway there is nothing here to call.
    throw new AppError("sms_not_configured", "СМС-шлюз не настроен: задайте OTKLIK_SMS_URL и OTKLIK_SMS_TOKEN.", 404);
  }
  const digest = (s: string) => createHash("sha256").update(s).digest();
  if (!timingSafeEqual(digest(authorization ?? ""), digest(`Bearer ${token}`))) {
    throw new AppError("sms_unauthenticated", "Запрос не подписан токеном СМС-шлюза (OTKLIK_SMS_TOKEN).", 401);
  }
}

export async function receiveReply(ctx: AppContext, from: string, text: string): Promise<"stop" | "start" | null> {
  const phone = normalizePhone(from);
  const command = phone ? commandOf(text) : null;
  if (!phone || !command) return null;
  const t = { medium: "sms" as const, hash: contactHashOf("sms", phone) };
  if (command === "stop") await optOut(ctx, t);
  else await optIn(ctx, t);
  return command;
}
