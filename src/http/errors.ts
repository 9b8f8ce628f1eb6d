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

/**
 * What was not found, each with its sentence (the noun's gender decides the verb's ending). The subject is also
 * given to programs in the problem's `subject`; the code stays `not_found` for all of them.
 */
export const NOT_FOUND = {
  route: "Такой страницы или метода нет.",
  request: "Обращение не найдено.",
  file: "Файл не найден.",
  chat: "Чат не найден.",
  call: "Звонок не найден.",
  letter: "Письмо не найдено.",
  article: "Статья не найдена.",
  article_version: "Версия статьи не найдена.",
  template: "Шаблон ответа не найден.",
  macro: "Макрос не найден.",
  incident: "Инцидент не найден.",
  sla_policy: "Политика SLA не найдена.",
  directory_line: "Строка справочника не найдена.",
  directory_version: "Версия справочника не найдена.",
  calendar_year: "Производственного календаря на этот год в справочнике нет.",
  application: "Заявление с таким номером не найдено.",
  staff: "Сотрудник не найден.",
  department: "Подразделение не найдено.",
  staff_email: "Сотрудника с таким адресом нет.",
  token: "Токен не найден.",
  queue_view: "Подборка не найдена.",
  link: "Ссылка не найдена: она устарела или набрана с ошибкой.",
} as const;
export type NotFoundSubject = keyof typeof NOT_FOUND;

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
  notFound: (subject: NotFoundSubject) => new AppError("not_found", NOT_FOUND[subject], 404, { subject }),
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
