// TypeBox shapes of the directory's HTTP API (OpenAPI is generated from them).
import { Type } from "@sinclair/typebox";
import { bodyByType } from "../http/schemas.ts";
import { RecommendQuerystringSchema } from "./schema.ts";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: "date-time" });

export const RecommendQuery = Type.Object({
  ...RecommendQuerystringSchema.properties,
  // Checked by recommend itself, so that a bad time is refused with the CLI's code (at_invalid).
  at: Type.Optional(Type.String({ description: "ISO 8601; по умолчанию — сейчас" })),
});

export const ProblemItem = Type.Object({
  severity: Type.Union([Type.Literal("error"), Type.Literal("warning")]),
  code: Type.String(),
  line: Type.Optional(Type.Integer()),
  entry: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});

export const CheckReport = Type.Object({
  ok: Type.Boolean(),
  errors: Type.Integer(),
  warnings: Type.Integer(),
  problems: Type.Array(ProblemItem),
});

export const DirectoryProblem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.String(),
    errorCount: Type.Optional(Type.Integer()),
    warningCount: Type.Optional(Type.Integer()),
    problems: Type.Optional(Type.Array(ProblemItem)),
    // The same list; a refusal by the schema carries only field and message.
    errors: Type.Optional(
      Type.Array(Type.Union([ProblemItem, Type.Object({ field: Type.String(), message: Type.String() })]), {
        description: "тот же список (для форм: field, message)",
      }),
    ),
  },
  {
    additionalProperties: true,
    description: "application/problem+json; при отказе сохранить справочник — список problems, как у проверки",
  },
);

export const PublicLine = Type.Object({
  id: Type.String(),
  number: Type.String(),
  e164: Type.String(),
  title: Type.String(),
  purpose: Type.String(),
  kind: Type.String(),
  role: Type.String(),
  backs: Type.Optional(Type.String()),
  audience: Type.Array(Type.String()),
  topics: Type.Array(Type.String()),
  regions: Type.Array(Type.String()),
  districts: Type.Array(Type.String()),
  hours: Type.String(),
  timezone: Type.String(),
  cost: Type.String(),
  abroad: Type.Boolean(),
  dial: Type.Optional(Type.String()),
  open: Type.Union([Type.Boolean(), Type.Null()]),
  opensAt: Nullable(Instant),
  closesAt: Nullable(Instant),
  overloaded: Type.Boolean(),
  notes: Type.Optional(Type.String()),
});

export const LinesAnswer = Type.Object({
  at: Instant,
  groups: Type.Array(Type.Object({ title: Type.String(), lines: Type.Array(PublicLine) })),
});

export const RegionsAnswer = Type.Array(
  Type.Object({
    name: Type.String(),
    short: Type.Array(Type.String()),
    cities: Type.Array(Type.String(), { description: "Центр субъекта и крупные города" }),
    in: Type.String({ description: "Где, в предложном падеже: «в Санкт-Петербурге», «во Владимирской области»" }),
    district: Type.String(),
    timezone: Type.String(),
  }),
);

export const LineIdParams = Type.Object({ id: Type.String({ pattern: "^[A-Za-z0-9_.-]{1,80}$" }) });

const YamlText = Type.String({ maxLength: 500_000 });
export const YamlBody = bodyByType({
  "application/json": Type.Object({ yaml: YamlText }),
  "application/yaml": YamlText,
  "application/x-yaml": YamlText,
  "text/yaml": YamlText,
  "text/plain": YamlText,
});

export const AdminEntry = Type.Object({
  id: Type.String(),
  section: Type.String(),
  comment: Type.Union([Type.String(), Type.Null()]),
  entry: Type.Record(Type.String(), Type.Unknown(), { description: "строка в том виде, как в directory.yaml" }),
  published: Type.Boolean(),
  overloaded: Type.Boolean(),
  /** Who marked the line overloaded and when (absent when it is not). */
  overloadedBy: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  overloadedAt: Type.Optional(Instant),
  updatedAt: Instant,
  updatedBy: Type.Union([Type.Integer(), Type.Null()]),
});

export const AdminDirectory = Type.Object({
  sections: Type.Array(Type.String()),
  entries: Type.Array(AdminEntry),
  check: CheckReport,
});

export const LineEditBody = Type.Object(
  {
    entry: Type.Record(Type.String(), Type.Unknown(), {
      description:
        "поля строки как в directory.yaml: number, e164, title, purpose, kind, role, audience, topics, region(s), timezone, schedule, cost, …",
    }),
    section: Type.Optional(Type.String({ maxLength: 200 })),
    comment: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const SaveAnswer = Type.Object({
  created: Type.Optional(Type.Boolean()),
  ok: Type.Boolean(),
  errors: Type.Integer(),
  warnings: Type.Integer(),
  problems: Type.Array(ProblemItem),
});

export const CalendarDay = Type.Object({
  date: Type.String({ description: "ГГГГ-ММ-ДД" }),
  type: Type.Union([Type.Literal("holiday"), Type.Literal("day_off"), Type.Literal("short"), Type.Literal("working")]),
  title: Type.Optional(Type.String()),
  from: Type.Optional(Type.String()),
});

export const CalendarYearBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 500 }),
    decree: Type.Optional(Type.String({ maxLength: 500 })),
    days: Type.Array(CalendarDay, { maxItems: 366 }),
  },
  { additionalProperties: false },
);

export const CalendarYearAnswer = Type.Object({
  year: Type.Integer(),
  source: Type.String(),
  decree: Type.Optional(Type.String()),
  days: Type.Array(CalendarDay),
  workingDays: Type.Integer({ description: "рабочих дней в году по этому календарю" }),
  shortDays: Type.Integer(),
  updatedAt: Type.Optional(Instant),
});

export const YearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });

export const VersionItem = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  subject: Type.String(),
  changedBy: Type.Union([Type.String(), Type.Null()]),
  changedAt: Instant,
});
