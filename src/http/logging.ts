// JSON logs without personal data: requests are logged by route pattern (never the raw URL, which may carry
// a tracking token or a search for a phone number), and known personal fields are redacted wherever they appear.
import type { FastifyReply, FastifyRequest } from "fastify";

export const PERSONAL_KEYS = [
  "name",
  "email",
  "phone",
  "text",
  "body",
  "subject",
  "comment",
  "password",
  "contact",
  "q",
  "from",
  "to",
  "snils",
  "inn",
];

export function loggerOptions(level: string) {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'req.headers["x-csrf-token"]',
        ...PERSONAL_KEYS.map((k) => `*.${k}`),
        ...PERSONAL_KEYS.map((k) => `*.*.${k}`),
      ],
      censor: "[скрыто]",
    },
    serializers: {
      req(req: FastifyRequest) {
        return { method: req.method, route: req.routeOptions?.url ?? "unmatched", id: req.id };
      },
      res(reply: FastifyReply) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}
