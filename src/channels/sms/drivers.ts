// The SMS gateway's drivers. `log` (the default) sends nothing and writes a line that an SMS went — never the number
// or the text. `http` speaks to a generic SMS gateway: a JSON POST with a bearer token and an idempotency key; the
// provider's answers map to the port's codes: 429 (with Retry-After) and 5xx are worth retrying, other 4xx are not.
import type { Logger } from "pino";
import { SmsError, type SmsGateway, type SmsMessage } from "./port.ts";

export function logGateway(log: Pick<Logger, "info">): SmsGateway {
  let n = 0;
  return {
    driver: "log",
    async send(m: SmsMessage) {
      const id = `log-${++n}`;
      log.info({ sms: id, chars: m.text.length }, "SMS sent (log driver: nothing leaves the server)");
      return { id };
    },
  };
}

export type HttpGatewayOptions = {
  url: string;
  token: string;
  sender?: string | undefined;
  /** Milliseconds before an unanswered request counts as the provider being unavailable. */
  timeoutMs?: number;
};

/**
 * The request: `POST <url>` with `Authorization: Bearer <token>`, `Idempotency-Key: <key>` and the body
 * `{"to": "+79…", "text": "…", "sender": "…"}`; the answer `2xx {"id": "…"}`.
 */
export function httpGateway(o: HttpGatewayOptions): SmsGateway {
  return {
    driver: "http",
    async send(m: SmsMessage) {
      let res: Response;
      try {
        res = await fetch(o.url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${o.token}`,
            "content-type": "application/json",
            "idempotency-key": m.key,
          },
          body: JSON.stringify({ to: m.to, text: m.text, ...(o.sender ? { sender: o.sender } : {}) }),
          signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        });
      } catch (e) {
        throw new SmsError((e as Error).name === "TimeoutError" ? "timeout" : "network", true);
      }
      const body = (await res.json().catch(() => null)) as { id?: unknown; code?: unknown } | null;
      if (res.ok) {
        if (typeof body?.id !== "string" && typeof body?.id !== "number") throw new SmsError("bad_answer", true);
        return { id: String(body.id) };
      }
      if (res.status === 429)
        throw new SmsError("rate_limited", true, retryAfterSeconds(res.headers.get("retry-after")));
      if (res.status >= 500)
        throw new SmsError(`provider_${res.status}`, true, retryAfterSeconds(res.headers.get("retry-after")));
      // The provider's own code names what was wrong (a number it does not serve, a text too long); kept short and
      // free of anything it may quote.
      const code =
        typeof body?.code === "string" && /^[a-z0-9_]{1,40}$/i.test(body.code) ? body.code : String(res.status);
      throw new SmsError(`rejected_${code}`, false);
    },
  };
}

/** Retry-After as seconds: a number of seconds or an HTTP date; nothing for what cannot be read. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()), 86_400);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(Math.ceil((at - now) / 1000), 86_400));
}
