import { $api } from "../api/client.ts";
import type { ResponseOf } from "../api/types.ts";

export type Categories = ResponseOf<"/api/v1/categories">;

/** The category and audience lists, read once per page load. */
export function useCategories(): Categories | undefined {
  return $api.useQuery("get", "/api/v1/categories", {}, { staleTime: Number.POSITIVE_INFINITY }).data;
}
