// The queue's address: its filters, order and view, as a shared link or a reload keeps them; and the list's query
// made from it.
import { OPEN_STATUSES, type STATUS_ORDER } from "../../labels.ts";

type Status = (typeof STATUS_ORDER)[number];
export type Sort = "due" | "created" | "updated" | "priority" | "status" | "category" | "channel";
export type Direction = "asc" | "desc";

/** The direction a column sorts in when its header is first clicked (the server's defaults). */
export const FIRST_DIRECTION: Record<Sort, Direction> = {
  due: "asc",
  created: "desc",
  updated: "desc",
  priority: "desc",
  status: "asc",
  category: "asc",
  channel: "asc",
};

/** The words of the address a view keeps (everything but the view's own id). */
export const FILTER_KEYS = [
  "status",
  "category",
  "channel",
  "department",
  "mine",
  "overdue",
  "q",
  "sort",
  "dir",
] as const;

export function sortOf(search: URLSearchParams): { sort: Sort; dir: Direction } {
  const sort = (search.get("sort") as Sort | null) ?? "due";
  const valid = sort in FIRST_DIRECTION ? sort : "due";
  const dir = search.get("dir");
  return { sort: valid, dir: dir === "asc" || dir === "desc" ? dir : FIRST_DIRECTION[valid] };
}

/** The filters of the address as the list's query (no page, no limit). */
export function filterQuery(search: URLSearchParams) {
  const status = search.get("status") ?? "open";
  const v = (key: string) => search.get(key) || undefined;
  const list = (key: string) => v(key)?.split(",");
  const { sort, dir } = sortOf(search);
  return {
    ...(status === "open"
      ? { status: [...OPEN_STATUSES] }
      : status !== "all"
        ? { status: status.split(",") as Status[] }
        : {}),
    q: v("q"),
    category: list("category"),
    channel: list("channel"),
    department: v("department"),
    assignee: search.get("mine") === "1" ? ("me" as const) : undefined,
    overdue: search.get("overdue") === "1" ? true : undefined,
    sort,
    dir,
  };
}

/** The address of a view: its filters and its id. */
export function viewSearch(id: string, filters: Record<string, string | undefined>): string {
  const next = new URLSearchParams();
  for (const key of FILTER_KEYS) if (filters[key]) next.set(key, filters[key]!);
  if (id !== "open") next.set("view", id);
  return next.toString();
}

/** The address's filters, to save as a view. */
export function filtersOf(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const value = search.get(key);
    if (value) out[key] = value;
  }
  return out;
}
