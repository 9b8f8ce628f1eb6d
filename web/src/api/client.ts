// Talking to the HTTP API: one typed client (paths and shapes come from schema.d.ts, generated from the server's
// OpenAPI document), problem+json errors turned into ApiError with a Russian message, the staff CSRF token, and
// TanStack Query hooks over the same client so that every page reads server state the same way.
import { QueryClient } from "@tanstack/react-query";
import createFetchClient, { type Middleware } from "openapi-fetch";
import createQueryHooks from "openapi-react-query";
import type { paths } from "./schema";

export type FieldError = { field: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
  }

  /** The message for one form field, from either the errors list or the problem's own field. */
  forField(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

// The staff session's CSRF token lives in memory only; /auth/me hands it back after a reload.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
export function currentCsrfToken(): string | null {
  return csrfToken;
}

// The console sets this: a 401 on a staff call means the session has ended, so it shows the login page.
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}
export function unauthorized() {
  onUnauthorized?.();
}

export async function toApiError(res: Response): Promise<ApiError> {
  const type = res.headers.get("content-type") ?? "";
  const data: unknown = type.includes("json") ? await res.json().catch(() => null) : null;
  const p = (data ?? {}) as { code?: string; detail?: string; field?: string; errors?: FieldError[] };
  const fieldErrors = Array.isArray(p.errors) ? [...p.errors] : [];
  if (p.field && p.detail && !fieldErrors.some((e) => e.field === p.field)) {
    fieldErrors.unshift({ field: p.field, message: p.detail });
  }
  const fallback =
    res.status === 413
      ? "Файлы слишком большие."
      : res.status >= 500
        ? "Сервер временно не отвечает. Попробуйте ещё раз через минуту."
        : "Запрос не выполнен.";
  return new ApiError(res.status, p.code ?? "error", p.detail ?? fallback, fieldErrors);
}

// Every call, typed or not, fails the same way: with an ApiError (or the AbortError of a cancelled request).
const errorsAsApiError: Middleware = {
  onRequest({ request }) {
    request.headers.set("accept", "application/json");
    if (request.method !== "GET" && csrfToken) request.headers.set("x-csrf-token", csrfToken);
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith("/api/v1/auth/")) onUnauthorized?.();
    if (!response.ok) throw await toApiError(response);
  },
  onError({ error }) {
    if (error instanceof Error && error.name === "AbortError") return error;
    return new ApiError(0, "network", "Нет связи с сервером. Проверьте подключение к интернету и повторите.");
  },
};

/** A client for the Otklik at `base` (empty: this page's own server; the chat widget passes another site's). */
export function createApi(base = "") {
  const client = createFetchClient<paths>({ baseUrl: base, credentials: "same-origin" });
  client.use(errorsAsApiError);
  return client;
}

/** The app's client: `api.GET("/api/v1/…", { params })` answers `{ data }` or throws ApiError. */
export const api = createApi();

const clients = new Map([["", api]]);
/** The client for another Otklik's address (the chat widget on someone else's site), made once. */
export function clientFor(base: string) {
  const known = clients.get(base);
  if (known) return known;
  const client = createApi(base);
  clients.set(base, client);
  return client;
}

/** TanStack Query over the same client: `$api.useQuery("get", "/api/v1/…", { params })`. */
export const $api = createQueryHooks(api);

/**
 * The failure of a query. The middleware makes every failure an ApiError (or a cancelled request's AbortError),
 * whatever error answers the route declares, so the query hooks' own error type says less than this.
 */
export function failureOf(query: { error: unknown }): ApiError | null {
  return query.error instanceof ApiError ? query.error : null;
}

/**
 * A multipart body for a route that reads its parts itself and so declares no body in its schema (chat files):
 * the browser writes the parts and their boundary.
 */
export function multipart(form: FormData): never {
  return form as never;
}

/** The data of a call that has succeeded (the middleware has already thrown otherwise). */
export async function ok<R extends { data?: unknown }>(call: Promise<R>): Promise<Exclude<R["data"], undefined>> {
  const { data } = await call;
  return data as Exclude<R["data"], undefined>;
}

export const queryClient = new QueryClient({
  defaultOptions: {
    // Pages were written to show a failure at once and to read again on a live event, not on focus.
    queries: { retry: false, refetchOnWindowFocus: false },
    mutations: { retry: false },
  },
});

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "Что-то пошло не так. Обновите страницу и повторите.";
}

/** A random id that also works outside secure contexts, where crypto.randomUUID is missing. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
