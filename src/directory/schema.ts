// The shape of one recommended line, shared by the CLI and GET /api/v1/directory/recommend (OpenAPI comes from it).
import { type Static, Type } from "@sinclair/typebox";

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const IsoInstant = Type.String({ format: "date-time", description: "ISO 8601 with the offset" });

export const LocalTimesSchema = Type.Object({
  timezone: Type.String({ description: "IANA zone of the caller's region" }),
  opensAt: Nullable(IsoInstant),
  closesAt: Nullable(IsoInstant),
});

export const RecommendItemSchema = Type.Object({
  id: Type.String(),
  number: Type.String({ description: "as people write it" }),
  e164: Type.String(),
  title: Type.String(),
  purpose: Type.String(),
  kind: Type.String(),
  role: Type.String(),
  open: Type.Union([Type.Boolean(), Type.Null()], { description: "null when the line's hours are unknown" }),
  opensAt: Nullable(IsoInstant),
  closesAt: Nullable(IsoInstant),
  hours: Type.String({ description: "the schedule in words, in Russian" }),
  timezone: Type.String(),
  local: Type.Optional(LocalTimesSchema),
  cost: Type.Union([Type.Literal("free"), Type.Literal("tariff")]),
  dial: Type.Optional(Type.String({ description: "how to dial from abroad" })),
  overloaded: Type.Boolean(),
  regionalFallback: Type.Boolean({ description: "the caller's region has no line of its own" }),
  why: Type.String({ description: "why this line, in Russian" }),
  notes: Type.Optional(Type.String()),
});

export type RecommendItem = Static<typeof RecommendItemSchema>;

export const RecommendAnswerSchema = Type.Array(RecommendItemSchema);

/** The query of GET /api/v1/directory/recommend; the same fields as the CLI options. */
export const RecommendQuerystringSchema = Type.Object({
  topic: Type.String({ description: "category code of PRODUCT.md" }),
  audience: Type.Optional(Type.String({ description: "citizen (default), legal_entity, entrepreneur" })),
  region: Type.Optional(Type.String({ description: "any form people type: «Воронежская обл.», «Якутия»" })),
  abroad: Type.Optional(Type.Boolean({ default: false })),
  at: Type.Optional(Type.String({ format: "date-time", description: "defaults to now" })),
});

export type RecommendQuerystring = Static<typeof RecommendQuerystringSchema>;
