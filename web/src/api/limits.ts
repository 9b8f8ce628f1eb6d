// The server's file limits (GET /api/v1/limits), read once per page: the form, the tracking page's reply and the
// chat check files against them before sending and say them in their hints.
import { useQuery } from "@tanstack/react-query";
import { fileSize } from "../format.ts";
import { clientFor, ok } from "./client.ts";
import type { ResponseOf } from "./types.ts";

export type Limits = ResponseOf<"/api/v1/limits">;

export function useLimits(base = ""): Limits | undefined {
  return useQuery({
    queryKey: ["limits", base],
    queryFn: ({ signal }) => ok(clientFor(base).GET("/api/v1/limits", { signal })),
    staleTime: Number.POSITIVE_INFINITY,
  }).data;
}

/** The first file over `maxBytes`, as the sentence to show; null when every file fits. */
export function tooLarge(files: readonly File[], maxBytes: number): string | null {
  const big = files.find((f) => f.size > maxBytes);
  return big ? `Файл «${big.name}» больше ${fileSize(maxBytes)}. Уменьшите его или сожмите.` : null;
}
