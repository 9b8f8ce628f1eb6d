// The untyped call, kept while pages move to the typed client in api/client.ts.
import { ApiError, currentCsrfToken, toApiError, unauthorized } from "./api/client.ts";

export type { FieldError } from "./api/client.ts";
export { ApiError, errorText, randomId, setCsrfToken, setUnauthorizedHandler } from "./api/client.ts";

type Options = { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal };

export async function api<T>(path: string, opts: Options = {}): Promise<T> {
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const csrf = currentCsrfToken();
  if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body, signal: opts.signal, credentials: "same-origin" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "Нет связи с сервером. Проверьте подключение к интернету и повторите.");
  }
  if (res.status === 204) return undefined as T;
  if (res.status === 401 && !path.startsWith("/auth/")) unauthorized();
  if (!res.ok) throw await toApiError(res);
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? await res.json().catch(() => null) : null) as T;
}
