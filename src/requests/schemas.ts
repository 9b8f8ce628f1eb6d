// The shapes of the registry's HTTP API: validated on the way in, documented in OpenAPI.
import { Type } from "@sinclair/typebox";
import { Id, StringEnum } from "../http/schemas.ts";
import { AUDIENCE_CODES, CATEGORY_CODES } from "./categories.ts";
import { SORTS } from "./queue/order.ts";
import { STATUSES } from "./status.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.Unsafe<string | Date>({ type: "string", format: "date-time" });

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
  mergedFrom: Type.Union([Type.String(), Type.Null()], {
    description: "Ссылка вела на обращение с этим номером, объединённое с показанным",
  }),
  mergedInto: Type.Union([Type.String(), Type.Null()], {
    description: "Обращение объединено с обращением этого номера (другого заявителя: его страница не показывается)",
  }),
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
  preview: Nullable(Type.String({ description: "первые слова текста, когда темы нет (звонки, многие письма)" })),
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
  sort: Type.Optional(
    StringEnum(SORTS, {
      description:
        "порядок: due — что требует действия раньше (просроченные, затем ближайший срок; по умолчанию), created, updated, priority, status, category, channel",
    }),
  ),
  dir: Type.Optional(
    StringEnum(["asc", "desc"] as const, { description: "направление; у каждого порядка своё по умолчанию" }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 400, pattern: "^[A-Za-z0-9_-]+$", description: "nextCursor предыдущей страницы" }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const ListPage = Type.Object({
  items: Type.Array(ListItem),
  total: Type.Integer({ description: "сколько обращений по этим условиям, не больше 10 000" }),
  totalCapped: Type.Boolean({ description: "true: обращений больше, чем total" }),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: "курсор следующей страницы или null" }),
});

export const RequestDetail = Type.Object(
  {
    number: Type.String(),
    status: Type.String(),
    allowedStatuses: Type.Array(Type.String()),
    messages: Type.Array(Type.Object({}, { additionalProperties: true })),
    history: Type.Array(Type.Object({}, { additionalProperties: true })),
    mergedInto: Type.Union([Type.String(), Type.Null()], {
      description: "Номер обращения, с которым это объединено (его номер ведёт туда)",
    }),
    mergedFrom: Type.Array(Type.String(), { description: "Обращения-дубли, объединённые с этим" }),
    related: Type.Array(Type.Object({ number: Type.String(), subject: Type.String(), status: Type.String() }), {
      description: "Связанные обращения (в пределах видимости сотрудника)",
    }),
    applicantRequests: Type.Array(
      Type.Object({
        number: Type.String(),
        subject: Type.String(),
        status: Type.String(),
        channel: Type.String(),
        createdAt: Type.String({ format: "date-time" }),
      }),
      { description: "Другие обращения того же заявителя из всех каналов (в пределах видимости сотрудника)" },
    ),
  },
  { additionalProperties: true },
);

export const TokenParams = Type.Object({
  token: Type.String({ minLength: 22, maxLength: 100, pattern: "^[A-Za-z0-9_-]+$" }),
});

export const STATUS_LIST = StringEnum(STATUSES);
