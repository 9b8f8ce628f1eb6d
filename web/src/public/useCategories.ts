import { useEffect, useState } from "react";
import { api } from "../api.ts";
import type { Option } from "../labels.ts";

export type Categories = { categories: Option[]; audiences: Option[] };

let cached: Promise<Categories> | null = null;

/** The category and audience lists, read once per page load. */
export function useCategories(): Categories | null {
  const [data, setData] = useState<Categories | null>(null);
  useEffect(() => {
    cached ??= api<Categories>("/categories").catch((e) => {
      cached = null;
      throw e;
    });
    let alive = true;
    cached.then((d) => alive && setData(d)).catch(() => {});
    return () => {
      alive = false;
    };
  }, []);
  return data;
}
