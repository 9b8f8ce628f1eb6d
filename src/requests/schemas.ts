// The shapes of the registry's HTTP API: validated on the way in, documented in OpenAPI.
import { Type } from "@sinclair/typebox";
import { Id } from "../http/schemas.ts";
import { AUDIENCE_CODES, CATEGORY_CODES } from "./categories.ts";
import { STATUSES } from "./status.ts";

/** A string that must be one of `values`; typed as their union. */
export const StringEnum = <T extends readonly string[]>(values: T, options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.Unsafe<string | Date>({ type: "string", format: "date-time" });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
  },
  { additionalProperties: true, description: "application/problem+json" },
);

export const NewRequestBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 20000, description: "Текст обращения" }),
    subject: Type.Optional(Type.String({ maxLength: 300 })),
    category: Type.Optional(StringEnum(CATEGORY_CODES)),
    audience: Type.Optional(StringEnum(AUDIENCE_CODES)),
    region: Type.Optional(Type.String({ maxLength: 200 })),
    contact: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 200 })),
          email: Type.Optional(Type.String({ maxLength: 254 })),
          phone: Type.Optional(Type.String({ maxLength: 40 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const Registered = Type.Object({
  number: Type.String({ description: "Номер обращения: цифры, последняя — контрольная" }),
  trackingUrl: Type.String({ description: "Секретная ссылка для отслеживания без входа" }),
  dueAt: DateTime,
  resolutionDueAt: DateTime,
  status: Type.String(),
});

export const Attachment = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
});

export const TrackingView = Type.Object({
  number: Type.String(),
  subject: Type.String(),
  category: Nullable(Type.String()),
  status: StringEnum(STATUSES),
  dueAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
  canReply: Type.Boolean(),
  canRate: Type.Boolean(),
  open: Type.Boolean(),
  rating: Type.Union([Type.Object({ score: Type.Integer(), comment: Nullable(Type.String()) }), Type.Null()]),
  messages: Type.Array(
    Type.Object({
      id: Type.Integer(),
      from: Type.Union([Type.Literal("applicant"), Type.Literal("support")]),
      authorName: Nullable(Type.String()),
      body: Type.String(),
      createdAt: DateTime,
      attachments: Type.Array(Attachment),
    }),
  ),
});

export const ListItem = Type.Object({
  number: Type.String(),
  subject: Type.String(),
  category: Nullable(Type.String()),
  categoryConfidence: Type.Union([Type.Number(), Type.Null()]),
  audience: Type.String(),
  channel: Type.String(),
  priority: Type.String(),
  status: Type.String(),
  department: Nullable(Type.String()),
  assigneeId: Type.Union([Type.Integer(), Type.Null()]),
  assigneeName: Nullable(Type.String()),
  contactName: Nullable(Type.String()),
  contactEmail: Nullable(Type.String({ description: "маскирован" })),
  contactPhone: Nullable(Type.String({ description: "маскирован" })),
  firstResponseDueAt: Type.Union([DateTime, Type.Null()]),
  resolutionDueAt: Type.Union([DateTime, Type.Null()]),
  firstRespondedAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
  overdue: Type.Boolean(),
});

export const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: "номер, телефон, e-mail или слова текста" })),
  status: Type.Optional(Type.Array(StringEnum(STATUSES))),
  category: Type.Optional(Type.Array(Type.String({ maxLength: 40 }))),
  channel: Type.Optional(Type.Array(Type.String({ maxLength: 20 }))),
  department: Type.Optional(Type.String({ maxLength: 40 })),
  assignee: Type.Optional(Type.Union([Type.Literal("me"), Type.Literal("none"), Id()])),
  overdue: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

export const RequestDetail = Type.Object(
  {
    number: Type.String(),
    status: Type.String(),
    allowedStatuses: Type.Array(Type.String()),
    messages: Type.Array(Type.Object({}, { additionalProperties: true })),
    history: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

export const NumberParams = Type.Object({ number: Type.String({ pattern: "^\\d{6,12}$" }) });
export const TokenParams = Type.Object({
  token: Type.String({ minLength: 22, maxLength: 100, pattern: "^[A-Za-z0-9_-]+$" }),
});
export const Ok = Type.Object({ ok: Type.Literal(true) });

export const STATUS_LIST = StringEnum(STATUSES);
