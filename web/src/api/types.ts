// Names for the shapes the pages use, taken from the generated schema (never retyped by hand).
import type { paths } from "./schema";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** The JSON body of a path's successful answer (200 or 201). */
export type ResponseOf<P extends keyof paths, M extends Method = "get"> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : never
  : never;

/** The JSON body a path takes. */
export type BodyOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer T } };
}
  ? T
  : never;
