// The fuzz's randomness: a seeded generator (a run is repeated with `--seed`), hostile strings and numbers, any JSON
// value, and values drawn from a route's own schema — mostly valid, so that cases reach the handlers and the database.

export type Rng = {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
};

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, chance: (p) => next() < p, pick: (xs) => xs[int(xs.length)]! };
}

const HOSTILE = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "<script>alert(1)</script>",
  "' or '1'='1' --",
  "'; drop table requests; --",
  "../../etc/passwd",
  "%00",
  "\u202e\u202d",
  "𝕏".repeat(40),
  "\ud800",
  "8 800 555-35-35",
  "+7 (916) 123-45-67",
  "anna.petrova@example.ru",
  "null",
  "undefined",
  "NaN",
  "-1",
  "0",
  "2147483648",
  "99999999999",
  "1e309",
  "__proto__",
  "constructor",
  "{{имя}}",
  "#{7*7}",
  "\r\n\r\n.\r\n",
  "Ё".repeat(300),
];
const ALPHABET = "abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмнопрстуфхцчшщъыьэюя0123456789 .,-_@+";

/** A string: ordinary, hostile, random code points, or long. */
export function text(r: Rng, max = 60): string {
  const k = r.int(10);
  if (k < 4) return Array.from({ length: 1 + r.int(Math.max(1, max)) }, () => r.pick([...ALPHABET])).join("");
  if (k < 7) return r.pick(HOSTILE);
  if (k < 9) return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.int(0x3000))).join("");
  return "ж".repeat(r.pick([1000, 20_001, 100_000, 300_000]));
}

export const NUMBERS = [
  0,
  1,
  -1,
  5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 40,
  2 ** 53,
  -(2 ** 53),
  0.5,
  1e308,
  -0,
];

/** Any JSON value, nested up to `depth`. */
export function anyValue(r: Rng, depth = 3): unknown {
  const k = r.int(depth > 0 ? 8 : 5);
  if (k === 0) return null;
  if (k === 1) return r.chance(0.5);
  if (k === 2) return r.pick(NUMBERS);
  if (k <= 4) return text(r);
  if (k === 5) return Array.from({ length: r.int(4) }, () => anyValue(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) {
    const key = r.chance(0.5) ? text(r, 10) : r.pick(["id", "text", "email", "__proto__"]);
    // An own property even for «__proto__», so that it is sent as a key.
    Object.defineProperty(o, key, {
      value: anyValue(r, depth - 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return o;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};

/** A value for a schema: valid most of the time, now and then of the wrong type or just past a bound. */
export function fromSchema(r: Rng, schema: unknown, depth = 0): unknown {
  const s = (schema ?? {}) as Schema;
  if (depth > 4 || r.chance(0.08)) return anyValue(r, 2);
  if (s.const !== undefined) return s.const;
  if (s.enum) return r.chance(0.9) ? r.pick(s.enum) : text(r);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fromSchema(r, r.pick(branches), depth + 1);
  const type = Array.isArray(s.type) ? r.pick(s.type) : s.type;
  switch (type) {
    case "object": {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(k) ? r.chance(0.97) : r.chance(0.5)) o[k] = fromSchema(r, v, depth + 1);
      }
      if (r.chance(0.05)) o[text(r, 8)] = anyValue(r, 1);
      return o;
    }
    case "array":
      return Array.from({ length: r.int(4) }, () => fromSchema(r, s.items, depth + 1));
    case "integer":
    case "number": {
      if (r.chance(0.15)) return r.pick(NUMBERS);
      const lo = s.minimum ?? 0;
      const hi = s.maximum ?? lo + 1000;
      return lo + r.int(Math.max(1, Math.min(hi - lo + 1, 1e6)));
    }
    case "boolean":
      return r.chance(0.5);
    case "null":
      return null;
    case "string": {
      if (s.pattern && r.chance(0.5)) return "1000013";
      const max = s.maxLength ?? 200;
      if (r.chance(0.1)) return "x".repeat(max + r.int(2));
      const v = text(r, Math.min(max, 60));
      return v.length >= (s.minLength ?? 0) ? v : v.padEnd(s.minLength ?? 0, "я");
    }
    default:
      return anyValue(r, 2);
  }
}
