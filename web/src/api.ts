// Talking to the HTTP API: JSON in and out, problem+json errors turned into ApiError with a Russian message.

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

// The console sets this: a 401 on a staff call means the session has ended, so it shows the login page.
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}

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
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body, signal: opts.signal, credentials: "same-origin" });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "Нет связи с сервером. Проверьте подключение к интернету и повторите.");
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  const data: unknown = type.includes("json") ? await res.json().catch(() => null) : null;
  if (res.status === 401 && !path.startsWith("/auth/")) onUnauthorized?.();
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

function toApiError(status: number, data: unknown): ApiError {
  const p = (data ?? {}) as { code?: string; detail?: string; field?: string; errors?: FieldError[] };
  const fieldErrors = Array.isArray(p.errors) ? [...p.errors] : [];
  if (p.field && p.detail && !fieldErrors.some((e) => e.field === p.field)) {
    fieldErrors.unshift({ field: p.field, message: p.detail });
  }
  const fallback =
    status === 413
      ? "Файлы слишком большие."
      : status >= 500
        ? "Сервер временно не отвечает. Попробуйте ещё раз через минуту."
        : "Запрос не выполнен.";
  return new ApiError(status, p.code ?? "error", p.detail ?? fallback, fieldErrors);
}

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : "Что-то пошло не так. Обновите страницу и повторите.";
}

/** A random id that also works outside secure contexts, where crypto.randomUUID is missing. */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
