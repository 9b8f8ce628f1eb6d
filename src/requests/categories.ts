// The request taxonomy and the audiences. Codes are stable: they are stored on requests,
// used in e-mail subjects and in routing rules, so they are never renamed, only added.

export const CATEGORIES = [
  { code: "access", title: "Вход, пароль и коды подтверждения" },
  { code: "contacts", title: "Смена телефона или электронной почты" },
  { code: "application_status", title: "Статус заявления" },
  { code: "documents", title: "Заполнение заявлений и загрузка документов" },
  { code: "e_signature", title: "Электронная подпись" },
  { code: "technical", title: "Технические неполадки портала" },
  { code: "business", title: "Организации и предприниматели" },
  { code: "information", title: "Справочная информация" },
  { code: "complaint", title: "Жалобы и отзывы о работе службы" },
] as const;

export type CategoryCode = (typeof CATEGORIES)[number]["code"];

export const CATEGORY_CODES: readonly CategoryCode[] = CATEGORIES.map((c) => c.code);

export function isCategoryCode(value: unknown): value is CategoryCode {
  return typeof value === "string" && (CATEGORY_CODES as readonly string[]).includes(value);
}

export function categoryTitle(code: CategoryCode): string {
  return CATEGORIES.find((c) => c.code === code)?.title ?? code;
}

export const AUDIENCES = [
  { code: "citizen", title: "Гражданин" },
  { code: "legal_entity", title: "Юридическое лицо" },
  { code: "entrepreneur", title: "Индивидуальный предприниматель" },
] as const;

export type Audience = (typeof AUDIENCES)[number]["code"];

export const AUDIENCE_CODES: readonly Audience[] = AUDIENCES.map((a) => a.code);

export function isAudience(value: unknown): value is Audience {
  return typeof value === "string" && (AUDIENCE_CODES as readonly string[]).includes(value);
}
