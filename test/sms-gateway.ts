// A stand-in SMS gateway on loopback that speaks the protocol of the HTTP driver: bearer token, JSON body, the
// idempotency key (a repeated key is the same SMS, sent once), numbers in E.164; and its errors: 401 without the
// token, 400 for a number it does not take, 429 with Retry-After past its limit per window, and answers a test
// scripts in advance (a 503, a 429, a 422).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type GatewaySms = { id: string; to: string; text: string; sender: string | undefined; key: string };

export type StandInOptions = { token: string; perWindow?: number; windowMs?: number };

export async function startSmsGateway(o: StandInOptions) {
  const sent: GatewaySms[] = [];
  const byKey = new Map<string, GatewaySms>();
  const scripted: { status: number; retryAfter?: string; code?: string }[] = [];
  let requests = 0;
  let windowStart = Date.now();
  let inWindow = 0;

  const answer = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST") return answer(res, 405, { code: "method_not_allowed" });
    if (req.headers.authorization !== `Bearer ${o.token}`) return answer(res, 401, { code: "unauthorized" });
    const next = scripted.shift();
    if (next) {
      return answer(
        res,
        next.status,
        { code: next.code ?? "scripted" },
        next.retryAfter ? { "retry-after": next.retryAfter } : {},
      );
    }
    const key = req.headers["idempotency-key"];
    if (typeof key !== "string" || !key) return answer(res, 400, { code: "idempotency_key_required" });
    const known = byKey.get(key);
    if (known) return answer(res, 200, { id: known.id });
    if (Date.now() - windowStart > (o.windowMs ?? 60_000)) {
      windowStart = Date.now();
      inWindow = 0;
    }
    if (o.perWindow !== undefined && inWindow >= o.perWindow) {
      return answer(res, 429, { code: "too_many_requests" }, { "retry-after": "30" });
    }
    let body: { to?: unknown; text?: unknown; sender?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(res, 400, { code: "bad_json" });
    }
    if (typeof body.to !== "string" || !/^\+\d{10,15}$/.test(body.to))
      return answer(res, 400, { code: "invalid_number" });
    if (typeof body.text !== "string" || !body.text || body.text.length > 1000) {
      return answer(res, 400, { code: "invalid_text" });
    }
    inWindow++;
    const sms: GatewaySms = {
      id: `sm-${sent.length + 1}`,
      to: body.to,
      text: body.text,
      sender: typeof body.sender === "string" ? body.sender : undefined,
      key,
    };
    sent.push(sms);
    byKey.set(key, sms);
    return answer(res, 201, { id: sms.id });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500, { code: "internal" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1/sms`,
    sent,
    /** HTTP requests received, refused ones included. */
    requests: () => requests,
    /** The next answers, in order, before anything else is looked at. */
    script(...answers: { status: number; retryAfter?: string; code?: string }[]) {
      scripted.push(...answers);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
