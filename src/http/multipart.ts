// Reads a multipart/form-data body: text fields, and files stored through the file store as they arrive.
// The text fields are validated against the route's multipart schema (the same fields as its JSON body), NUL is
// refused in fields and file names, and a broken body is a 400. If anything fails, the files already stored for
// this body are removed again.

import type { TSchema } from "@sinclair/typebox";
import { Ajv, type ValidateFunction } from "ajv";
import type { FastifyRequest } from "fastify";
import type { FileStore } from "../files/store.ts";
import { type StoredFile, safeFilename } from "../requests/files.ts";
import { count, WORDS } from "../text/plural.ts";
import { invalidMultipart, isMultipartSyntaxError, multipartFieldsOf, parseBoundedJson, refuseNul } from "./bodies.ts";
import { errors } from "./errors.ts";
import { describeSchemaError } from "./problem.ts";

/** `maxFiles`: the files one body may carry (the multipart parser's own limit, named in the refusal). */
export async function readMultipart(req: FastifyRequest, files: FileStore, maxFiles: number) {
  const fields: Record<string, string> = {};
  const stored: StoredFile[] = [];
  try {
    for await (const part of req.parts()) {
      refuseNul(part.fieldname);
      if (part.type === "file") {
        refuseNul(part.filename);
        const content = await part.toBuffer();
        if (part.file.truncated) throw errors.tooLarge(`Файл «${safeFilename(part.filename)}» слишком большой.`);
        if (!part.filename && content.length === 0) continue;
        stored.push(await files.put(part.filename || "file", content));
      } else {
        if (part.fieldnameTruncated || part.valueTruncated) {
          throw errors.tooLarge(`Поле «${part.fieldname.slice(0, 100)}» формы слишком длинное.`);
        }
        if (Object.hasOwn(fields, part.fieldname)) {
          throw errors.validation(`Поле «${part.fieldname.slice(0, 100)}» передано больше одного раза.`, {
            field: part.fieldname,
          });
        }
        const value = String(part.value);
        refuseNul(value);
        fields[part.fieldname] = value;
      }
    }
    validateFields(req, fields);
  } catch (e) {
    await Promise.all(stored.map((f) => files.remove(f.id)));
    const code = (e as { code?: string }).code;
    if (code === "FST_REQ_FILE_TOO_LARGE") {
      throw errors.tooLarge(`Файл больше ${Math.floor(files.maxBytes / 1024 / 1024)} МБ.`);
    }
    if (code === "FST_FILES_LIMIT") {
      throw errors.tooLarge(`К одному сообщению можно приложить не больше ${count(maxFiles, ...WORDS.fileGenitive)}.`);
    }
    if (isMultipartSyntaxError(e)) throw invalidMultipart();
    throw e;
  }
  return { fields, files: stored };
}

const ajv = new Ajv({ allErrors: false, strict: false, formats: { binary: true } });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: object) {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function check(validate: ValidateFunction, value: unknown, where: string) {
  if (validate(value)) return;
  const first = validate.errors![0]!;
  const { message, field } = describeSchemaError(first, where);
  throw errors.validation(message, {
    field,
    errors: validate.errors!.map((e) => describeSchemaError(e, where)),
  });
}

/** The route's multipart schema: its text fields are held to it as the JSON body is to the JSON schema. */
function validateFields(req: FastifyRequest, fields: Record<string, string>) {
  const schema = multipartFieldsOf(req.routeOptions.schema?.body);
  if (schema) check(validatorOf(schema), fields, "body");
}

/** Validates a JSON field of a multipart body against the same schema the JSON route uses. */
export function parseJsonField<T>(schema: TSchema, raw: string | undefined, fieldName: string): T {
  let value: unknown;
  try {
    value = parseBoundedJson(raw ?? "");
  } catch (e) {
    if ((e as { code?: string }).code === "json_too_deep") throw e;
    throw errors.badInput("invalid_json", `Поле «${fieldName}» должно содержать JSON.`);
  }
  refuseNul(value);
  check(validatorOf(schema), value, fieldName);
  return value as T;
}
