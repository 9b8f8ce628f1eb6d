// Shared shapes of the API's input: every id and integer is range-checked by the schema, so a number past what
// a PostgreSQL column holds is a 400 at the door rather than a failed statement deep inside.
import { type NumberOptions, type TSchema, Type } from "@sinclair/typebox";

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
