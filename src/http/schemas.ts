// Shared shapes of the API's input: every id and integer is range-checked by the schema, so a number past what
// a PostgreSQL column holds is a 400 at the door rather than a failed statement deep inside.
import { Type as ProviderType } from "@fastify/type-provider-typebox";
import { type Kind, type NumberOptions, type Static, type TSchema, Type } from "@sinclair/typebox";

/** The largest value of a PostgreSQL `integer` (and `serial`) column. */
export const INT4_MAX = 2 ** 31 - 1;

/** A row id: integer 1..2^31−1. */
export const Id = (options: NumberOptions = {}) => Type.Integer({ minimum: 1, maximum: INT4_MAX, ...options });

/** `/…/:id` with a numeric id. */
export const IdParams = Type.Object({ id: Id() });

/** An integer within [min, max] (both bounds required: there is no unbounded integer in the API). */
export const Int = (minimum: number, maximum: number, options: NumberOptions = {}) =>
  Type.Integer({ minimum, maximum, ...options });

/** A count or size that is at least 1 and fits an `integer` column. */
export const Positive = (options: NumberOptions = {}) => Int(1, INT4_MAX, options);

/** A count that may be zero and fits an `integer` column. */
export const Natural = (options: NumberOptions = {}) => Int(0, INT4_MAX, options);

/**
 * The body of a multipart/form-data request whose text fields are those of `fields` (the same schema the JSON body
 * of the route uses) and whose files come under `files` (several) or `file` (one). The fields are validated against
 * it as they are read (`readMultipart`); the files are documented here for OpenAPI.
 */
export function multipartOf<T extends TSchema & { properties?: Record<string, TSchema> }>(
  fields: T,
  files: "files" | "file" = "files",
  description?: string,
) {
  const binary = Type.String({ format: "binary", ...(files === "file" ? { description: "файл" } : {}) });
  return Type.Object(
    {
      ...(fields.properties ?? {}),
      [files]: Type.Optional(files === "file" ? binary : Type.Array(binary, { description: "файлы" })),
    },
    { additionalProperties: false, ...(description ? { description } : {}) },
  );
}

/**
 * The schema of `StringEnum`, spelt out for both readers of its type: TypeBox's `Static` takes `static`; the Fastify
 * type provider, built on TypeBox 1, reads a schema it does not know by its JSON Schema keywords (`type`, `enum`).
 * Typed as a plain `TUnsafe`, the keywords would be lost in its index signature and a handler would see `unknown`.
 */
export type StringEnumSchema<T extends readonly string[]> = {
  [Kind]: string;
  static: T[number];
  params: unknown[];
  type: "string";
  enum: [...T];
  description?: string;
};

/** A string that must be one of `values`; typed as their union. */
export const StringEnum = <T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): StringEnumSchema<T> =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options }) as StringEnumSchema<T>;

/** The body of every error answer (application/problem+json), as `src/http/problem.ts` writes it. */
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

/** `/…/:number` with a request's number: digits, the last a check digit. */
export const NumberParams = Type.Object({ number: Type.String({ pattern: "^\\d{6,12}$" }) });

/** The answer of a command that has nothing else to say. */
export const Ok = Type.Object({ ok: Type.Literal(true) });
/** The bytes of a file in a response: Fastify sends a Buffer as it is, without serialising it. */
export const Binary = ProviderType.Unsafe<Buffer>(Type.String({ format: "binary" }));

/**
 * A body taken as JSON (`json`) or as multipart/form-data (`form`, the same fields and files). The handler finds the
 * JSON body in `req.body`; a form leaves `req.body` undefined and is read with `readMultipart`, which holds its
 * fields to `form`. `Unsafe` tells the type provider so; the schema Fastify and OpenAPI see is the `content` map.
 */
export function jsonOrForm<T extends TSchema & { properties?: Record<string, TSchema> }>(
  json: T,
  form: TSchema = multipartOf(json),
) {
  return ProviderType.Unsafe<Static<T> | undefined>({
    content: { "application/json": { schema: json }, "multipart/form-data": { schema: form } },
  });
}

/**
 * A body declared per content type, each validated by its own schema. The handler sees one of their types, or
 * undefined when the request carried no body at all (Fastify then has no type to validate by).
 */
export function bodyByType<M extends Record<string, TSchema>>(schemas: M) {
  const content = Object.fromEntries(Object.entries(schemas).map(([type, schema]) => [type, { schema }]));
  return ProviderType.Unsafe<Static<M[keyof M]> | undefined>({ content });
}

/** A body taken only as multipart/form-data: `req.body` stays undefined and the handler reads it with `readMultipart`. */
export function formOnly(form: TSchema) {
  return ProviderType.Unsafe<undefined>({ content: { "multipart/form-data": { schema: form } } });
}
