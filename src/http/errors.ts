// One error vocabulary: a stable code for programs, a Russian message a person can act on, and the HTTP
// status. One handler (app.ts) turns them into application/problem+json.

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const errors = {
  validation: (message: string, details?: Record<string, unknown>) =>
    new AppError("validation_failed", message, 400, details),
  badInput: (code: string, message: string, details?: Record<string, unknown>) =>
    new AppError(code, message, 400, details),
  unauthenticated: () => new AppError("unauthenticated", "Войдите в систему, чтобы продолжить.", 401),
  badCredentials: () => new AppError("invalid_credentials", "Неверная почта или пароль.", 401),
  accountLocked: (seconds: number) =>
    new AppError(
      "account_locked",
      `Слишком много неверных попыток входа. Вход временно заблокирован, повторите через ${Math.ceil(seconds / 60)} мин.`,
      429,
      { retryAfter: seconds },
    ),
  totpRequired: () => new AppError("totp_required", "Введите код из приложения-аутентификатора.", 401),
  totpInvalid: () => new AppError("totp_invalid", "Код из приложения неверен или устарел.", 401),
  forbidden: (message = "Недостаточно прав для этого действия.") => new AppError("forbidden", message, 403),
  csrf: () =>
    new AppError("csrf_failed", "Сессия устарела или запрос пришёл не со страницы Otklik. Обновите страницу.", 403),
  notFound: (what: string) => new AppError("not_found", `${what} не найдено.`, 404),
  conflict: (code: string, message: string, details?: Record<string, unknown>) =>
    new AppError(code, message, 409, details),
  tooLarge: (message: string) => new AppError("payload_too_large", message, 413),
  unsupportedType: (message: string) => new AppError("unsupported_media_type", message, 415),
  rateLimited: (seconds: number) =>
    new AppError("rate_limited", `Слишком много запросов. Повторите через ${seconds} с.`, 429, {
      retryAfter: seconds,
    }),
  storage: (message = "Не удалось сохранить файл: хранилище недоступно или переполнено. Попробуйте позже.") =>
    new AppError("storage_unavailable", message, 507),
};

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
