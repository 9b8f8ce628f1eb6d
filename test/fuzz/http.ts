// HTTP with every content type: each public route and a sample of staff routes (with a valid token), path params
// that are huge, negative or not numbers, query strings with repeated keys, and bodies as JSON drawn from the
// route's schema, any JSON, forms with repeated fields, text/plain, multipart (well-formed, with broken boundaries,
// truncated, with NUL), deep nesting, big bodies, other types and none. Any 5xx is a failure.
import { FORM_TYPE, JSON_TYPE, MULTIPART_TYPE } from "../../src/http/bodies.ts";
import type { TestServer } from "../harness.ts";
import { multipartBody } from "../multipart-body.ts";
import { anyValue, fromSchema, NUMBERS, type Rng, text } from "./random.ts";
import { note, show, type Tally, thrown, withTimeout } from "./target.ts";

export type Known = { number: string; token: string; slug: string; lineId: string; admin: string };

type Route = { method: string; url: string; schema: Record<string, unknown> | undefined; staff: boolean };
type Body = { payload?: string | Buffer; headers: Record<string, string>; what: string };

// Streams never end by themselves; these would train a model or send mail on every case.
const SKIP = [
  /^GET .*\/(events|stream)$/,
  /^GET \/api\/v1\/chat\/ws$/,
  /^POST \/api\/v1\/admin\/classifier\/train$/,
  /^POST \/api\/v1\/admin\/analytics\/summary\/send$/,
];

/** Every public route, and every staff route but the skipped ones (tried with an administrator's token). */
export function routesOf(s: TestServer): Route[] {
  return s.app.declaredInputs
    .filter((r) => !SKIP.some((x) => x.test(`${r.method} ${r.url}`)))
    .map((r) => {
      const declared = s.app.declaredRoutes.find((d) => d.method === r.method && d.url === r.url);
      return { method: r.method, url: r.url, schema: r.schema as never, staff: declared?.access !== "public" };
    });
}

function pathParam(r: Rng, name: string, known: Known): string {
  const valid: Record<string, string> = {
    number: known.number,
    token: known.token,
    slug: known.slug,
    lineId: known.lineId,
    id: "1",
    version: "1",
    year: "2026",
  };
  const k = r.int(6);
  if (k < 2 && valid[name]) return valid[name];
  if (k < 4)
    return r.pick([
      "0",
      "-1",
      "2147483647",
      "2147483648",
      "99999999999",
      "1e3",
      "1e309",
      "Infinity",
      "-1e400",
      "1.5",
      "abc",
      "%00",
      "%2e%2e",
      "x".repeat(300),
    ]);
  // A lone surrogate cannot be percent-encoded: its UTF-8 look-alike is sent instead.
  const raw = text(r, 30);
  try {
    return encodeURIComponent(raw) || "x";
  } catch {
    return "%ED%A0%80";
  }
}

function query(r: Rng, schema: unknown): string {
  const q = new URLSearchParams();
  const props = ((schema as { properties?: Record<string, unknown> })?.properties ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(props)) {
    if (!r.chance(0.5)) continue;
    const value = fromSchema(r, v);
    for (const x of Array.isArray(value) ? value : [value]) q.append(k, typeof x === "string" ? x : JSON.stringify(x));
    if (r.chance(0.1)) q.append(k, text(r, 20));
  }
  if (r.chance(0.1)) q.append(text(r, 10), String(r.pick(NUMBERS)));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The JSON schema of a route's body, whether declared plain or per content type. */
function jsonSchemaOf(route: Route): unknown {
  const body = route.schema?.body as { content?: Record<string, { schema?: unknown }> } | undefined;
  return body?.content ? (body.content[JSON_TYPE] ?? body.content[MULTIPART_TYPE])?.schema : body;
}

function flat(value: unknown): [string, string][] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [["value", show(value)]];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(value)) {
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, typeof x === "string" ? x : (JSON.stringify(x) ?? "")]);
  }
  return out;
}

function body(r: Rng, route: Route): Body {
  const sample = () => fromSchema(r, jsonSchemaOf(route));
  const k = r.int(100);
  if (k < 30)
    return { what: "json", payload: JSON.stringify(sample()) ?? "null", headers: { "content-type": JSON_TYPE } };
  if (k < 38)
    return {
      what: "json any",
      payload: JSON.stringify(anyValue(r)) ?? "null",
      headers: { "content-type": `${JSON_TYPE}; charset=utf-8` },
    };
  if (k < 52) {
    const fields = flat(sample());
    // Repeated fields: the same name twice, or an array's items.
    if (fields.length && r.chance(0.5)) fields.push([fields[0]![0], text(r, 20)]);
    return { what: "form", payload: new URLSearchParams(fields).toString(), headers: { "content-type": FORM_TYPE } };
  }
  if (k < 60) return { what: "text/plain", payload: text(r, 200), headers: { "content-type": "text/plain" } };
  if (k < 70) {
    const fields = flat(sample()).map(([name, value]) => ({ name, value }));
    const files = Array.from({ length: r.int(3) }, () => ({
      name: r.pick(["files", "file", "data"]),
      value: Buffer.from(Array.from({ length: r.int(2000) }, () => r.int(256))),
      filename: r.pick(["скрин.png", "a\u0000b.txt", "../../x.pdf", "", text(r, 40)]),
      type: r.pick(["image/png", "application/pdf", "text/plain", "application/octet-stream"]),
    }));
    const parts = [...fields, ...files];
    if (route.url.endsWith("/requests") && r.chance(0.7))
      parts.unshift({ name: "data", value: JSON.stringify(sample()) });
    const mp = multipartBody(parts);
    return { what: "multipart", ...mp };
  }
  if (k < 80) {
    const mp = multipartBody([{ name: r.pick(["data", "text", "a\u0000"]), value: text(r, 50) }]);
    const variants: Body[] = [
      { what: "multipart no boundary", payload: mp.payload, headers: { "content-type": MULTIPART_TYPE } },
      {
        what: "multipart long boundary",
        payload: mp.payload,
        headers: { "content-type": `${MULTIPART_TYPE}; boundary=${"b".repeat(300)}` },
      },
      {
        what: "multipart other boundary",
        payload: mp.payload,
        headers: { "content-type": `${MULTIPART_TYPE}; boundary=zzz` },
      },
      { what: "multipart truncated", payload: mp.payload.subarray(0, r.int(mp.payload.length)), headers: mp.headers },
      { what: "multipart garbage", payload: Buffer.from(text(r, 300)), headers: mp.headers },
      { what: "multipart empty", payload: "", headers: mp.headers },
    ];
    return r.pick(variants);
  }
  if (k < 86) {
    const depth = r.pick([63, 64, 65, 1000, 100_000]);
    const nested = r.chance(0.5)
      ? "[".repeat(depth) + "]".repeat(depth)
      : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    return { what: `json depth ${depth}`, payload: nested, headers: { "content-type": JSON_TYPE } };
  }
  if (k < 90) {
    const size = r.pick([200_000, 1024 * 1024 - 100, 1024 * 1024 + 100, 2_000_000]);
    return {
      what: `big ${size}`,
      payload: JSON.stringify({ text: "я".repeat(size / 2) }),
      headers: { "content-type": JSON_TYPE },
    };
  }
  if (k < 95) return { what: "no content type", payload: text(r, 100) || "x", headers: {} };
  const type = r.pick([
    "application/xml",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "application/octet-stream",
    "image/png",
    "application/json-patch+json",
    "multipart/mixed; boundary=x",
    ";;;",
    "application/json; charset=koi8-r",
  ]);
  return { what: type, payload: text(r, 100), headers: { "content-type": type } };
}

/** One case: a route, its path, query, headers and body. */
export async function httpCase(s: TestServer, r: Rng, routes: Route[], known: Known, tally: Tally) {
  const route = r.pick(routes);
  const url =
    route.url.replace(/:(\w+)/g, (_m, name: string) => pathParam(r, name, known)) + query(r, route.schema?.querystring);
  const b = route.method === "GET" && r.chance(0.9) ? { what: "none", headers: {} } : body(r, route);
  const headers: Record<string, string> = { ...b.headers };
  if (route.staff && r.chance(0.95)) headers.authorization = known.admin;
  else if (r.chance(0.05)) headers.authorization = `Bearer ${text(r, 40)}`;
  if (r.chance(0.1)) headers["idempotency-key"] = text(r, 60).replace(/[^\x20-\x7e]/g, "k") || "key-12345";
  if (r.chance(0.05)) headers["x-chat-token"] = text(r, 60).replace(/[^\x20-\x7e]/g, "t") || "token";
  tally.cases++;
  try {
    const res = await withTimeout(
      s.app.inject({
        method: route.method as "GET",
        url,
        headers,
        ...(b.payload === undefined ? {} : { payload: b.payload }),
      }),
      15_000,
      `${route.method} ${route.url}`,
    );
    if (res.statusCode >= 500) {
      tally.serverErrors++;
      note(
        tally,
        `${route.method} ${route.url} [${b.what}] → ${res.statusCode} ${show(res.body)} | url ${show(url)} | body ${show(b.payload ?? "")}`,
      );
    }
  } catch (e) {
    thrown(tally, `${route.method} ${route.url} [${b.what}]`, e);
  }
}
