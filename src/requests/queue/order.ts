// The queue's orders and its keyset pages. Every order ends on the request's id, so it is total and stable; a page
// goes on from the last row's key (the cursor), never skipping rows with OFFSET.
import { type SQL, sql } from "drizzle-orm";
import { errors } from "../../http/errors.ts";
import { actionDueSql, requests } from "../schema.ts";
import { STATUSES } from "../status.ts";

export const SORTS = ["due", "created", "updated", "priority", "status", "category", "channel"] as const;
export type Sort = (typeof SORTS)[number];
export type Direction = "asc" | "desc";

type Key = { expr: SQL; type: "timestamptz" | "int" | "text" | null };

/** The sort key of each order; `type` null: the id alone. */
const KEYS: Record<Sort, Key> = {
  // What needs action first: overdue (earliest due first), then due soonest; waiting and done requests last.
  due: { expr: actionDueSql("requests"), type: "timestamptz" },
  created: { expr: sql`${requests.id}`, type: null },
  updated: { expr: sql`${requests.updatedAt}`, type: "timestamptz" },
  // Ascending goes from low to urgent, so a header clicked once more (descending) puts the urgent first.
  priority: {
    expr: sql`(case ${requests.priority} when 'low' then 0 when 'normal' then 1 when 'high' then 2 else 3 end)`,
    type: "int",
  },
  // The order of the status machine, not of the alphabet.
  status: {
    expr: sql.raw(
      `coalesce(array_position(array[${STATUSES.map((s) => `'${s}'`).join(",")}], "requests"."status"), 0)`,
    ),
    type: "int",
  },
  category: { expr: sql`coalesce(${requests.category}, '')`, type: "text" },
  channel: { expr: sql`${requests.channel}`, type: "text" },
};

/** The direction a column sorts in when its header is first clicked (the queue's default order included). */
export const DEFAULT_DIRECTION: Record<Sort, Direction> = {
  due: "asc",
  created: "desc",
  updated: "desc",
  priority: "desc",
  status: "asc",
  category: "asc",
  channel: "asc",
};

/** The key as text, for the cursor: a timestamp's text keeps its microseconds and reads back exactly. */
export function sortKeySql(sort: Sort): SQL {
  const key = KEYS[sort];
  return key.type ? sql`(${key.expr})::text` : sql`null::text`;
}

export function orderBy(sort: Sort, dir: Direction): SQL[] {
  const key = KEYS[sort];
  const d = sql.raw(dir);
  return key.type ? [sql`${key.expr} ${d}`, sql`${requests.id} ${d}`] : [sql`${requests.id} ${d}`];
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(?::(\d{2})){0,2}$/;

/**
 * A moment as PostgreSQL writes a timestamptz (`2026-12-06 20:00:00.123+00`), and a real one: a month 13 or a 30
 * February has the shape but would fail the cast in the query.
 */
function isMoment(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, sec, offH] = [m[1], m[2], m[3], m[4], m[5], m[6], m[8]].map(Number) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!));
  return (
    y! >= 1 &&
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo! - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === sec &&
    offH! <= 15 &&
    Number(m[9] ?? 0) < 60
  );
}

type Cursor = { key: string | null; id: number };

export function encodeCursor(sort: Sort, dir: Direction, key: string | null, id: number): string {
  return Buffer.from(JSON.stringify([sort, dir, key, id])).toString("base64url");
}

/** The rows after the cursor's, in this order; a cursor of another order or a broken one is refused. */
export function afterCursor(sort: Sort, dir: Direction, cursor: string): SQL {
  const c = decodeCursor(sort, dir, cursor);
  const key = KEYS[sort];
  const cmp = sql.raw(dir === "asc" ? ">" : "<");
  if (!key.type) return sql`${requests.id} ${cmp} ${c.id}`;
  // A row comparison, so the index on (key, id) is read from the cursor on.
  return sql`(${key.expr}, ${requests.id}) ${cmp} (${c.key}::${sql.raw(key.type)}, ${c.id})`;
}

function decodeCursor(sort: Sort, dir: Direction, cursor: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  const bad = () =>
    errors.badInput(
      "invalid_cursor",
      "Ссылка на следующую страницу очереди устарела: порядок сортировки изменился. Откройте очередь с начала.",
      { field: "cursor" },
    );
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [s, d, key, id] = parsed as unknown[];
  if (s !== sort || d !== dir || !Number.isSafeInteger(id) || (id as number) < 0) throw bad();
  const type = KEYS[sort].type;
  if (type === null ? key !== null : typeof key !== "string" || key.length > 200) throw bad();
  if (type === "int" && !/^-?\d{1,9}$/.test(key as string)) throw bad();
  if (type === "timestamptz" && key !== "infinity" && !isMoment(key as string)) throw bad();
  return { key: key as string | null, id: id as number };
}
