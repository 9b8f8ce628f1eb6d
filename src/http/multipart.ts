// Reads a multipart/form-data body: text fields, and files stored through the file store as they arrive.
// If anything fails, the files already stored for this body are removed again.

import type { TSchema } from "@sinclair/typebox";
import { Ajv, type ValidateFunction } from "ajv";
import type { FastifyRequest } from "fastify";
import type { FileStore, StoredFile } from "../requests/files.ts";
import { errors } from "./errors.ts";
import { describeSchemaError } from "./problem.ts";

export function isMultipart(req: FastifyRequest) {
  return req.isMultipart();
}

export async function readMultipart(req: FastifyRequest, files: FileStore) {
  const fields: Record<string, string> = {};
  const stored: StoredFile[] = [];
  try {
    for await (const part of req.parts()) {
      if (part.type === "file") {
        const content = await part.toBuffer();
        if (part.file.truncated) throw errors.tooLarge(`Файл «${part.filename}» слишком большой.`);
        if (!part.filename && content.length === 0) continue;
        stored.push(await files.put(part.filename || "file", content));
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (e) {
    await Promise.all(stored.map((f) => files.remove(f.id)));
    if ((e as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
      throw errors.tooLarge(`Файл больше ${Math.floor(files.maxBytes / 1024 / 1024)} МБ.`);
    }
    if ((e as { code?: string }).code === "FST_FILES_LIMIT")
      throw errors.tooLarge("Слишком много файлов в одном сообщении.");
    throw e;
  }
  return { fields, files: stored };
}

const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new WeakMap<TSchema, ValidateFunction>();

/** Validates a JSON field of a multipart body against the same schema the JSON route uses. */
export function parseJsonField<T>(schema: TSchema, raw: string | undefined, fieldName: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? "");
  } catch {
    throw errors.badInput("invalid_json", `Поле «${fieldName}» должно содержать JSON.`);
  }
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    const first = validate.errors![0]!;
    const { message, field } = describeSchemaError(first as never, fieldName);
    throw errors.validation(message, {
      field,
      errors: validate.errors!.map((e) => describeSchemaError(e as never, fieldName)),
    });
  }
  return value as T;
}
