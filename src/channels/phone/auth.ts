// The PBX proves itself by the shared secret: in the path, or as an HMAC-SHA256 of the raw body
// (X-Otklik-Signature), or — for the IVR — Twilio's X-Twilio-Signature (HMAC-SHA1 of URL and parameters).
import { createHmac, timingSafeEqual } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import { AppError, errors } from "../../http/errors.ts";

declare module "fastify" {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export const SIGNATURE_HEADER = "x-otklik-signature";

const refused = (what = "Событие не подписано") =>
  new AppError("phone_unauthenticated", `${what} секретом АТС (OTKLIK_PHONE_SECRET).`, 401);
const ivrRefused = () => refused("Запрос голосового меню не подписан");
const notConfigured = () =>
  new AppError("phone_not_configured", "Телефонный канал не настроен: задайте OTKLIK_PHONE_SECRET.", 503);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Keeps the raw body beside the parsed one: signatures are computed over the bytes sent. Reading stops at the
 * route's limit (this runs before the parser that would enforce it).
 */
export async function keepRawBody(req: FastifyRequest, payload: NodeJS.ReadableStream, limit: number) {
  const tooLarge = () => errors.tooLarge(`Событие звонка больше ${limit} байт.`);
  if (Number(req.headers["content-length"] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of payload) {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  req.rawBody = Buffer.concat(chunks);
  const copy = Readable.from([req.rawBody]) as Readable & { receivedEncodedLength?: number };
  copy.receivedEncodedLength = req.rawBody.length;
  return copy;
}

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Call events: the secret in the path, or a valid body signature. */
export function checkEventAuth(secret: string | undefined, req: FastifyRequest, pathSecret: string | undefined) {
  if (!secret) throw notConfigured();
  if (pathSecret !== undefined) {
    if (!same(pathSecret, secret)) throw refused();
    return;
  }
  const header = req.headers[SIGNATURE_HEADER];
  if (typeof header !== "string" || !req.rawBody) throw refused();
  if (!same(header.toLowerCase(), signBody(secret, req.rawBody))) throw refused();
}

/** Twilio's signature: base64 HMAC-SHA1 over the full URL followed by each POST parameter, sorted by name. */
export function twilioSignature(secret: string, url: string, params: Record<string, unknown>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + String(params[k] ?? ""), url);
  return createHmac("sha1", secret).update(data).digest("base64");
}

/**
 * IVR: the path secret, or Twilio's signature over our public address of the request. Without a secret it is
 * refused as call events are: an unsigned request could name any caller and ask about any request number.
 */
export function checkIvrAuth(
  secret: string | undefined,
  req: FastifyRequest<{ Body: Record<string, unknown> | undefined }>,
  publicUrl: string,
  pathSecret: string | undefined,
) {
  if (!secret) throw notConfigured();
  if (pathSecret !== undefined) {
    if (!same(pathSecret, secret)) throw ivrRefused();
    return;
  }
  const header = req.headers["x-twilio-signature"];
  if (typeof header !== "string") throw ivrRefused();
  const url = publicUrl.replace(/\/$/, "") + req.url;
  if (!same(header, twilioSignature(secret, url, req.body ?? {}))) throw ivrRefused();
}
